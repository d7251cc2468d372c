"""Junk in the catalogue search (issue 11): `library` and the decade facet beyond
a 64-bit column were OverflowErrors on SQLite; quotes and operators must stay
words to FTS5 and tsquery (the catalogue builds its expressions from its own word
keys). The same on SQLite and PostgreSQL."""

import pytest

from django.urls import reverse

from tests.factories.library import record_create

pytestmark = pytest.mark.django_db

SEARCH = reverse("library:search")


@pytest.fixture
def records():
    return [
        record_create("Żółw i zając", author="Brzechwa, Jan", year=1999),
        record_create("Turtles of the world", author="Smith, John", year=2001, lang="eng"),
    ]


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "'\"<>",
        '"zolw',
        "zolw)",
        "zolw AND NOT zajac",
        "zolw OR",
        "NEAR(zolw zajac)",
        "title:zolw",
        "^zolw*",
        "zolw & !zajac | (x <-> y):*",
        "50%",
        "\\",
    ],
)
def test_search_syntax_is_no_server_error(client, records, query):
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    export = client.get(reverse("library:results_export", args=["ris"]), {"q": query})
    assert export.status_code in (200, 404)  # 404: no words, nothing to export


@pytest.mark.parametrize("query", ['"zolw', "zolw)", "^zolw*", '"zolw i zajac"', "(zając)"])
def test_the_words_between_the_signs_are_searched(client, records, query):
    response = client.get(SEARCH, {"q": query})
    assert [r.title for r in response.context["records"]] == ["Żółw i zając"]


@pytest.mark.parametrize("value", ["99999999999999999999", "abc", "-1", "²"])
def test_a_library_that_is_no_id_is_a_form_error_in_polish(client, records, value):
    response = client.get(SEARCH, {"q": "zolw", "library": value})
    assert response.status_code == 200
    assert "Wybierz jedną z podanych możliwości." in response.text


@pytest.mark.parametrize("value", ["99999999999999999999", "abc", "-10", "²", "19 90"])
def test_a_decade_that_is_no_decade_is_ignored(client, records, value):
    response = client.get(SEARCH, {"q": "zolw", "f_year": value})
    assert response.status_code == 200
    assert [r.title for r in response.context["records"]] == ["Żółw i zając"]


def test_a_decade_facet_still_filters(client, records):
    response = client.get(SEARCH, {"q": "zolw turtles", "f_year": "2000"})
    assert response.context["total"] == 0
    response = client.get(SEARCH, {"author": "smith", "f_year": "2000"})
    assert [r.title for r in response.context["records"]] == ["Turtles of the world"]
