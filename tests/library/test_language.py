"""`lang` on foreign-language catalogue data (issue 14, WCAG 3.1.2): titles and
statements in the record's MARC language, subject headings in their thesaurus'
language, on every page that shows them."""

import gzip

import pytest
from bs4 import BeautifulSoup

from django.test import Client
from django.urls import reverse

from library import marc
from library.circulation import services
from library.demo import DEMO_DATA
from library.languages import NOT_A_LANGUAGE, bcp47, foreign, thesaurus_language
from library.models import ReadingListItem, TopicEntry
from tests.factories.circulation import card, copy_create
from tests.factories.library import reading_list_create, record_create, topic_create

pytestmark = pytest.mark.django_db


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def lang_of(page: BeautifulSoup, text: str) -> str | None:
    """The `lang` in force on the element whose own text is `text` (nearest ancestor
    with the attribute, up to <html>)."""
    node = page.find(string=lambda s: s and s.strip() == text)
    assert node is not None, text
    for parent in node.parents:
        if parent.has_attr("lang"):
            return parent["lang"]
    return None


@pytest.mark.parametrize(
    ("code", "tag"),
    [
        ("eng", "en"),
        ("ger", "de"),
        ("fre", "fr"),
        ("spa", "es"),
        ("rus", "ru"),
        ("ukr", "uk"),
        ("ita", "it"),
        ("cze", "cs"),
        ("lat", "la"),
        ("chi", "zh"),
        ("dut", "nl"),
        ("ENG", "en"),
        ("deu", "de"),  # the ISO 639-2/T form some catalogues write
        ("scr", "hr"),  # a discontinued MARC code
        ("grc", "grc"),  # no two-letter code: the three letters are the tag
        ("mul", ""),
        ("und", ""),
        ("zxx", ""),
        ("xyz", ""),
        ("", ""),
    ],
)
def test_marc_language_codes_become_bcp47(code, tag):
    assert bcp47(code) == tag


def test_polish_is_the_page_language_and_a_romanised_title_is_latn():
    assert foreign("pol") == "" and foreign("eng") == "en"
    assert foreign("rus", "Voĭna i mir") == "ru-Latn"
    assert foreign("rus", "Война и мир") == "ru"


def test_every_language_of_the_demo_catalogue_has_a_tag():
    codes = set()
    with gzip.open(DEMO_DATA / "loc-excerpt.mrc.gz") as stream:
        for item in marc.read_binary(stream):
            if item.record is not None:
                codes.add(marc.describe(item.record)["language"])
    unmapped = {c for c in codes if c and c not in NOT_A_LANGUAGE and not bcp47(c)}
    assert not unmapped
    assert {"eng", "ger", "spa", "fre"} <= codes


def test_thesaurus_languages():
    assert thesaurus_language("0") == "en"  # LCSH
    assert thesaurus_language("2") == "en"  # MeSH
    assert thesaurus_language("7", "lcsh") == "en"
    assert thesaurus_language("7", "DBN") == "pl"
    assert thesaurus_language("4") == ""
    assert thesaurus_language("7", "local") == ""


@pytest.fixture
def english():
    return record_create(
        "The Siamese cat",
        lang="eng",
        responsibility="by Joanne Mattern",
        lcsh=["Siamese cat"],
        dbn=["Koty"],
        subjects=["Zwierzęta domowe"],
    )


@pytest.fixture
def polish():
    return record_create("Kot w butach", lang="pol", lcsh=["Cats -- Juvenile fiction"])


def test_record_page(client, english, polish):
    page = soup(client.get(english.get_absolute_url()))
    assert page.h1["lang"] == "en"
    assert lang_of(page, "by Joanne Mattern") == "en"
    assert lang_of(page, "Siamese cat") == "en"  # LCSH
    assert lang_of(page, "Koty") == "pl"  # DBN: the page's own language
    assert lang_of(page, "Zwierzęta domowe") == "pl"  # 650 _4: nothing said, no lang
    assert page.html["lang"] == "pl"

    page = soup(client.get(polish.get_absolute_url()))
    assert not page.h1.has_attr("lang")
    assert lang_of(page, "Cats -- Juvenile fiction") == "en"  # English headings of a Polish book


def test_results_list_and_facets(client, english, polish):
    page = soup(client.get(reverse("library:search"), {"q": "cat"}))
    assert lang_of(page, "The Siamese cat") == "en"
    assert lang_of(page, "by Joanne Mattern") == "en"
    facets = page.find(id="facets")
    link = facets.find("a", string="Siamese cat")
    assert link["lang"] == "en"
    assert not facets.find("a", string="Koty").has_attr("lang")

    page = soup(client.get(reverse("library:search"), {"q": "kot"}))
    assert lang_of(page, "Kot w butach") == "pl"


def test_kiosk_results(client, english):
    client.get(reverse("circulation:kiosk"))
    page = soup(client.get(reverse("library:search"), {"q": "siamese"}))
    assert lang_of(page, "The Siamese cat") == "en"


def test_reading_list_and_subject_index(client, world, english):
    reading_list = reading_list_create(world.a.school)
    ReadingListItem.objects.create(reading_list=reading_list, record=english)
    page = soup(client.get(reading_list.get_absolute_url()))
    assert lang_of(page, "The Siamese cat") == "en"

    topic = topic_create(world.a.school, name="Koty")
    TopicEntry.objects.create(topic=topic, record=english)
    page = soup(client.get(topic.get_absolute_url()))
    assert lang_of(page, "The Siamese cat") == "en"


def test_subject_browse(client, english, polish):
    page = soup(client.get(reverse("library:subjects"), {"letter": "S"}))
    assert lang_of(page, "Siamese cat") == "en"
    page = soup(client.get(reverse("library:subjects"), {"letter": "K"}))
    assert lang_of(page, "Koty") == "pl"


def test_reader_account(world, english):
    copy = copy_create(english, world.a.school)
    services.loan_checkout(
        user=world.a.librarian,
        school=world.a.school,
        card_number=card(world.a.pupil),
        barcode=copy.barcode,
    )
    client = Client()
    client.force_login(world.a.pupil)
    page = soup(client.get(reverse("circulation:account")))
    assert lang_of(page, "The Siamese cat") == "en"
