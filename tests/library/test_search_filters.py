"""The year, language and material filters with words (issue 17, 250k: a word with
a year range and a language). On PostgreSQL they are keys of the row's tsvector
(migration 0012) AND-ed into the full-text expression; elsewhere, and where no key
fits (an open or wide year range, an odd value), column conditions. Both must find
exactly the records the plain column conditions find."""

import io
import itertools

import pytest

from django.db import connection

from library import marc
from library.importing import import_stream
from library.search import MAX_YEAR_KEYS, Compiled, Query, _year_keys, search

pytestmark = pytest.mark.django_db

LANGUAGES = ("pol", "eng", "ger")
BOOK, MANUSCRIPT = "00000nam a2200000 a 4500", "00000ntm a2200000 a 4500"


@pytest.fixture
def shelf(marc_record):
    """33 records about castles, one a year 1979-2011, languages and materials in
    turn, and one with no year; plus records without the word."""
    rows = {}
    records = []
    for n, year in enumerate(range(1979, 2012)):
        language = LANGUAGES[n % 3]
        material = "manuscript" if n % 4 == 0 else "book"
        control = f"z{year}"
        records.append(
            marc_record(
                f"Zamek numer {n}",
                year=year,
                lang=language,
                leader=MANUSCRIPT if material == "manuscript" else BOOK,
                control=control,
            )
        )
        rows[control] = (year, language, material)
    records.append(marc_record("Zamki bez daty", year="    ", control="znone"))
    rows["znone"] = (None, "pol", "book")
    records.append(marc_record("Las", year=1995, control="las"))
    import_stream(io.BytesIO(marc.to_binary(records)), "marc")
    return rows


def found(query: Query) -> set[str]:
    results = search(query)
    return {record.control_number for record in results[0 : results.count()]}


def expected(rows, *, year_from=None, year_to=None, language="", material="", decade=None):
    return {
        control
        for control, (year, lang, mat) in rows.items()
        if (not year_from or (year is not None and year >= year_from))
        and (not year_to or (year is not None and year <= year_to))
        and (not language or lang == language)
        and (not material or mat == material)
        and (decade is None or (year is not None and decade <= year < decade + 10))
    }


def test_year_keys_cover_the_range_with_whole_decades():
    assert _year_keys(1990, 2000) == ["zzd199", "zzy2000"]
    assert _year_keys(1988, 2001) == ["zzy1988", "zzy1989", "zzd199", "zzy2000", "zzy2001"]
    assert _year_keys(1995, 1995) == ["zzy1995"]
    assert _year_keys(1900, 1999) == [f"zzd{d}" for d in range(190, 200)]
    # open, reversed or too wide: the column conditions apply
    assert _year_keys(1990, None) is None
    assert _year_keys(None, 2000) is None
    assert _year_keys(2001, 2000) is None
    assert _year_keys(1000, 2026) is None
    assert len(_year_keys(1901, 2019)) == 9 + 11 <= MAX_YEAR_KEYS  # 1901-1909, 1910s-2010s


@pytest.mark.parametrize(
    "year_from,year_to",
    [
        (1990, 2000),
        (1988, 2001),
        (1995, 1995),
        (1979, 2011),
        (1980, 1989),
        (1990, None),
        (None, 1985),
        (2005, 1990),
        (1000, 2026),
        (2012, 2020),
    ],
)
@pytest.mark.parametrize("language", ["", "eng", "pol"])
def test_a_year_range_and_a_language_find_what_the_columns_find(
    shelf, year_from, year_to, language
):
    query = Query(q="zamek", year_from=year_from, year_to=year_to, language=language)
    assert found(query) == expected(shelf, year_from=year_from, year_to=year_to, language=language)


def test_materials_and_decade_facets_find_what_the_columns_find(shelf):
    for material, decade, language in itertools.product(
        ["", "manuscript", "book"], [None, 1980, 1990, 2000], ["", "ger"]
    ):
        selected = {"year": [str(decade)]} if decade is not None else {}
        query = Query(q="zamek", material=material, language=language, selected=selected)
        assert found(query) == expected(
            shelf, material=material, decade=decade, language=language
        ), (material, decade, language)
    # the facet links choose a language and a material the same way
    query = Query(q="zamek", selected={"language": ["eng"], "material": ["manuscript"]})
    assert found(query) == expected(shelf, language="eng", material="manuscript")


def test_odd_values_and_filters_without_words_still_work(shelf):
    assert found(Query(q="zamek", language="ENG")) == set()  # as typed, as before
    assert found(Query(q="zamek", selected={"year": ["5"]})) == set()
    # no words: the filters alone, on the columns
    assert found(Query(year_from=1990, year_to=1999, language="eng")) == expected(
        shelf, year_from=1990, year_to=1999, language="eng"
    )
    assert "las" in found(Query(year_from=1995, year_to=1995))


def test_the_counts_and_facets_agree_with_the_hits(shelf):
    results = search(Query(q="zamek", year_from=1990, year_to=2000, language="eng"))
    hits = expected(shelf, year_from=1990, year_to=2000, language="eng")
    assert results.count() == len(hits)
    facets = results.facets()
    assert dict(facets["language"]) == {"eng": len(hits)}
    assert sum(n for _value, n in facets["year"]) == len(hits)


@pytest.mark.postgres
def test_postgresql_asks_the_index_for_the_filters(shelf):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    compiled = Compiled(
        Query(q="zamek", year_from=1990, year_to=2000, language="eng", material="book")
    )
    assert "d.year" not in compiled.where and "d.language" not in compiled.where
    assert "d.material" not in compiled.where
    expression = compiled.params[0]
    for key in ("zzd199", "zzy2000", "zzleng", "zzmbook"):
        assert key in expression
    # ranking scores the words alone
    assert "zzleng" not in compiled.rank_params[0]
    # an open range stays a column condition
    assert "d.year >= %s" in Compiled(Query(q="zamek", year_from=1990)).where
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.vector::text FROM library_searchdocument d"
            " JOIN library_record r ON r.id = d.record_id WHERE r.control_number = 'z1995'"
        )
        vector = cursor.fetchone()[0]
    for key in ("zzy1995", "zzd199", "zzleng", "zzmmanuscript"):  # 1995: n = 16
        assert f"'{key}'" in vector
