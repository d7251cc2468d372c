from django.urls import path

from . import feeds, views

app_name = "cms"

urlpatterns = [
    path("szukaj/", views.search, name="search"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("aktualnosci/rss.xml", feeds.NewsFeed(), name="feed_rss"),
    path("aktualnosci/atom.xml", feeds.NewsAtomFeed(), name="feed_atom"),
    path("aktualnosci/<slug:school_slug>/rss.xml", feeds.NewsFeed(), name="school_feed_rss"),
    path(
        "aktualnosci/<slug:school_slug>/atom.xml",
        feeds.NewsAtomFeed(),
        name="school_feed_atom",
    ),
    path("wydarzenia/kalendarz.ics", views.events_ical, name="events_ical"),
    path(
        "wydarzenia/<slug:school_slug>/kalendarz.ics",
        views.events_ical,
        name="school_events_ical",
    ),
]
