from django.urls import path
from django.views.decorators.http import condition

from portal.middleware import cacheable

from . import feeds, views
from .pagecache import feed_etag, feed_last_modified

app_name = "cms"

# Feeds, the calendar and the sitemap are the same for everyone: caches may keep
# them even when a signed-in user asks (portal.middleware.SecurityHeadersMiddleware).
# The feeds and the sitemap carry an ETag and Last-Modified from the content version
# (cms/pagecache.py): a reader asking again gets 304 without a query.
versioned = condition(etag_func=feed_etag, last_modified_func=feed_last_modified)

urlpatterns = [
    path("szukaj/", views.search, name="search"),
    path("infomat/", views.infomat, name="infomat"),
    path("sitemap.xml", cacheable(versioned(views.sitemap)), name="sitemap"),
    path("aktualnosci/rss.xml", cacheable(versioned(feeds.NewsFeed())), name="feed_rss"),
    path("aktualnosci/atom.xml", cacheable(versioned(feeds.NewsAtomFeed())), name="feed_atom"),
    path(
        "aktualnosci/<slug:school_slug>/rss.xml",
        cacheable(versioned(feeds.NewsFeed())),
        name="school_feed_rss",
    ),
    path(
        "aktualnosci/<slug:school_slug>/atom.xml",
        cacheable(versioned(feeds.NewsAtomFeed())),
        name="school_feed_atom",
    ),
    path("wydarzenia/kalendarz.ics", cacheable(views.events_ical), name="events_ical"),
    path(
        "wydarzenia/<slug:school_slug>/kalendarz.ics",
        cacheable(views.events_ical),
        name="school_events_ical",
    ),
]
