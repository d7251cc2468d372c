"""The accessibility statement (deklaracja dostępności): the minister's structure
with its element ids, editable parts, a fixed address, and the demo seed."""

import datetime
import random
from html.parser import HTMLParser

import pytest

from django.core.exceptions import ValidationError
from django.utils import timezone

from cms.demo import CmsSeeder
from cms.statement import STATEMENT_SLUG, AccessibilityStatementPage
from portal.demo import DemoContext
from tests.factories.cms import publish

pytestmark = pytest.mark.django_db

# The ids monitoring tools look for (the minister's list, with the parts that the
# 2024 version 2.0 of the structure adds: a11y-zakres, a11y-komunikacja).
REQUIRED_IDS = (
    "a11y-deklaracja",
    "a11y-wstep",
    "a11y-podmiot",
    "a11y-zakres",
    "a11y-url",
    "a11y-data-publikacja",
    "a11y-data-aktualizacja",
    "a11y-status",
    "a11y-data-sporzadzenie",
    "a11y-kontakt",
    "a11y-osoba",
    "a11y-email",
    "a11y-telefon",
    "a11y-procedura",
    "a11y-architektura",
    "a11y-komunikacja",
    "a11y-aplikacje",
)
# Present only when the body has them: an external auditor, a review, an analysis
# of disproportionate burden.
OPTIONAL_IDS = ("a11y-audytor", "a11y-data-przeglad", "a11y-ocena")


class Elements(HTMLParser):
    """Every element with an id: its tag and attributes."""

    def __init__(self, html):
        super().__init__()
        self.by_id: dict[str, list[tuple[str, dict]]] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.by_id.setdefault(attrs["id"], []).append((tag, attrs))


def statement(parent, **fields):
    values = {
        "title": "Deklaracja dostępności",
        "slug": "cokolwiek",
        "body_name": "Gmina Testowa",
        "published_on": datetime.date(2026, 9, 1),
        "updated_on": datetime.date(2026, 11, 30),
        "status": AccessibilityStatementPage.Status.PARTIAL,
        "inaccessible_content": "<ul><li>Pliki PDF kart bibliotecznych nie mają tagów.</li></ul>",
        "prepared_on": datetime.date(2026, 12, 1),
        "coordinator_name": "Anna Kowalska",
        "coordinator_email": "dostepnosc@example.org",
        "coordinator_phone": "+48 12 345 67 89",
        "complaints_to": "Wójt Gminy Testowej, ul. Rynek 1, 00-001 Testowo",
        "architecture": "<p>Wejście z poziomu chodnika.</p>",
        "communication": "<p>Tłumacz PJM po zgłoszeniu.</p>",
        "mobile_apps": "<p>Gmina nie ma aplikacji mobilnych.</p>",
    }
    values.update(fields)
    return publish(parent, AccessibilityStatementPage(**values))


class TestRendering:
    def test_every_required_id_once_and_anonymous(self, client, site):
        statement(site.home)
        response = client.get("/deklaracja-dostepnosci/")
        assert response.status_code == 200
        ids = Elements(response.content.decode()).by_id
        for element_id in REQUIRED_IDS:
            assert len(ids.get(element_id, [])) == 1, element_id
        assert ids["a11y-deklaracja"][0][0] == "h1"
        for element_id in OPTIONAL_IDS:
            assert element_id not in ids

    def test_the_parts_carry_the_values(self, client, site):
        statement(site.home)
        html = client.get("/deklaracja-dostepnosci/").content.decode()
        ids = Elements(html).by_id
        assert ids["a11y-data-publikacja"][0] == (
            "time",
            {"id": "a11y-data-publikacja", "datetime": "2026-09-01"},
        )
        assert ids["a11y-data-aktualizacja"][0][1]["datetime"] == "2026-11-30"
        assert ids["a11y-data-sporzadzenie"][0][1]["datetime"] == "2026-12-01"
        assert ids["a11y-email"][0][1]["href"] == "mailto:dostepnosc@example.org"
        assert ids["a11y-telefon"][0][1]["href"] == "tel:+48123456789"
        assert ids["a11y-url"][0][1]["href"] == "http://testserver/"
        assert '<span id="a11y-podmiot">Gmina Testowa</span> zobowiązuje się' in html
        assert "jest <strong>częściowo zgodna</strong> z ustawą" in html
        assert "Pliki PDF kart bibliotecznych" in html
        assert "Rzecznika Praw Obywatelskich" in html

    def test_optional_parts_appear_when_filled_in(self, client, site):
        statement(
            site.home,
            assessment=AccessibilityStatementPage.Assessment.EXTERNAL,
            auditor="Fundacja Audytowa",
            reviewed_on=datetime.date(2027, 3, 1),
            burden_analysis_url="/dokumenty/analiza.pdf",
        )
        ids = Elements(client.get("/deklaracja-dostepnosci/").content.decode()).by_id
        assert ids["a11y-data-przeglad"][0][1]["datetime"] == "2027-03-01"
        assert ids["a11y-ocena"][0] == ("a", {"id": "a11y-ocena", "href": "/dokumenty/analiza.pdf"})
        assert "a11y-audytor" in ids

    def test_a_school_has_its_own_statement_for_its_section(self, client, site, world):
        statement(site.a["page"], body_name=world.a.school.name)
        response = client.get(f"/{world.a.school.slug}/deklaracja-dostepnosci/")
        ids = Elements(response.content.decode()).by_id
        assert ids["a11y-url"][0][1]["href"] == f"http://testserver/{world.a.school.slug}/"

    def test_english_labels(self, client, site):
        statement(site.home)
        client.cookies["django_language"] = "en"
        html = client.get("/deklaracja-dostepnosci/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Handling requests and complaints about accessibility" in html
        # What the body wrote stays Polish, and says so.
        assert '<div class="cms-rich-text" lang="pl">' in html


class TestRules:
    def test_the_address_is_fixed(self, site):
        page = statement(site.home, slug="inna")
        assert page.slug == STATEMENT_SLUG
        assert page.url == "/deklaracja-dostepnosci/"

    def test_one_per_section(self, site):
        assert AccessibilityStatementPage.can_create_at(site.home)
        assert AccessibilityStatementPage.can_create_at(site.a["page"])
        assert not AccessibilityStatementPage.can_create_at(site.news)
        statement(site.home)
        assert not AccessibilityStatementPage.can_create_at(site.home)

    def test_not_compliant_needs_the_list_of_what_is_not_accessible(self, site):
        page = AccessibilityStatementPage(
            title="Deklaracja", status="partial", inaccessible_content="<p> </p>"
        )
        with pytest.raises(ValidationError) as error:
            page.clean()
        assert "inaccessible_content" in error.value.message_dict
        page.status = AccessibilityStatementPage.Status.COMPLIANT
        page.clean()

    def test_an_external_examination_names_the_auditor(self):
        page = AccessibilityStatementPage(
            title="Deklaracja", status="compliant", assessment="external"
        )
        with pytest.raises(ValidationError) as error:
            page.clean()
        assert "auditor" in error.value.message_dict

    def test_dates_in_order(self):
        page = AccessibilityStatementPage(
            title="Deklaracja",
            status="compliant",
            published_on=datetime.date(2026, 9, 2),
            updated_on=datetime.date(2026, 9, 1),
            prepared_on=datetime.date(2026, 9, 2),
            reviewed_on=datetime.date(2026, 9, 1),
        )
        with pytest.raises(ValidationError) as error:
            page.clean()
        assert set(error.value.message_dict) == {"updated_on", "reviewed_on"}


def test_the_demo_seeds_a_complete_statement(client, world):
    ctx = DemoContext(
        rng=random.Random(1),
        scale=1,
        password_hash="!",
        today=timezone.localdate(),
        schools=[world.a.school, world.b.school],
        log=lambda message: None,
    )
    CmsSeeder(ctx).run()
    page = AccessibilityStatementPage.objects.live().get()
    assert page.url == "/deklaracja-dostepnosci/"
    assert page.prepared_on == ctx.today
    html = client.get(page.url).content.decode()
    ids = Elements(html).by_id
    for element_id in REQUIRED_IDS:
        assert len(ids.get(element_id, [])) == 1, element_id
    # A draft without gaps: nothing left for the municipality to fill in.
    for gap in ("[", "TODO", "XXX", "uzupełnić"):
        assert gap not in html.split('id="a11y-deklaracja"')[1].split("</article>")[0]
    CmsSeeder(ctx).run()
    assert AccessibilityStatementPage.objects.count() == 1


def test_a_school_editor_gets_the_form_in_polish(editors, site, login):
    client = login(editors.a)
    response = client.get(
        f"/cms-admin/pages/add/cms/accessibilitystatementpage/{site.a['page'].pk}/"
    )
    assert response.status_code == 200
    html = response.content.decode()
    for label in ("Osoba kontaktowa", "Dostępność architektoniczna", "Treści niedostępne"):
        assert label in html
    for english in ("Contact person", "Architectural accessibility", "compliance status"):
        assert english not in html
    # Another school's section stays closed to this editor.
    refused = client.get(
        f"/cms-admin/pages/add/cms/accessibilitystatementpage/{site.b['page'].pk}/"
    )
    assert refused.status_code in (302, 403, 404)
