"""Page types: tree rules, rendering, the news and event listings."""

import datetime

import pytest

from django.core.exceptions import ValidationError
from django.utils import timezone

from wagtail.models import Page, Site

from cms.models import (
    ContactFormPage,
    ContentPage,
    EventPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    SchoolPage,
)
from cms.services import home_page_ensure
from tests.factories.cms import make_event, make_image, make_news

pytestmark = pytest.mark.django_db

# Measured: home 21, news index 20 queries; the bound must not move with the data.
QUERY_LIMIT = 22
SCHOOL_QUERY_LIMIT = 30


def test_home_page_replaces_the_welcome_page_as_site_root(db):
    assert Page.objects.filter(depth=2).count() == 1  # Wagtail's welcome page
    home = home_page_ensure(title="Portal")
    site = Site.objects.get(is_default_site=True)
    assert site.root_page_id == home.pk
    assert list(Page.objects.filter(depth=2)) == [home.page_ptr]
    assert home_page_ensure().pk == home.pk  # idempotent


class TestTreeRules:
    def test_allowed_parents(self, site):
        assert HomePage.can_create_at(site.home) is False  # only one, at the root
        assert SchoolPage.can_create_at(site.home)
        assert not SchoolPage.can_create_at(site.a["page"])
        assert NewsIndexPage.can_create_at(site.home)
        assert NewsIndexPage.can_create_at(site.a["page"])
        assert not NewsPage.can_create_at(site.home)
        assert not NewsPage.can_create_at(site.a["page"])
        assert NewsPage.can_create_at(site.a["news"])
        assert EventPage.can_create_at(site.events)
        assert not EventPage.can_create_at(site.news)
        assert ContentPage.can_create_at(site.content)
        assert ContactFormPage.can_create_at(site.a["page"])

    def test_leaf_pages_have_no_children(self, site):
        assert NewsPage.allowed_subpage_models() == []
        assert EventPage.allowed_subpage_models() == []
        assert ContactFormPage.allowed_subpage_models() == []

    def test_news_page_takes_its_school_from_the_section(self, site, world):
        item = make_news(site.a["news"], "W szkole", school=world.b.school)
        assert item.school == world.a.school
        portal_item = make_news(site.news, "Gminne", school=world.b.school)
        assert portal_item.school == world.b.school

    def test_image_needs_alt_text(self, site):
        page = NewsPage(title="X", slug="x", lead="L", image=make_image(), image_alt=" ")
        with pytest.raises(ValidationError) as error:
            page.clean()
        assert "image_alt" in error.value.message_dict

    def test_event_cannot_end_before_it_starts(self):
        today = timezone.localdate()
        page = EventPage(
            title="E", slug="e", start_date=today, end_date=today - datetime.timedelta(days=1)
        )
        with pytest.raises(ValidationError) as error:
            page.clean()
        assert "end_date" in error.value.message_dict

    def test_date_falls_back_to_first_publication(self, site):
        item = make_news(site.news, "Bez daty")
        assert item.display_date == timezone.localdate(item.first_published_at)
        dated = make_news(site.news, "Z datą", date=datetime.date(2026, 9, 1))
        assert dated.display_date == datetime.date(2026, 9, 1)


class TestRendering:
    def test_every_page_type_renders(self, client, site, world):
        image = make_image()
        news = make_news(site.a["news"], "Konkurs matematyczny", tags=["konkursy"], image=image)
        event = make_event(site.a["events"], "Dzień otwarty", place="aula")
        pages = [
            site.home,
            site.news,
            site.events,
            site.a["page"],
            site.a["news"],
            site.a["events"],
            news,
            event,
            site.content,
            site.contact,
        ]
        for page in pages:
            response = client.get(page.url)
            assert response.status_code == 200, page
            assert page.title in response.content.decode()

    def test_home_shows_news_events_directory_and_quick_links(self, client, site, world):
        make_news(site.a["news"], "Nowość ze szkoły A")
        make_event(site.events, "Koncert gminny")
        body = client.get("/").content.decode()
        assert "Nowość ze szkoły A" in body
        assert "Koncert gminny" in body
        assert world.a.school.name in body and world.b.school.address in body
        assert 'href="/biblioteka/"' in body
        assert "/konto/login/" in body

    def test_an_event_reads_o_godz(self, client, site):
        make_event(site.events, "Zebranie z rodzicami", start_time=datetime.time(17, 0))
        body = " ".join(client.get(site.events.url).content.decode().split())
        assert "o godz. 17:00" in body
        assert "data 17:00" not in body  # the project catalogue's "at" (a column) won before

    def test_school_page_uses_the_school_record(self, client, site, world):
        world.a.school.headteacher = "mgr Jan Dyrektorski"
        world.a.school.save()
        body = client.get(site.a["page"].url).content.decode()
        assert world.a.school.street in body
        assert "mgr Jan Dyrektorski" in body
        assert f"/biblioteka/?library={world.a.school.pk}" in body

    def test_news_page_has_meta_breadcrumbs_and_open_graph(self, client, site):
        item = make_news(site.a["news"], "Wycieczka", image=make_image())
        item.search_description = "Opis do wyszukiwarek"
        item.save_revision().publish()
        body = client.get(item.url).content.decode()
        assert '<meta name="description" content="Opis do wyszukiwarek">' in body
        assert '<meta property="og:title" content="Wycieczka">' in body
        assert 'property="og:image"' in body
        assert 'aria-label="Breadcrumbs"' in body or "breadcrumbs" in body
        assert 'alt="Opis zdjęcia"' in body and "srcset=" in body

    def test_unpublished_pages_are_not_listed(self, client, site):
        item = make_news(site.news, "Szkic")
        item.unpublish()
        assert "Szkic" not in client.get(site.news.url).content.decode()
        assert client.get(item.url).status_code == 404


class TestNewsListing:
    def test_filters_by_school_and_tag(self, client, site, world):
        make_news(site.a["news"], "Sport w A", tags=["sport"])
        make_news(site.b["news"], "Sport w B", tags=["sport"])
        make_news(site.b["news"], "Kultura w B", tags=["kultura"])
        body = client.get(site.news.url, {"szkola": world.b.school.slug}).content.decode()
        assert "Sport w B" in body and "Kultura w B" in body and "Sport w A" not in body
        body = client.get(site.news.url, {"tag": "sport"}).content.decode()
        assert "Sport w A" in body and "Sport w B" in body and "Kultura w B" not in body

    def test_school_index_lists_only_its_school(self, client, site):
        make_news(site.a["news"], "Tylko A")
        make_news(site.b["news"], "Tylko B")
        body = client.get(site.a["news"].url).content.decode()
        assert "Tylko A" in body and "Tylko B" not in body

    def test_paginated_newest_first(self, client, site):
        today = timezone.localdate()
        for n in range(12):
            make_news(site.news, f"Wiadomość {n:02d}", date=today - datetime.timedelta(days=n))
        response = client.get(site.news.url)
        items = list(response.context["page_obj"])
        assert len(items) == 10
        assert items[0].title == "Wiadomość 00"
        second = client.get(site.news.url, {"page": 2}).context["page_obj"]
        assert [i.title for i in second] == ["Wiadomość 10", "Wiadomość 11"]


class TestCalendar:
    def test_upcoming_month_and_archive(self, client, site, world):
        today = timezone.localdate()
        make_event(site.events, "Przyszły koncert", start_date=today + datetime.timedelta(days=2))
        make_event(site.a["events"], "Dawny piknik", start_date=today - datetime.timedelta(days=20))
        body = client.get(site.events.url).content.decode()
        assert "Przyszły koncert" in body and "Dawny piknik" not in body
        body = client.get(site.events.url, {"archiwum": "1"}).content.decode()
        assert "Dawny piknik" in body and "Przyszły koncert" not in body
        past_month = (today - datetime.timedelta(days=20)).strftime("%Y-%m")
        body = client.get(site.events.url, {"miesiac": past_month}).content.decode()
        assert "Dawny piknik" in body

    def test_filter_by_school_and_bad_month(self, client, site, world):
        make_event(site.a["events"], "Impreza A")
        make_event(site.b["events"], "Impreza B")
        body = client.get(site.events.url, {"szkola": world.a.school.slug}).content.decode()
        assert "Impreza A" in body and "Impreza B" not in body
        assert client.get(site.events.url, {"miesiac": "zly"}).status_code == 200


def test_query_counts_do_not_grow(client, site, django_assert_max_num_queries):
    limits = {
        "/": QUERY_LIMIT,
        site.news.url: QUERY_LIMIT,
        site.a["page"].url: SCHOOL_QUERY_LIMIT,
    }

    def check():
        for url, limit in limits.items():
            client.get(url)  # renditions are created on the first render
            with django_assert_max_num_queries(limit):
                assert client.get(url).status_code == 200

    image = make_image()
    for n in range(3):
        make_news(site.a["news"], f"A{n}", tags=["t1", "t2"], image=image)
        make_event(site.b["events"], f"E{n}")
    check()
    for n in range(12):
        make_news(site.a["news"], f"B{n}", tags=[f"t{n}"], image=make_image(f"i{n}"))
        make_event(site.a["events"], f"F{n}")
    check()
