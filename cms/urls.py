from django.urls import path

from portal.middleware import cacheable

from . import feeds, views

app_name = "cms"

# Feeds, the calendar and the sitemap are the same for everyone: caches may keep
# them even when a signed-in user asks (portal.middleware.SecurityHeadersMiddleware).

urlpatterns = [
    path("szukaj/", views.search, name="search"),
    path("infomat/", views.infomat, name="infomat"),
    path("sitemap.xml", cacheable(views.sitemap), name="sitemap"),
    path("aktualnosci/rss.xml", cacheable(feeds.NewsFeed()), name="feed_rss"),
    path("aktualnosci/atom.xml", cacheable(feeds.NewsAtomFeed()), name="feed_atom"),
    path(
        "aktualnosci/<slug:school_slug>/rss.xml",
        cacheable(feeds.NewsFeed()),
        name="school_feed_rss",
    ),
    path(
        "aktualnosci/<slug:school_slug>/atom.xml",
        cacheable(feeds.NewsAtomFeed()),
        name="school_feed_atom",
    ),
    path("wydarzenia/kalendarz.ics", cacheable(views.events_ical), name="events_ical"),
    path(
        "wydarzenia/<slug:school_slug>/kalendarz.ics",
        cacheable(views.events_ical),
        name="school_events_ical",
    ),
]
