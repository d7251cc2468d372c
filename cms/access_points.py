"""The gmina's public access points (hotspots, infomaty, the telecentre, libraries).

One Wagtail page per point under one index page: each point has an address of
its own (the map's markers and the site search link to it), its own revisions
and moderation like any other page, and its opening hours as an inline of rows
("days from–to, opens–closes"). An orderable inline of points on the index
page would have made hours an inline inside an inline, which Wagtail's editor
does not offer.

The index page shows the list and a map drawn on the server as SVG from the
coordinates: no third-party script, no tiles, each marker numbered (not told
apart by colour) and a link to its entry, each entry with an "open in
OpenStreetMap" link. A tile map (OpenStreetMap's embed in a frame) is shown only
when `ACCESS_POINTS_TILE_MAP_URL` is set (see docs/cms.md)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from modelcluster.fields import ParentalKey

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from . import opening_hours
from .blocks import LEAD_FEATURES
from .models import SeoMixin

WEEKDAY_CHOICES = list(opening_hours.WEEKDAYS.items())

# What a point offers: the field and the words the list shows.
FEATURES = (
    ("has_computers", _("computers with internet")),
    ("has_wifi", _("free Wi-Fi")),
    ("has_printer", _("printer")),
    ("has_scanner", _("scanner")),
    ("has_digital_help", _("help for people who do not use computers")),
    ("has_public_services", _("access to public e-services (ePUAP, mObywatel)")),
    ("has_wheelchair_access", _("wheelchair access")),
    ("has_induction_loop", _("induction loop")),
)


class AccessPointIndexPage(SeoMixin, Page):
    intro = RichTextField(_("introduction"), features=LEAD_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.AccessPointPage"]
    max_count = 1

    class Meta:
        verbose_name = _("public access points")

    def points(self):
        return (
            AccessPointPage.objects.child_of(self)
            .live()
            .public()
            .prefetch_related("opening_hours")
            .order_by("path")
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        points = list(self.points())
        context["points"] = points
        context["access_map"] = access_map(points)
        context["tile_map_url"] = tile_map_url(points)
        return context


class AccessPointPage(SeoMixin, Page):
    class Kind(models.TextChoices):
        INFOMAT = "infomat", _("infomat (public terminal)")
        HOTSPOT = "hotspot", _("hotspot (free Wi-Fi)")
        TELECENTRE = "telecentre", _("telecentre")
        LIBRARY = "library", _("library")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    address = models.CharField(_("address"), max_length=250)
    place = models.CharField(
        _("where inside"),
        max_length=250,
        blank=True,
        help_text=_("For example: the hall on the ground floor, by the entrance."),
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
        help_text=_("For example 50.061400 (from OpenStreetMap: right click, “Show address”)."),
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
        help_text=_("For example 19.937200."),
    )
    always_open = models.BooleanField(
        _("open 24 hours"), default=False, help_text=_("An outdoor hotspot, for example.")
    )
    hours_note = models.CharField(
        _("note on opening hours"),
        max_length=250,
        blank=True,
        help_text=_("For example: closed on public holidays."),
    )
    has_computers = models.BooleanField(_("computers with internet"), default=False)
    has_wifi = models.BooleanField(_("free Wi-Fi"), default=False)
    has_printer = models.BooleanField(_("printer"), default=False)
    has_scanner = models.BooleanField(_("scanner"), default=False)
    has_digital_help = models.BooleanField(
        _("help for people who do not use computers"), default=False
    )
    has_public_services = models.BooleanField(
        _("access to public e-services (ePUAP, mObywatel)"), default=False
    )
    has_wheelchair_access = models.BooleanField(_("wheelchair access"), default=False)
    has_induction_loop = models.BooleanField(_("induction loop"), default=False)
    description = RichTextField(_("description"), features=LEAD_FEATURES, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("kind"),
        MultiFieldPanel(
            [
                FieldPanel("address"),
                FieldPanel("place"),
                FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
            ],
            heading=_("Where"),
        ),
        MultiFieldPanel(
            [FieldPanel("always_open"), FieldPanel("hours_note")],
            heading=_("Opening hours"),
        ),
        InlinePanel("opening_hours", label=_("Opening hours")),
        MultiFieldPanel([FieldPanel(name) for name, _label in FEATURES], heading=_("What is here")),
        FieldPanel("description"),
    ]
    search_fields = [
        *SeoMixin.search_fields,
        index.SearchField("address"),
        index.SearchField("description"),
    ]
    parent_page_types = ["cms.AccessPointIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("public access point")
        verbose_name_plural = _("public access points")

    def hours_rows(self) -> list[opening_hours.HoursRow]:
        return [
            opening_hours.HoursRow(h.first_day, h.last_day, h.opens, h.closes)
            for h in self.opening_hours.all()
        ]

    def hours_lines(self) -> list[str]:
        return opening_hours.describe(self.hours_rows(), always_open=self.always_open)

    def open_status(self) -> opening_hours.OpenStatus:
        return opening_hours.open_status(self.hours_rows(), always_open=self.always_open)

    def features(self) -> list[str]:
        return [str(label) for name, label in FEATURES if getattr(self, name)]

    @property
    def osm_url(self) -> str:
        lat, lon = self.latitude, self.longitude
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=18/{lat}/{lon}"

    @property
    def anchor(self) -> str:
        return f"punkt-{self.slug}"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["access_map"] = access_map([self])
        context["index_page"] = self.get_parent().specific
        return context


class AccessPointHours(Orderable):
    page = ParentalKey(AccessPointPage, on_delete=models.CASCADE, related_name="opening_hours")
    first_day = models.PositiveSmallIntegerField(_("from"), choices=WEEKDAY_CHOICES)
    last_day = models.PositiveSmallIntegerField(_("to"), choices=WEEKDAY_CHOICES)
    opens = models.TimeField(_("opens at"))
    closes = models.TimeField(_("closes at"))

    panels = [
        FieldRowPanel([FieldPanel("first_day"), FieldPanel("last_day")]),
        FieldRowPanel([FieldPanel("opens"), FieldPanel("closes")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")

    def clean(self):
        super().clean()
        errors = {}
        days = (self.first_day, self.last_day)
        if None not in days and self.last_day < self.first_day:
            errors["last_day"] = _("The last day cannot come before the first.")
        if self.opens and self.closes and self.closes <= self.opens:
            errors["closes"] = _("The closing time must be after the opening time.")
        if errors:
            raise ValidationError(errors)


# --- The map -----------------------------------------------------------------------------

MAP_WIDTH = 640
MAP_MARGIN = 36
MARKER_RADIUS = 16
MARKER_GAP = 2 * MARKER_RADIUS + 2


@dataclass(frozen=True)
class Marker:
    number: int
    point: AccessPointPage
    x: float
    y: float

    @property
    def corner(self) -> tuple[float, float]:
        """Top left of a square marker (hotspots)."""
        return (round(self.x - 15, 1), round(self.y - 15, 1))


@dataclass(frozen=True)
class AccessMap:
    width: int
    height: int
    markers: list[Marker]


def access_map(points) -> AccessMap | None:
    """Markers placed by longitude and latitude (an equirectangular projection,
    true to shape at the gmina's scale), fitted into a box 640 wide."""
    points = list(points)
    if not points:
        return None
    lats = [float(p.latitude) for p in points]
    lons = [float(p.longitude) for p in points]
    squeeze = math.cos(math.radians(sum(lats) / len(lats)))
    span_x = max((max(lons) - min(lons)) * squeeze, 1e-4)
    span_y = max(max(lats) - min(lats), 1e-4)
    inner = MAP_WIDTH - 2 * MAP_MARGIN
    scale = inner / span_x
    # Tall, thin gminas would make a very long map: cap the height.
    height_inner = min(span_y * scale, inner * 0.75)
    scale = min(scale, height_inner / span_y) if span_y > 1e-4 else scale
    height = round(max(height_inner, 120) + 2 * MAP_MARGIN)
    offset_x = (MAP_WIDTH - span_x * scale) / 2
    offset_y = (height - span_y * scale) / 2
    markers = []
    for number, (point, lat, lon) in enumerate(zip(points, lats, lons, strict=True), start=1):
        x = offset_x + (lon - min(lons)) * squeeze * scale
        y = offset_y + (max(lats) - lat) * scale
        # Two points in one building would hide each other: set the later one aside.
        while any(abs(m.x - x) < MARKER_GAP and abs(m.y - y) < MARKER_GAP for m in markers):
            x = x + MARKER_GAP if x + MARKER_GAP <= MAP_WIDTH - MARKER_RADIUS else x - MARKER_GAP
            y += 1  # never the same spot twice, so the loop ends
        markers.append(Marker(number, point, round(x, 1), round(y, 1)))
    return AccessMap(MAP_WIDTH, height, markers)


def tile_map_url(points) -> str:
    """The configured tile map's address for the points' bounding box, or ""."""
    template = getattr(settings, "ACCESS_POINTS_TILE_MAP_URL", "")
    points = list(points)
    if not template or not points:
        return ""
    lats = [float(p.latitude) for p in points]
    lons = [float(p.longitude) for p in points]
    pad = 0.005
    corners = (min(lons) - pad, min(lats) - pad, max(lons) + pad, max(lats) + pad)
    bbox = ",".join(f"{value:.6f}" for value in corners)
    return template.replace("{bbox}", bbox)
