"""Relevance (issue 17): field-weighted scores (title > authors and subjects >
series and notes > the rest) after tiers that put exact titles, the query as a
phrase in the title and titles holding every word first. The suite runs on SQLite
and PostgreSQL with the same expected orders, so each test here is also a check
that both databases rank alike."""

import io

import pytest

from library import marc
from library.importing import import_stream
from library.search import Query, search

pytestmark = pytest.mark.django_db


def load(*records):
    return import_stream(io.BytesIO(marc.to_binary(records)), "marc")


def titles(query, stop=50):
    return [r.title for r in search(query)[0:stop]]


def test_a_title_hit_ranks_above_a_notes_only_hit(marc_record):
    load(
        marc_record("Przewodnik po regionie", summary="Opis zamków i pałaców.", control="n"),
        marc_record("Zamki nad Wisłą", control="t"),
    )
    assert titles(Query(q="zamek")) == ["Zamki nad Wisłą", "Przewodnik po regionie"]


def test_fields_weigh_title_then_subject_then_notes(marc_record):
    load(
        marc_record("Album", summary="Ptaki Polski.", control="notes"),
        marc_record("Almanach", subjects=["Ptaki Polski"], control="subject"),
        marc_record("Ptaki", control="title"),
    )
    assert titles(Query(q="ptaki")) == ["Ptaki", "Almanach", "Album"]


def test_series_weigh_as_notes_above_a_title_word_elsewhere(marc_record):
    load(
        marc_record("Atlas", series="Ptaki Polski", control="series"),
        marc_record("Almanach", subjects=["Ptaki Polski"], control="subject"),
    )
    assert titles(Query(q="ptaki")) == ["Almanach", "Atlas"]


def test_exact_title_then_phrase_then_every_word_in_the_title(marc_record):
    load(
        marc_record("Karpackie zamki i pałace", control="phrase"),
        marc_record("Zamek karpacki", control="words"),
        marc_record("Karpackie zamki", control="exact"),
        marc_record("Podróże", subjects=["Zamki karpackie"], control="subject"),
    )
    assert titles(Query(q="karpackie zamki")) == [
        "Karpackie zamki",
        "Karpackie zamki i pałace",
        "Zamek karpacki",
        "Podróże",
    ]


def test_a_broad_word_shows_the_titles_holding_it_on_the_first_page(marc_record):
    """Thirty records mention the word in their notes and sort before the titles
    alphabetically; the three whose title holds it still open the first page."""
    load(
        *[
            marc_record(f"Aaa opowieść {i:02}", summary="Wspomnienia z lasu.", control=f"n{i}")
            for i in range(30)
        ],
        marc_record("Zielony las", control="t1"),
        marc_record("W lesie", control="t2"),
        marc_record("Lasy Polski", control="t3"),
    )
    first_page = titles(Query(q="las"), stop=20)
    assert set(first_page[:3]) == {"Zielony las", "W lesie", "Lasy Polski"}
    assert first_page[3:] == [f"Aaa opowieść {i:02}" for i in range(17)]  # ties: by title


def test_equal_scores_are_ordered_by_title_then_record(marc_record):
    load(*[marc_record("Bajki", control=f"b{i}") for i in range(3)], marc_record("Bajki i baśnie"))
    results = search(Query(q="bajki"))
    ids = results.ids(0, 10)
    assert ids[:3] == sorted(ids[:3])
    assert [r.title for r in results[0:4]] == ["Bajki", "Bajki", "Bajki", "Bajki i baśnie"]


def test_pages_from_the_upper_tiers_first_are_the_pages_of_the_one_pass_order(
    marc_record, django_assert_num_queries
):
    """Relevance pages in two passes (the upper tiers first, the whole hit set only
    when they do not fill the page); every page is what the one-pass order gives."""
    load(
        *[marc_record(f"Opowieść {i:02}", summary="Wspomnienia z lasu.") for i in range(8)],
        marc_record("Las", control="t0"),
        marc_record("Zielony las", control="t1"),
        marc_record("W lesie", control="t2"),
        marc_record("Lasy Polski", summary="Las i lasy.", control="t3"),
        marc_record("Ptaki", author="Las, Jan", control="a1"),
    )
    results = search(Query(q="las"))
    whole = results._page(0, 50)
    assert len(whole) == 13
    for offset in range(14):
        for limit in (1, 3, 5, 20):
            assert results.ids(offset, limit) == whole[offset : offset + limit]
    with django_assert_num_queries(1):  # a page within the upper tiers: one pass
        results.ids(0, 3)
