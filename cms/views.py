"""Views of the public portal outside the page tree: search, sitemap, iCalendar."""

import datetime

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
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
    return wagtail_sitemap(request)


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
