"""Feeds, sitemap, robots.txt, search, the contact form's spam protection and
rich-text sanitising."""

import time
from xml.etree import ElementTree

import pytest

from django.core import mail

from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter
from wagtail.contrib.forms.models import FormSubmission
from wagtail.rich_text import RichText

from cms.blocks import RICH_TEXT_FEATURES
from cms.models import NewsPage
from cms.spam import HONEYPOT_FIELD, TIMESTAMP_FIELD, make_token
from tests.factories.cms import make_news

pytestmark = pytest.mark.django_db


class TestFeeds:
    def test_portal_rss_has_every_school(self, client, site):
        make_news(site.a["news"], "Z A", tags=["sport"])
        make_news(site.b["news"], "Z B")
        response = client.get("/aktualnosci/rss.xml")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/rss+xml")
        channel = ElementTree.fromstring(response.content).find("channel")
        titles = [item.findtext("title") for item in channel.findall("item")]
        assert set(titles) == {"Z A", "Z B"}
        assert channel.find("item/category") is not None

    def test_school_feed_has_only_that_school(self, client, site, world):
        make_news(site.a["news"], "Z A")
        make_news(site.b["news"], "Z B")
        response = client.get(f"/aktualnosci/{world.a.school.slug}/atom.xml")
        assert response.status_code == 200
        root = ElementTree.fromstring(response.content)
        ns = {"a": "http://www.w3.org/2005/Atom"}
        assert [e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)] == [
            "Z A"
        ]

    def test_unknown_school_is_404(self, client, site):
        assert client.get("/aktualnosci/nie-ma/rss.xml").status_code == 404

    def test_drafts_are_not_in_feeds(self, client, site):
        make_news(site.news, "Szkic").unpublish()
        assert b"Szkic" not in client.get("/aktualnosci/atom.xml").content


def test_sitemap_and_robots(client, site):
    item = make_news(site.a["news"], "W mapie")
    sitemap = client.get("/sitemap.xml")
    assert sitemap.status_code == 200
    assert item.url.encode() in sitemap.content
    robots = client.get("/robots.txt").content.decode()
    assert "Disallow: /cms-admin/" in robots and "sitemap.xml" in robots


class TestSearch:
    def test_finds_live_pages_and_links_to_the_library(self, client, site):
        make_news(site.a["news"], "Konkurs ortograficzny", lead="Dyktando dla klas")
        make_news(site.b["news"], "Mecz siatkówki", lead="Sport").unpublish()
        response = client.get("/szukaj/", {"q": "ortograficzny"})
        assert response.status_code == 200
        assert [p.title for p in response.context["page_obj"]] == ["Konkurs ortograficzny"]
        assert "/biblioteka/?q=ortograficzny" in response.content.decode()
        response = client.get("/szukaj/", {"q": "siatkówki"})
        assert list(response.context["page_obj"]) == []

    def test_diacritics_are_optional(self, client, site):
        make_news(site.a["news"], "Ślubowanie pierwszoklasistów", lead="Uroczystość w szkole")
        item = NewsPage.objects.get(title="Ślubowanie pierwszoklasistów")
        item.body = [("paragraph", RichText("<p>Przysięga przy sztandarze</p>"))]
        item.save_revision().publish()
        queries = ["slubowanie", "Ślubowanie", "pierwszoklasistow", "uroczystosc"]
        for query in [*queries, "przysięga", "przysiega", "sztandarze"]:
            response = client.get("/szukaj/", {"q": query})
            titles = [p.title for p in response.context["page_obj"]]
            assert titles == ["Ślubowanie pierwszoklasistów"], query

    def test_empty_query_lists_nothing(self, client, site):
        response = client.get("/szukaj/")
        assert response.status_code == 200
        assert list(response.context["page_obj"]) == []

    @pytest.mark.parametrize(
        "query",
        [
            '"',
            "'\"<>",
            "*",
            "konkurs AND",
            "NOT konkurs",
            "konkurs OR ortograficzny*",
            "NEAR(konkurs ortograficzny)",
            "title:konkurs",
            "konkurs & !ortograficzny | (x <-> y):*",
            "50%",
        ],
    )
    def test_search_syntax_is_no_server_error(self, client, site, query):
        """Quotes, brackets and operators were FTS5 or tsquery syntax: a 500 (issue 11)."""
        make_news(site.a["news"], "Konkurs ortograficzny", lead="Dyktando dla klas")
        assert client.get("/szukaj/", {"q": query}).status_code == 200

    @pytest.mark.parametrize(
        "query", ['"konkurs', "konkurs)", "^konkurs", '"konkurs ortograficzny"', "(ortograficzny*)"]
    )
    def test_the_words_between_the_signs_are_searched(self, client, site, query):
        make_news(site.a["news"], "Konkurs ortograficzny", lead="Dyktando dla klas")
        response = client.get("/szukaj/", {"q": query})
        assert [p.title for p in response.context["page_obj"]] == ["Konkurs ortograficzny"]

    def test_search_bounded_queries(self, client, site, django_assert_max_num_queries):
        for n in range(15):
            make_news(site.news, f"Lekcja {n}", lead="Matematyka w praktyce")
        with django_assert_max_num_queries(15):
            response = client.get("/szukaj/", {"q": "matematyka"})
        assert response.context["page_obj"].paginator.count == 15


@pytest.mark.postgres
def test_search_on_postgres(client, site, settings):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL full-text search backend is exercised on PostgreSQL only")
    make_news(site.news, "Zielona szkoła", lead="Wyjazd klas czwartych")
    response = client.get("/szukaj/", {"q": "zielona"})
    assert [p.title for p in response.context["page_obj"]] == ["Zielona szkoła"]


class TestContactForm:
    def post(self, client, page, *, started=None, honeypot="", **extra):
        data = {
            "imie": "Anna Nowak",
            "wiadomosc": "Kiedy zaczyna się rekrutacja?",
            HONEYPOT_FIELD: honeypot,
            TIMESTAMP_FIELD: make_token(started if started is not None else time.time() - 10),
            **extra,
        }
        return client.post(page.url, data)

    def test_a_person_can_send_a_message(self, client, site):
        response = self.post(client, site.contact)
        assert response.status_code == 200
        assert "contact_form_page_landing" in response.templates[0].name
        submission = FormSubmission.objects.get(page=site.contact)
        assert submission.form_data == {
            "imie": "Anna Nowak",
            "wiadomosc": "Kiedy zaczyna się rekrutacja?",
        }
        assert len(mail.outbox) == 1 and "Anna Nowak" in mail.outbox[0].body

    def test_the_form_renders_the_protection_fields(self, client, site):
        body = client.get(site.contact.url).content.decode()
        assert f'name="{HONEYPOT_FIELD}"' in body and f'name="{TIMESTAMP_FIELD}"' in body

    def test_honeypot_blocks(self, client, site):
        response = self.post(client, site.contact, honeypot="http://spam.example")
        assert response.status_code == 200
        assert response.context["form"].errors
        assert not FormSubmission.objects.exists()

    def test_too_fast_blocks(self, client, site):
        response = self.post(client, site.contact, started=time.time())
        assert response.context["form"].non_field_errors()
        assert not FormSubmission.objects.exists()

    def test_forged_or_missing_token_blocks(self, client, site):
        response = self.post(client, site.contact, **{TIMESTAMP_FIELD: "forged"})
        assert response.context["form"].non_field_errors()
        assert not FormSubmission.objects.exists()

    def test_rate_limit(self, client, site, settings):
        settings.CMS_FORM_RATE_LIMIT = (2, 600)
        assert self.post(client, site.contact).status_code == 200
        assert self.post(client, site.contact).status_code == 200
        response = self.post(client, site.contact)
        assert response.status_code == 429
        assert FormSubmission.objects.count() == 2
        # What the person typed is kept in the form.
        assert "Kiedy zaczyna się rekrutacja?" in response.content.decode()


def test_rich_text_is_limited_and_sanitised():
    assert "image" not in RICH_TEXT_FEATURES and "embed" not in RICH_TEXT_FEATURES
    paragraph = NewsPage.body.field.stream_block.child_blocks["paragraph"]
    assert paragraph.features == RICH_TEXT_FEATURES
    converter = ContentstateConverter(RICH_TEXT_FEATURES)
    pasted = (
        '<p style="color:red" onclick="x()">Tekst <b>pogrubiony</b> <script>alert(1)</script>'
        '<img src="x"/><span class="big">koniec</span></p><h1>Nagłówek</h1>'
    )
    cleaned = converter.to_database_format(converter.from_database_format(pasted))
    assert "<script" not in cleaned and "onclick" not in cleaned and "style=" not in cleaned
    assert "<img" not in cleaned and "<h1" not in cleaned
    assert "<b>pogrubiony</b>" in cleaned


class TestIcal:
    def test_portal_and_school_calendars(self, client, site, world):
        import datetime as dt

        from django.utils import timezone

        from tests.factories.cms import make_event

        day = timezone.localdate() + dt.timedelta(days=5)
        make_event(
            site.a["events"],
            "Zebranie, klasy 1–3; sala 12",
            start_date=day,
            start_time=dt.time(17, 0),
            place="Sala 12",
        )
        make_event(site.b["events"], "Piknik rodzinny " + "bardzo długi tytuł " * 5)
        body = client.get("/wydarzenia/kalendarz.ics").content.decode()
        assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
        assert body.count("BEGIN:VEVENT") == 2
        assert "SUMMARY:Zebranie\\, klasy 1–3\\; sala 12" in body
        assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
        winter = timezone.localtime(
            timezone.make_aware(dt.datetime.combine(day, dt.time(17, 0)))
        ).astimezone(dt.UTC)
        assert f"DTSTART:{winter:%Y%m%dT%H%M%SZ}" in body
        school_body = client.get(f"/wydarzenia/{world.a.school.slug}/kalendarz.ics")
        assert school_body["Content-Type"].startswith("text/calendar")
        assert school_body.content.decode().count("BEGIN:VEVENT") == 1
        assert client.get("/wydarzenia/nie-ma/kalendarz.ics").status_code == 404
        assert "kalendarz.ics" in client.get(site.events.url).content.decode()


def test_public_urls_for_every_role(client, site, world, editors, login):
    """Public pages look the same to everyone; nobody gets an error."""
    item = make_news(site.a["news"], "Dla wszystkich")
    urls = [
        "/",
        site.news.url,
        site.a["page"].url,
        item.url,
        site.events.url,
        site.contact.url,
        "/szukaj/?q=wszystkich",
        "/aktualnosci/rss.xml",
        "/wydarzenia/kalendarz.ics",
        "/sitemap.xml",
    ]
    people = [None, world.a.pupil, world.a.guardian, world.b.teacher, world.officer]
    people += [editors.a, editors.moderator, world.superuser]
    for person in people:
        client.logout()
        if person is not None:
            login(person)
        for url in urls:
            assert client.get(url).status_code == 200, (person, url)
