"""The public pages served from cache (issue 20, cms/pagecache.py): few queries when
warm, every change seen at once, nothing of one person shown to another. The cache
is emptied around every test (tests/cms/conftest.py) and its version is a random
token, so no test meets another's entries."""

import datetime

import pytest
import time_machine

from django.conf import settings
from django.utils import timezone
from django.utils.http import http_date

from cms import pagecache
from tests.factories import UserFactory
from tests.factories.cms import make_event, make_image, make_news

pytestmark = pytest.mark.django_db

WARM_QUERY_LIMIT = 5


def warm(client, url):
    """The first request may make the municipality's settings row (a content change),
    the second fills the cache; the next is served from it."""
    client.get(url)
    client.get(url)


def count_queries(client, url, django_assert_max_num_queries):
    warm(client, url)
    with django_assert_max_num_queries(WARM_QUERY_LIMIT, info=url) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def add_content(site, prefix, n):
    image = make_image(f"{prefix}-img")
    for i in range(n):
        make_news(site.news, f"{prefix} portal {i}", tags=[f"{prefix}{i}"], image=image)
        make_news(site.a["news"], f"{prefix} szkoła {i}", tags=["wspólny"])
        make_event(site.a["events"], f"{prefix} impreza {i}")


def test_warm_pages_few_queries_whatever_the_data(client, site, django_assert_max_num_queries):
    urls = ["/", site.a["page"].url, site.news.url, site.a["news"].url]
    add_content(site, "x", 3)
    first = {url: count_queries(client, url, django_assert_max_num_queries) for url in urls}
    add_content(site, "y", 6)
    second = {url: count_queries(client, url, django_assert_max_num_queries) for url in urls}
    assert first == second


def test_cached_page_is_the_page(client, site):
    make_news(site.a["news"], "Festyn szkolny")
    warm(client, site.a["page"].url)
    body = client.get(site.a["page"].url).content.decode()
    assert "Festyn szkolny" in body
    assert site.a["page"].title in body
    # What differs per request is still rendered per request.
    assert 'name="csrfmiddlewaretoken"' in body


def test_publishing_shows_at_once(client, site):
    warm(client, "/")
    warm(client, site.news.url)
    make_news(site.news, "Nowy dyrektor")
    assert "Nowy dyrektor" in client.get("/").content.decode()
    assert "Nowy dyrektor" in client.get(site.news.url).content.decode()


def test_editing_and_unpublishing_show_at_once(client, site):
    item = make_news(site.a["news"], "Stary tytuł")
    warm(client, site.a["page"].url)
    item.title = "Nowy tytuł"
    item.save_revision().publish()
    body = client.get(site.a["page"].url).content.decode()
    assert ">Nowy tytuł</a>" in body and ">Stary tytuł</a>" not in body
    item.unpublish()
    assert ">Nowy tytuł</a>" not in client.get(site.a["page"].url).content.decode()


def test_school_record_change_shows_on_its_page(client, site, world):
    warm(client, site.a["page"].url)
    school = world.a.school
    school.phone = "600 100 200"
    school.save()
    assert "600 100 200" in client.get(site.a["page"].url).content.decode()


def test_draft_does_not_show(client, site):
    item = make_news(site.news, "Opublikowany")
    warm(client, site.news.url)
    version = pagecache.content_version()
    item.title = "Szkic"
    item.save_revision()
    assert pagecache.content_version() == version  # the cache stays warm for a draft
    body = client.get(site.news.url).content.decode()
    assert "Opublikowany" in body and "Szkic" not in body


def test_filters_are_kept_apart(client, site):
    make_news(site.news, "Konkurs plastyczny", tags=["konkursy"])
    make_news(site.news, "Wycieczka", tags=["wycieczki"])
    for _ in range(2):
        konkursy = client.get(site.news.url, {"tag": "konkursy"}).content.decode()
        wycieczki = client.get(site.news.url, {"tag": "wycieczki"}).content.decode()
    assert "Konkurs plastyczny" in konkursy and "Wycieczka" not in konkursy
    assert "Wycieczka" in wycieczki and "Konkurs plastyczny" not in wycieczki


def test_other_parameters_are_served_without_cache(client, site):
    warm(client, "/")
    response = client.get("/", {"utm_source": "x"})
    assert response.status_code == 200
    assert getattr(response.wsgi_request, "_pagecache", None) is None


def test_language_switch_shows_the_other_language(client, site):
    warm(client, "/")
    assert "Najnowsze wiadomości" in client.get("/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    warm(client, "/")
    body = client.get("/").content.decode()
    assert "Latest news from our schools" in body and "Najnowsze wiadomości" not in body


def test_a_signed_in_name_is_never_served_to_another(client, site):
    anna = UserFactory(username="anna-r", first_name="Anna", last_name="Rodzicowa")
    bogdan = UserFactory(username="bogdan-r", first_name="Bogdan", last_name="Opiekun")
    for url in ["/", site.a["page"].url, site.news.url]:
        client.force_login(anna)
        warm(client, url)
        assert "Anna Rodzicowa" in client.get(url).content.decode()
        client.force_login(bogdan)
        body = client.get(url).content.decode()
        assert "Bogdan Opiekun" in body and "Anna Rodzicowa" not in body
        client.logout()
        body = client.get(url).content.decode()
        assert "Anna" not in body and "Bogdan" not in body


def test_view_restricted_page_is_not_kept(client, site):
    from wagtail.models import PageViewRestriction

    warm(client, site.a["page"].url)
    PageViewRestriction.objects.create(
        page=site.a["page"], restriction_type=PageViewRestriction.LOGIN
    )
    response = client.get(site.a["page"].url)
    assert response.status_code == 302  # to the sign-in, not the cached page


def test_preview_and_other_page_types_render_as_before(client, site):
    event = make_event(site.events, "Piknik")
    for _ in range(2):
        response = client.get(event.url)
    assert "Piknik" in response.content.decode()
    assert getattr(response.wsgi_request, "_pagecache", None) is None


class TestConditionalFeeds:
    URLS = ("/aktualnosci/rss.xml", "/aktualnosci/atom.xml", "/sitemap.xml")

    @pytest.mark.parametrize("url", URLS)
    def test_if_none_match_is_304_until_a_publish(
        self, client, site, url, django_assert_max_num_queries
    ):
        first = client.get(url)
        assert first.status_code == 200 and first["ETag"]
        with django_assert_max_num_queries(0):
            again = client.get(url, headers={"if-none-match": first["ETag"]})
        assert again.status_code == 304
        make_news(site.news, "Świeża wiadomość")
        after = client.get(url, headers={"if-none-match": first["ETag"]})
        assert after.status_code == 200 and after["ETag"] != first["ETag"]

    @pytest.mark.parametrize("url", URLS)
    def test_if_modified_since_is_304_until_a_publish(self, client, site, url):
        first = client.get(url)
        since = first["Last-Modified"]
        assert client.get(url, headers={"if-modified-since": since}).status_code == 304
        # Last-Modified counts in seconds: the publish comes a minute later.
        later = timezone.now() + datetime.timedelta(minutes=1)
        with time_machine.travel(later, tick=False):
            make_news(site.news, "Świeża wiadomość")
        after = client.get(url, headers={"if-modified-since": since})
        assert after.status_code == 200
        assert after["Last-Modified"] == http_date(int(later.timestamp()))

    def test_the_sitemap_is_dated_by_the_content_version_not_by_its_newest_page(self, client, site):
        """Django's sitemap view sets Last-Modified from the newest page; a version
        bumped a second after that publish must still answer 304 to that date."""
        later = timezone.now() + datetime.timedelta(seconds=5)
        with time_machine.travel(later, tick=False):
            pagecache.content_bump()
        first = client.get("/sitemap.xml")
        assert first["Last-Modified"] == http_date(int(later.timestamp()))
        again = client.get("/sitemap.xml", headers={"if-modified-since": first["Last-Modified"]})
        assert again.status_code == 304

    def test_school_feed_etag_is_its_own(self, client, site, world):
        school = client.get(f"/aktualnosci/{world.a.school.slug}/rss.xml")
        portal = client.get("/aktualnosci/rss.xml")
        assert school["ETag"] != portal["ETag"]


def test_version_is_bumped_after_commit_too(django_capture_on_commit_callbacks):
    before = pagecache.content_version()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        pagecache.content_bump()
    during = pagecache.content_version()
    assert during != before
    for callback in callbacks:
        callback()
    assert pagecache.content_version() not in (before, during)


def test_settings_row_made_on_first_read_keeps_the_version_an_edit_bumps_it(db):
    """Wagtail creates the settings row on its first read, mid-render, with the
    defaults that render used: the version (and Last-Modified) must not move;
    a saved edit must."""
    from portal.models import MunicipalitySettings

    MunicipalitySettings.objects.all().delete()
    before = pagecache.content_version()
    municipality = MunicipalitySettings.load()
    assert pagecache.content_version() == before
    municipality.name = "Gmina Zielona Dolina"
    municipality.save()
    assert pagecache.content_version() != before
