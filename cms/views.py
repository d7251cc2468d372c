"""Views of the public portal outside the page tree: search and feeds."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import render

from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap

from . import selectors

SEARCH_PAGE_SIZE = 10


def search(request):
    query = request.GET.get("q", "").strip()[:200]
    results = selectors.site_search(query)
    page_obj = Paginator(results, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cms/search.html",
        {
            "query": query,
            "page_obj": page_obj,
            "library_url": "/biblioteka/?" + urlencode({"q": query}) if query else "/biblioteka/",
        },
    )


def sitemap(request):
    return wagtail_sitemap(request)
