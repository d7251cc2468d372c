"""Views of the public portal outside the page tree: search, sitemap, iCalendar,
the infomat's home."""

import datetime

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap
from wagtail.models import Site

from portal.exports import ical_response
from portal.inputs import parse_id
from portal.models import School
from portal.registry import search_sections

from . import ical, selectors

ICAL_PAST_DAYS = 60
ICAL_SIZE = 500

SEARCH_PAGE_SIZE = 10
# the page a reader searched from (its school is chosen in the form)
FROM_PAGE = "ze_strony"


def search(request):
    """Pages found, limited to a school's pages (and the gmina's) when one is
    chosen, and beside them what other parts of the portal found (the sections
    registered in portal.registry, e.g. the library catalogue's records)."""
    query = request.GET.get("q", "").strip()[:200]
    site = Site.find_for_request(request)
    schools = selectors.schools_with_pages()
    school = selectors.search_school(
        schools=schools,
        slug=request.GET.get("szkola"),
        from_page=parse_id(request.GET.get(FROM_PAGE, "")),
    )
    results = selectors.site_search(query, root=site.root_page if site else None, school=school)
    page_obj = Paginator(results, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
    sections = []
    if query:
        for section in search_sections():
            hits = section.hits(request, query)
            if hits is not None:
                sections.append((section, hits))
    return render(
        request,
        "cms/search.html",
        {
            "query": query,
            "page_obj": page_obj,
            "schools": schools,
            "school": school,
            "sections": sections,
        },
    )


def sitemap(request):
    response = wagtail_sitemap(request)
    # Django's sitemap view dates the response by the newest page it lists; the
    # conditional GET around it (cms/urls.py) answers by the content version's
    # time, which can be a second later. One clock for both, or a reader sending
    # back the page's date would never get a 304.
    if response.has_header("Last-Modified"):
        del response["Last-Modified"]
    return response


def events_ical(request, school_slug=None):
    """Upcoming (and recent) events as an iCalendar feed to subscribe to."""
    school = None
    if school_slug is not None:
        school = get_object_or_404(School.objects.filter(cms_page__live=True), slug=school_slug)
    since = timezone.localdate() - datetime.timedelta(days=ICAL_PAST_DAYS)
    events = selectors.upcoming_events(school=school, today=since)[:ICAL_SIZE]
    name = _("Events: %(school)s") % {"school": school.short_name} if school else _("Events")
    feed = ical.calendar(events, name=name, url_for=lambda e: e.get_full_url(request))
    return ical_response(feed, filename="wydarzenia.ics")


INFOMAT_NEWS = 4


def _url_or_none(name: str) -> str | None:
    # Other apps are reached by URL only: a part not installed is not offered.
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def infomat(request):
    """The home of a public terminal (portal.terminal): large tiles for the news,
    the schools, the library catalogue, the access points and the e-services,
    and how to sign in on one's own phone. Anyone may open it; on an infomat it
    is where the screen goes back to when it is cleared."""
    index = selectors.access_point_index()
    return render(
        request,
        "cms/infomat.html",
        {
            "latest_news": selectors.news_list()[:INFOMAT_NEWS],
            "school_pages": selectors.school_directory(),
            "access_index": index,
            "access_points": list(index.points()) if index else [],
            "catalogue_url": _url_or_none("library:search"),
            "services_url": _url_or_none("eservices:home"),
        },
    )
