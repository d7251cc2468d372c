"""Accessibility of the public portal's pages: headings without skipped levels,
a title of its own for each list and search, and a contact form the browser can
fill in (autocomplete, WCAG 1.3.5)."""

import datetime
import re
from html.parser import HTMLParser

import pytest

from django.utils import timezone

from cms.models import ContactFormField
from tests.factories.cms import make_event, make_news

pytestmark = pytest.mark.django_db


class Headings(HTMLParser):
    """The levels of the headings inside <main>, in document order."""

    def __init__(self, html):
        super().__init__()
        self.levels: list[int] = []
        self._in_main = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self._in_main = True
        elif self._in_main and re.fullmatch(r"h[1-6]", tag):
            self.levels.append(int(tag[1]))

    def handle_endtag(self, tag):
        if tag == "main":
            self._in_main = False


def skipped_levels(html: str) -> list[str]:
    """What is wrong with the heading outline: no h1 first, or a jump down of
    more than one level (h1 -> h3)."""
    levels = Headings(html).levels
    problems = []
    if not levels or levels[0] != 1:
        problems.append(f"starts with {levels[:1]}")
    problems += [
        f"h{before} -> h{after}"
        for before, after in zip(levels, levels[1:], strict=False)
        if after > before + 1
    ]
    return problems


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


@pytest.fixture
def filled(site, world):
    """Every list with something in it: news and events in the portal and a school."""
    today = timezone.localdate()
    for index in (site.news, site.a["news"]):
        for n in range(11):
            make_news(index, f"Wiadomość {n}", date=today - datetime.timedelta(days=n))
    for index in (site.events, site.a["events"]):
        make_event(index, "Wycieczka", start_date=today + datetime.timedelta(days=2))
        make_event(index, "Koncert", start_date=today + datetime.timedelta(days=40))
        make_event(index, "Akademia", start_date=today - datetime.timedelta(days=5))
    return site


def test_no_page_skips_a_heading_level(client, filled, world):
    school = world.a.school.slug
    month = (timezone.localdate() + datetime.timedelta(days=2)).strftime("%Y-%m")
    news = filled.a["news"].get_children().live().first()
    event = filled.events.get_children().live().first()
    urls = [
        "/",
        "/aktualnosci/",
        "/aktualnosci/?page=2",
        f"/aktualnosci/?szkola={school}",
        f"/{school}/",
        f"/{school}/aktualnosci/",
        "/wydarzenia/",
        f"/wydarzenia/?miesiac={month}",
        "/wydarzenia/?archiwum=1",
        f"/{school}/wydarzenia/",
        news.url,
        event.url,
        "/rekrutacja/",
        "/kontakt/",
        "/szukaj/",
        "/szukaj/?q=wiadomość",
    ]
    found = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        problems = skipped_levels(response.content.decode())
        if problems:
            found[url] = problems
    assert found == {}


def test_the_news_index_lists_items_as_h2(client, filled):
    levels = Headings(client.get("/aktualnosci/").content.decode()).levels
    assert levels[:3] == [1, 2, 2]


class TestTitles:
    def test_search_results_name_the_query(self, client, site):
        assert title(client.get("/szukaj/?q=rekrutacja").content.decode()).startswith(
            "Wyniki wyszukiwania: rekrutacja"
        )
        html = client.get("/szukaj/").content.decode()
        assert title(html).startswith("Szukaj w portalu")

    def test_each_list_has_its_own_title(self, client, filled, world):
        school = world.a.school
        titles = [
            title(client.get(url).content.decode())
            for url in (
                "/aktualnosci/",
                "/aktualnosci/?page=2",
                f"/aktualnosci/?szkola={school.slug}",
                f"/{school.slug}/aktualnosci/",
                "/wydarzenia/",
                "/wydarzenia/?archiwum=1",
                f"/{school.slug}/wydarzenia/",
            )
        ]
        assert len(set(titles)) == len(titles), titles
        assert titles[1].startswith("Aktualności – Strona 2 z 3")
        assert titles[2].startswith(f"Aktualności – szkoła {school.short_name}")
        assert titles[3].startswith(f"Aktualności: {school.short_name}")
        assert titles[5].startswith("Wydarzenia – Minione wydarzenia")


class TestContactForm:
    @pytest.fixture
    def contact(self, site):
        page = site.contact
        page.form_fields.all().delete()
        for i, (label, field_type, required, autocomplete) in enumerate(
            [
                ("Imię i nazwisko", "singleline", True, "name"),
                ("E-mail", "email", True, ""),
                ("Telefon", "singleline", False, "tel"),
                ("Wiadomość", "multiline", True, ""),
            ]
        ):
            ContactFormField.objects.create(
                page=page,
                sort_order=i,
                label=label,
                field_type=field_type,
                required=required,
                autocomplete=autocomplete,
            )
        page.save_revision().publish()
        return page

    def inputs(self, html):
        fields = {}
        for tag in re.findall(r"<(?:input|textarea)\b[^>]*>", html):
            name = re.search(r'name="([^"]+)"', tag).group(1)
            fields[name] = tag
        return fields

    def test_autocomplete_tells_the_browser_what_to_fill_in(self, client, contact):
        fields = self.inputs(client.get(contact.url).content.decode())
        assert 'autocomplete="name"' in fields["imie_i_nazwisko"]
        # An e-mail field holds an e-mail address without the editor saying so.
        assert 'autocomplete="email"' in fields["e_mail"]
        assert 'type="email"' in fields["e_mail"]
        assert 'autocomplete="tel"' in fields["telefon"]
        assert 'type="tel"' in fields["telefon"]
        assert "autocomplete" not in fields["wiadomosc"]
        assert 'autocomplete="off"' in fields["website_url"]

    def test_required_fields_are_marked(self, client, contact):
        fields = self.inputs(client.get(contact.url).content.decode())
        for name in ("imie_i_nazwisko", "e_mail", "wiadomosc"):
            assert " required" in fields[name], name
        assert " required" not in fields["telefon"]

    def test_a_message_with_a_phone_number_is_sent(self, client, contact, settings):
        settings.CMS_FORM_MIN_SECONDS = 0
        form_page = client.get(contact.url).content.decode()
        token = re.search(r'name="form_started" value="([^"]+)"', form_page).group(1)
        response = client.post(
            contact.url,
            {
                "imie_i_nazwisko": "Jan Nowak",
                "e_mail": "jan@example.org",
                "telefon": "+48 600 100 200",
                "wiadomosc": "Dzień dobry",
                "form_started": token,
            },
        )
        assert response.status_code == 200
        assert contact.get_submission_class().objects.filter(page=contact).count() == 1
        # The thank-you page is not titled like the form it answers.
        assert title(response.content.decode()).startswith("Wiadomość wysłana – Kontakt")
