"""Pages of the public portal. Each page type owns its tree rules
(`parent_page_types`, `subpage_types`) and its context (`get_context`)."""

from __future__ import annotations

import datetime

from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from portal.models import School
from portal.validators import validate_link

from . import selectors
from .blocks import LEAD_FEATURES, RICH_TEXT_FEATURES, BodyBlock
from .common import LINK_FIELDS, fold
from .forms import AUTOCOMPLETE_CHOICES, ContactFormBuilder
from .pagecache import PageCacheMixin
from .spam import SpamProtectedForm, rate_limited

PAGE_SIZE = 10


# What a link to a page needs (`pageurl`), so menus load no more and no less.
def image_alt_required(page) -> None:
    if page.image_id and not page.image_alt.strip():
        raise ValidationError({"image_alt": _("Describe the image for people who cannot see it.")})


def school_of_ancestors(page) -> School | None:
    """The school whose section `page` sits in (via its SchoolPage ancestor)."""
    if not page.path:
        return None
    ancestor_paths = [page.path[:i] for i in range(page.steplen, len(page.path), page.steplen)]
    school_page = (
        SchoolPage.objects.filter(path__in=ancestor_paths).select_related("school").first()
    )
    return school_page.school if school_page else None


class SeoMixin:
    """Open Graph data and diacritic-free search text shared by every page type."""

    search_fields = [*Page.search_fields, index.SearchField("search_folded")]

    def og_image(self):
        return getattr(self, "image", None)

    def search_folded(self) -> str:
        parts = [self.title, self.search_description, getattr(self, "lead", "")]
        for name in ("body", "description"):
            stream = getattr(self, name, None)
            if stream is not None and hasattr(stream, "stream_block"):
                parts.extend(stream.stream_block.get_searchable_content(stream))
        return fold(" ".join(str(p) for p in parts if p))


def lazy(compute):
    """A context value computed when the template first reads it: a page served
    from its cached fragments never does (cms/pagecache.py), so it costs no query."""
    return SimpleLazyObject(compute)


class HomePage(PageCacheMixin, SeoMixin, Page):
    intro = RichTextField(_("introduction"), features=LEAD_FEATURES, blank=True)
    news_count = models.PositiveSmallIntegerField(_("news items shown"), default=6)
    events_count = models.PositiveSmallIntegerField(_("events shown"), default=5)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldRowPanel([FieldPanel("news_count"), FieldPanel("events_count")]),
        InlinePanel("quick_links", label=_("Quick links")),
    ]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "cms.SchoolPage",
        "cms.NewsIndexPage",
        "cms.EventIndexPage",
        "cms.ContentPage",
        "cms.ContactFormPage",
        "cms.AccessibilityStatementPage",
        "cms.AccessPointIndexPage",
    ]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["latest_news"] = lazy(lambda: selectors.news_list()[: self.news_count])
        context["upcoming_events"] = lazy(lambda: selectors.upcoming_events()[: self.events_count])
        context["school_pages"] = lazy(selectors.school_directory)
        context["quick_links"] = self.quick_links.all()
        context["news_index"] = lazy(
            lambda: NewsIndexPage.objects.child_of(self).live().public().first()
        )
        context["event_index"] = lazy(
            lambda: EventIndexPage.objects.child_of(self).live().public().first()
        )
        return context


class QuickLink(Orderable):
    page = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="quick_links")
    title = models.CharField(_("title"), max_length=100)
    url = models.CharField(
        _("address"),
        max_length=300,
        help_text=_("For example /biblioteka/ or https://…"),
        validators=[validate_link],
    )
    description = models.CharField(_("description"), max_length=200, blank=True)

    panels = [FieldPanel("title"), FieldPanel("url"), FieldPanel("description")]

    class Meta(Orderable.Meta):
        verbose_name = _("quick link")
        verbose_name_plural = _("quick links")


class SchoolPage(PageCacheMixin, SeoMixin, Page):
    """The school's own section. Name, address and contacts come from the
    school record in portal/; the page adds what only the web needs."""

    school = models.OneToOneField(
        School,
        on_delete=models.PROTECT,
        related_name="cms_page",
        verbose_name=_("school"),
        help_text=_("Name, address and contacts are taken from the school record."),
    )
    headteacher = models.CharField(
        _("headteacher"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty to use the headteacher from the school record."),
    )
    hours = models.TextField(
        _("opening hours"), blank=True, help_text=_("Secretariat and school hours.")
    )
    description = StreamField(BodyBlock(), verbose_name=_("description"), blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("main image"),
    )
    image_alt = models.CharField(_("alternative text of the image"), max_length=250, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("school"),
        FieldPanel("headteacher"),
        FieldPanel("hours"),
        MultiFieldPanel([FieldPanel("image"), FieldPanel("image_alt")], heading=_("Image")),
        FieldPanel("description"),
        InlinePanel("gallery_images", label=_("Gallery")),
    ]
    search_fields = [*SeoMixin.search_fields, index.SearchField("description")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = [
        "cms.NewsIndexPage",
        "cms.EventIndexPage",
        "cms.ContentPage",
        "cms.ContactFormPage",
        "cms.AccessibilityStatementPage",
    ]

    class Meta:
        verbose_name = _("school page")

    def clean(self):
        super().clean()
        image_alt_required(self)

    @property
    def headteacher_name(self) -> str:
        return self.headteacher or self.school.headteacher

    @property
    def library_url(self) -> str:
        # The library app is addressed by plain URL so the two apps stay independent.
        return f"/biblioteka/?library={self.school_id}"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["school_news"] = lazy(lambda: selectors.news_list(school=self.school)[:4])
        context["school_events"] = lazy(lambda: selectors.upcoming_events(school=self.school)[:4])
        context["gallery"] = self.gallery_images.select_related("image").prefetch_related(
            "image__renditions"
        )
        context["news_index"] = lazy(
            lambda: NewsIndexPage.objects.child_of(self).live().public().first()
        )
        context["event_index"] = lazy(
            lambda: EventIndexPage.objects.child_of(self).live().public().first()
        )
        context["section_pages"] = lazy(
            lambda: self.get_children().live().public().only(*LINK_FIELDS)
        )
        return context


class SchoolGalleryImage(Orderable):
    page = ParentalKey(SchoolPage, on_delete=models.CASCADE, related_name="gallery_images")
    image = models.ForeignKey(
        "wagtailimages.Image", on_delete=models.CASCADE, related_name="+", verbose_name=_("image")
    )
    alt = models.CharField(_("alternative text"), max_length=250)
    caption = models.CharField(_("caption"), max_length=250, blank=True)

    panels = [FieldPanel("image"), FieldPanel("alt"), FieldPanel("caption")]

    class Meta(Orderable.Meta):
        verbose_name = _("gallery image")
        verbose_name_plural = _("gallery images")


class SectionIndexPage(SeoMixin, Page):
    """A listing for the whole portal (under the home page) or for one school
    (under its school page); the portal-wide one can be filtered by school."""

    intro = RichTextField(_("introduction"), features=LEAD_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage", "cms.SchoolPage"]

    class Meta:
        abstract = True

    @cached_property
    def section_school(self) -> School | None:
        return school_of_ancestors(self)

    def selected_school(self, request) -> str:
        """The school chosen in the filter (`?szkola=`), only on a portal-wide list."""
        return request.GET.get("szkola", "") if self.section_school is None else ""

    def get_context(self, request, *args, **kwargs):
        """The section's school, or the school chosen in the filter (`?szkola=`).
        Lazy, as the lists below: a list served from its cached fragments reads none."""
        context = super().get_context(request, *args, **kwargs)
        schools = lazy(lambda: [] if self.section_school else selectors.schools_with_pages())
        context.update(
            section_school=lazy(lambda: self.section_school),
            selected_school=lazy(lambda: self.selected_school(request)),
            schools=schools,
            # Named in the title, so that each filtered list has its own.
            filter_school=lazy(
                lambda: next((s for s in schools if s.slug == self.selected_school(request)), None)
            ),
        )
        return context


class NewsIndexPage(PageCacheMixin, SectionIndexPage):
    """The news, filtered by school and tag."""

    subpage_types = ["cms.NewsPage"]
    pagecache_params = ("szkola", "tag", "page")

    class Meta:
        verbose_name = _("news index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        tag = request.GET.get("tag", "").strip()

        def news_page():
            items = selectors.news_list(
                school=self.section_school,
                school_slug=self.selected_school(request),
                tag=tag,
            )
            return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))

        context.update(
            page_obj=lazy(news_page),
            tags=lazy(lambda: selectors.popular_tags(school=self.section_school)),
            selected_tag=tag,
        )
        return context


class NewsPageTag(TaggedItemBase):
    content_object = ParentalKey(
        "cms.NewsPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class SchoolItemPage(SeoMixin, Page):
    """A news item or event: an optional image with required alt text, and the
    school it belongs to (forced to the school whose section holds it)."""

    lead = models.TextField(_("lead"), max_length=500, blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("image"),
    )
    image_alt = models.CharField(_("alternative text of the image"), max_length=250, blank=True)
    school = models.ForeignKey(
        School,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("school"),
        help_text=_("Set automatically inside a school's section."),
    )

    image_panel = MultiFieldPanel(
        [FieldPanel("image"), FieldPanel("image_alt")], heading=_("Image")
    )
    search_fields = [
        *SeoMixin.search_fields,
        index.SearchField("lead"),
        index.SearchField("body"),
        index.FilterField("school"),
    ]
    parent_page_types: list[str] = []
    subpage_types: list[str] = []

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        image_alt_required(self)

    def save(self, *args, **kwargs):
        school = school_of_ancestors(self)
        if school is not None:
            self.school = school
        return super().save(*args, **kwargs)


class NewsPage(SchoolItemPage):
    lead = models.TextField(_("lead"), max_length=500, help_text=_("One or two sentences."))
    date = models.DateField(
        _("date"), null=True, blank=True, help_text=_("Empty: the date of first publication.")
    )
    tags = ClusterTaggableManager(through=NewsPageTag, blank=True, verbose_name=_("tags"))

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("date"), FieldPanel("school")]),
        FieldPanel("lead"),
        SchoolItemPage.image_panel,
        FieldPanel("body"),
        FieldPanel("tags"),
    ]
    parent_page_types = ["cms.NewsIndexPage"]

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news items")

    @property
    def display_date(self) -> datetime.date | None:
        if self.date:
            return self.date
        if self.first_published_at:
            return timezone.localdate(self.first_published_at)
        return None


class EventIndexPage(SectionIndexPage):
    """The calendar: upcoming events month by month, or one month, or the archive."""

    subpage_types = ["cms.EventPage"]

    class Meta:
        verbose_name = _("event calendar")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        school, school_slug = self.section_school, self.selected_school(request)
        month = selectors.parse_month(request.GET.get("miesiac", ""))
        past = request.GET.get("archiwum") == "1"
        events = selectors.calendar_events(
            school=school, school_slug=school_slug, month=month, past=past
        )
        page_obj = Paginator(events, PAGE_SIZE * 2).get_page(request.GET.get("page"))
        context.update(
            page_obj=page_obj,
            months=selectors.group_by_month(page_obj.object_list),
            month=month,
            previous_month=selectors.shift_month(month or timezone.localdate(), -1),
            next_month=selectors.shift_month(month or timezone.localdate(), 1),
            past=past,
        )
        return context


class EventPage(SchoolItemPage):
    start_date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    end_time = models.TimeField(_("end time"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=250, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("start_date"), FieldPanel("start_time")]),
        FieldRowPanel([FieldPanel("end_date"), FieldPanel("end_time")]),
        FieldRowPanel([FieldPanel("place"), FieldPanel("school")]),
        FieldPanel("lead"),
        SchoolItemPage.image_panel,
        FieldPanel("body"),
    ]
    search_fields = [*SchoolItemPage.search_fields, index.SearchField("place")]
    parent_page_types = ["cms.EventIndexPage"]

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def clean(self):
        super().clean()
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The event cannot end before it starts.")})


class ContentPage(SeoMixin, Page):
    lead = models.TextField(_("lead"), max_length=500, blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("lead"), FieldPanel("body")]
    search_fields = [
        *SeoMixin.search_fields,
        index.SearchField("lead"),
        index.SearchField("body"),
    ]
    parent_page_types = ["cms.HomePage", "cms.SchoolPage", "cms.ContentPage"]
    subpage_types = ["cms.ContentPage", "cms.ContactFormPage"]

    class Meta:
        verbose_name = _("content page")


class ContactFormField(AbstractFormField):
    page = ParentalKey("cms.ContactFormPage", on_delete=models.CASCADE, related_name="form_fields")
    autocomplete = models.CharField(
        _("what the field asks for"),
        max_length=30,
        choices=AUTOCOMPLETE_CHOICES,
        blank=True,
        help_text=_(
            "Lets the browser fill in the reader's own name, e-mail or phone. "
            "Leave empty for anything else, such as the message."
        ),
    )

    panels = [
        *AbstractFormField.panels,
        FieldPanel("autocomplete"),
    ]


class ContactFormPage(SeoMixin, AbstractEmailForm):
    intro = RichTextField(_("introduction"), features=RICH_TEXT_FEATURES, blank=True)
    thank_you_text = RichTextField(_("thank-you text"), features=LEAD_FEATURES, blank=True)

    content_panels = [
        *AbstractEmailForm.content_panels,
        FormSubmissionsPanel(),
        FieldPanel("intro"),
        InlinePanel("form_fields", label=_("Form fields")),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("from_address"), FieldPanel("to_address")]),
                FieldPanel("subject"),
            ],
            heading=_("E-mail"),
        ),
    ]
    parent_page_types = ["cms.HomePage", "cms.SchoolPage", "cms.ContentPage"]
    subpage_types: list[str] = []
    form_builder = ContactFormBuilder

    class Meta:
        verbose_name = _("contact form page")

    def get_form_class(self):
        base = super().get_form_class()
        return type("ContactForm", (SpamProtectedForm, base), {})

    def get_submissions_list_view_class(self):
        # Imported here: the admin views need the app registry that loads this module.
        from .submissions import ContactSubmissionsListView

        return ContactSubmissionsListView

    def serve(self, request, *args, **kwargs):
        if request.method == "POST" and rate_limited(request, f"form-{self.pk}"):
            form = self.get_form(request.POST, page=self, user=request.user)
            form.is_valid()
            form.add_error(
                None, _("Too many messages were sent from your address. Please try again later.")
            )
            context = self.get_context(request)
            context["form"] = form
            return TemplateResponse(request, self.get_template(request), context, status=429)
        return super().serve(request, *args, **kwargs)


class EditorialGroup(models.Model):
    """Which Wagtail group holds the editors or moderators of a section: the
    whole portal (school empty) or one school. The sync service puts portal
    users with the EDITOR / MODERATOR roles into these groups."""

    class Kind(models.TextChoices):
        EDITORS = "editors", _("editors")
        MODERATORS = "moderators", _("moderators")

    group = models.OneToOneField(
        "auth.Group", on_delete=models.CASCADE, related_name="editorial", verbose_name=_("group")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    school = models.ForeignKey(
        School,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="editorial_groups",
        verbose_name=_("school"),
    )

    class Meta:
        verbose_name = _("editorial group")
        verbose_name_plural = _("editorial groups")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "school"], name="cms_editorial_group_unique_school"
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(school__isnull=True),
                name="cms_editorial_group_unique_municipal",
                violation_error_message=_(
                    "The municipality already has an editorial group of this kind."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.group.name


# The statement's and the access points' page types and the site search's index
# live in their own modules; importing them here registers them.
from .access_points import AccessPointHours, AccessPointIndexPage, AccessPointPage  # noqa: E402, F401
from .search_models import PageSearchEntry, PageSearchKey  # noqa: E402, F401
from .statement import AccessibilityStatementPage  # noqa: E402, F401
