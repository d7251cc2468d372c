"""Reads of the public portal, each in a fixed number of queries."""

from __future__ import annotations

import datetime
from itertools import groupby

from taggit.models import Tag

from django.apps import apps
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from wagtail.models import Page

from portal.models import School
from portal.search.analysis import normalise_phrase

from .common import LINK_FIELDS
from .search_index import query_groups

# Words of a query that count; the rest of a pasted paragraph is ignored.
MAX_QUERY_WORDS = 8


def _pages(name: str):
    """A page model by name. The page models call these queries from their
    get_context(), so this module reads them from the app registry instead of
    importing cms.models (which would make the two import each other)."""
    return apps.get_model("cms", name).objects.live().public()


def news_list(*, school: School | None = None, school_slug: str = "", tag: str = ""):
    """Live, public news, newest first; the date falls back to first publication."""
    items = (
        _pages("NewsPage")
        .annotate(sort_date=Coalesce("date", TruncDate("first_published_at")))
        .select_related("school", "image")
        .prefetch_related("image__renditions", "tags")
        .order_by("-sort_date", "-first_published_at", "-pk")
    )
    if school is not None:
        items = items.filter(school=school)
    elif school_slug:
        items = items.filter(school__slug=school_slug)
    if tag:
        items = items.filter(tags__slug=tag).distinct()
    return items


def _events(school=None, school_slug=""):
    items = _pages("EventPage").select_related("school", "image")
    items = items.prefetch_related("image__renditions")
    if school is not None:
        items = items.filter(school=school)
    elif school_slug:
        items = items.filter(school__slug=school_slug)
    return items


def upcoming_events(*, school: School | None = None, today: datetime.date | None = None):
    today = today or timezone.localdate()
    return (
        _events(school)
        .filter(Q(start_date__gte=today) | Q(end_date__gte=today))
        .order_by("start_date", "start_time", "pk")
    )


def parse_month(value: str) -> datetime.date | None:
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        return None


def shift_month(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def calendar_events(
    *,
    school: School | None = None,
    school_slug: str = "",
    month: datetime.date | None = None,
    past: bool = False,
    today: datetime.date | None = None,
):
    """One month's events, the archive (newest first) or everything upcoming."""
    today = today or timezone.localdate()
    items = _events(school, school_slug)
    if month is not None:
        end = shift_month(month, 1)
        return items.filter(
            Q(start_date__gte=month, start_date__lt=end)
            | Q(start_date__lt=month, end_date__gte=month)
        ).order_by("start_date", "start_time", "pk")
    if past:
        return (
            items.filter(start_date__lt=today)
            .filter(Q(end_date__isnull=True) | Q(end_date__lt=today))
            .order_by("-start_date", "-start_time", "-pk")
        )
    return items.filter(Q(start_date__gte=today) | Q(end_date__gte=today)).order_by(
        "start_date", "start_time", "pk"
    )


def group_by_month(events) -> list[tuple[datetime.date, list]]:
    return [
        (month, list(group))
        for month, group in groupby(events, key=lambda e: e.start_date.replace(day=1))
    ]


def school_directory():
    return (
        _pages("SchoolPage")
        .select_related("school", "image")
        .prefetch_related("image__renditions")
        .order_by("school__name")
    )


def schools_with_pages():
    return list(
        School.objects.filter(cms_page__live=True).order_by("name").only("slug", "short_name")
    )


def popular_tags(*, school: School | None = None, limit: int = 15):
    news = _pages("NewsPage")
    if school is not None:
        news = news.filter(school=school)
    return list(
        Tag.objects.filter(cms_newspagetag_items__content_object__in=news)
        .annotate(uses=Count("cms_newspagetag_items"))
        .order_by("-uses", "name")[:limit]
    )


def menu_pages(site_root: Page | None):
    """Top-level pages shown in menus, for the navigation built from the tree."""
    if site_root is None:
        return []
    return list(site_root.get_children().live().public().in_menu().only(*LINK_FIELDS))


def search_school(*, schools: list[School], slug: str | None, from_page: int | None):
    """The school a site search is limited to: the one chosen in the form (`slug`;
    "" is every school), else, when the reader came from a page (`from_page`, the
    search link of a school's pages), that page's school; None for every school."""
    if slug is None and from_page is not None:
        entries = apps.get_model("cms", "PageSearchEntry").objects
        school_id = entries.filter(page_id=from_page).values_list("school_id", flat=True).first()
        return next((s for s in schools if s.pk == school_id), None)
    return next((s for s in schools if s.slug == slug), None)


def site_search(query: str, *, root: Page | None = None, school: School | None = None):
    """Live, public pages (under `root`, the site's home; when `school` is given,
    only its pages and the gmina's, those outside every school's section)
    matching every word of `query` by the Polish analysis of
    `portal.search.analysis`: "konkurs" finds "w konkursie", "jaselka" finds
    "Jasełka". A page whose whole title is the
    query comes first, then pages with more of the query's words in the title,
    then the newest. Entries of the index (`cms.search_models`) with their page
    and school, in a fixed number of queries however many hits there are."""
    groups = query_groups(query)[:MAX_QUERY_WORDS]
    entries = apps.get_model("cms", "PageSearchEntry").objects
    if not groups:
        return entries.none()
    keys = apps.get_model("cms", "PageSearchKey").objects
    # Wagtail decides what may be shown, whatever the index holds
    pages = Page.objects.live().public()
    if root is not None:
        pages = pages.descendant_of(root, inclusive=True)
    found = entries.filter(page__in=pages.values("pk"))
    if school is not None:
        found = found.filter(Q(school=school) | Q(school__isnull=True))
    in_title = Value(0)
    for group in groups:
        found = found.filter(pk__in=keys.filter(key__in=group).values("entry_id"))
        title_match = Exists(keys.filter(entry=OuterRef("pk"), key__in=group, in_title=True))
        in_title = in_title + Case(When(title_match, then=Value(1)), default=Value(0))
    exact = Case(When(title_norm=normalise_phrase(query), then=Value(1)), default=Value(0))
    return (
        found.annotate(exact_title=exact, title_words=in_title)
        .select_related("page", "school")
        .order_by(
            "-exact_title",
            "-title_words",
            F("date").desc(nulls_last=True),
            F("page__first_published_at").desc(nulls_last=True),
            "pk",
        )
    )


def access_point_index():
    """The gmina's page of public access points (there is at most one), or None."""
    from .access_points import AccessPointIndexPage

    return AccessPointIndexPage.objects.live().public().first()
