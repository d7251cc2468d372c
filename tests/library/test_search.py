import io

import pytest

from django.db import connection

from library import marc
from library.importing import import_stream
from library.search import Query, did_you_mean, search

pytestmark = pytest.mark.django_db


def load(*records):
    return import_stream(io.BytesIO(marc.to_binary(records)), "marc")


@pytest.fixture
def catalogue(marc_record):
    load(
        marc_record(
            "Żółw i zając",
            author="Brzechwa, Jan",
            subjects=["Zwierzęta"],
            year=1999,
            genre="Bajki",
            ukd="821.162.1-93",
            isbn="83-04-04663-6",
            control="a1",
        ),
        marc_record(
            "Książka o Krakowie",
            author="Nowak, Anna",
            subjects=["Kraków -- historia"],
            year=2010,
            control="a2",
        ),
        marc_record(
            "Książki dla dzieci",
            author="Kowalska, Ewa",
            subjects=["Literatura dziecięca"],
            year=2015,
            genre="Bajki",
            control="a3",
        ),
        marc_record(
            "Turtles of the world",
            author="Smith, John",
            subjects=["Turtles"],
            lang="eng",
            year=2001,
            control="a4",
        ),
        marc_record(
            "Zając", author="Zając, Piotr", subjects=["Zwierzęta"], year=2020, control="a5"
        ),
    )


def titles(query):
    return [r.title for r in search(query)[0:50]]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("zolw", {"Żółw i zając"}),
        ("ŻÓŁW", {"Żółw i zając"}),
        ("ksiazki", {"Książka o Krakowie", "Książki dla dzieci"}),
        ("książek", {"Książka o Krakowie", "Książki dla dzieci"}),
        ("krakow", {"Książka o Krakowie"}),
        ("Kraków", {"Książka o Krakowie"}),
        ("turtles", {"Turtles of the world"}),
        ("brzechwa zolw", {"Żółw i zając"}),
        ('"zolw i zajac"', {"Żółw i zając"}),
        ("9788304046634", {"Żółw i zając"}),
        ("83-04-04663-6", {"Żółw i zając"}),
        ("978-83-04-04663-4", {"Żółw i zając"}),
        ("nicniema", set()),
    ],
)
def test_polish_search(catalogue, typed, expected):
    assert set(titles(Query(q=typed))) == expected


def test_exact_title_first(catalogue):
    assert titles(Query(q="zając"))[0] == "Zając"


def test_advanced_fields_and_filters(catalogue):
    assert titles(Query(author="zajac")) == ["Zając"]
    assert titles(Query(title="zajac", sort="title")) == ["Zając", "Żółw i zając"]
    assert set(titles(Query(subject="zwierzeta"))) == {"Zając", "Żółw i zając"}
    assert titles(Query(ukd="821.162")) == ["Żółw i zając"]
    assert titles(Query(year_from=2010, year_to=2015, sort="year")) == [
        "Książka o Krakowie",
        "Książki dla dzieci",
    ]
    assert titles(Query(language="eng")) == ["Turtles of the world"]
    assert titles(Query(isbn="8304046636")) == ["Żółw i zając"]


def test_facet_counts(catalogue):
    facets = search(Query(q="")).facets()
    assert ("Bajki", 2) in facets["genre"]
    assert ("Zwierzęta", 2) in facets["subject"]
    assert dict(facets["language"]) == {"pol": 4, "eng": 1}
    assert dict(facets["year"])["2010"] == 2
    narrowed = search(Query(selected={"genre": ["Bajki"]}))
    assert narrowed.count() == 2
    assert dict(narrowed.facets()["subject"]) == {"Zwierzęta": 1, "Literatura dziecięca": 1}


def test_did_you_mean_from_own_vocabulary(catalogue):
    assert search(Query(q="brzehwa")).count() == 0
    assert did_you_mean("brzehwa") == "brzechwa"
    assert did_you_mean("qqqqq") == ""


def test_searchable_the_moment_it_is_saved(marc_record):
    load(marc_record("Nowość"))
    assert titles(Query(q="nowosc")) == ["Nowość"]


@pytest.mark.postgres
def test_postgres_uses_gin_tsvector(catalogue):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'library_searchdocument_vector'"
        )
        assert "gin" in cursor.fetchone()[0].lower()


def test_decomposed_unicode_is_searchable(marc_record):
    load(marc_record("Enigma tajemnica drugiej wojny s\u0301wiatowej", control="nfd"))
    assert titles(Query(q="wojny swiatowej")) == ["Enigma tajemnica drugiej wojny s\u0301wiatowej"]
    assert titles(Query(q="światowa")) == ["Enigma tajemnica drugiej wojny s\u0301wiatowej"]


def test_broad_searches_are_capped_with_exact_title_first(marc_record, monkeypatch):
    from library.search import Results

    monkeypatch.setattr(Results, "CAP", 5)
    monkeypatch.setattr(Results, "FACET_SAMPLE", 5)
    load(*[marc_record(f"Las numer {i}", control=f"las{i}") for i in range(8)], marc_record("Las"))
    results = search(Query(q="las"))
    assert results.count() == 5 and results.is_capped
    page = [r.title for r in results[0:3]]
    assert page[0] == "Las"
    assert page[1:] == ["Las numer 0", "Las numer 1"]
    assert [r.title for r in results[3:5]] == ["Las numer 2", "Las numer 3"]
    assert sum(n for _v, n in results.facets()["language"]) == 5
