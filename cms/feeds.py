"""RSS 2.0 and Atom feeds of the news, for the whole portal and per school."""

import datetime

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _

from portal.models import School

from . import selectors

FEED_SIZE = 20


class NewsFeed(Feed):
    feed_type = Rss201rev2Feed

    def get_object(self, request, school_slug=None):
        self.request = request
        if school_slug is None:
            return None
        return get_object_or_404(School.objects.filter(cms_page__live=True), slug=school_slug)

    def title(self, school):
        if school is None:
            return _("News of the education portal")
        return _("News: %(school)s") % {"school": school.name}

    def link(self, school):
        if school is None:
            return "/"
        return school.cms_page.get_url(self.request) or "/"

    def description(self, school):
        return self.title(school)

    def items(self, school):
        return selectors.news_list(school=school)[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.lead

    def item_link(self, item):
        return item.get_url(self.request)

    def item_pubdate(self, item):
        day = item.display_date
        if item.date is None and item.first_published_at:
            return item.first_published_at
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(8)))

    def item_updateddate(self, item):
        return item.last_published_at

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]

    def item_author_name(self, item):
        return item.school.short_name if item.school else None


class NewsAtomFeed(NewsFeed):
    feed_type = Atom1Feed
    subtitle = NewsFeed.description
