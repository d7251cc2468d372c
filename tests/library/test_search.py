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


def test_each_field_finds_its_own_words_and_a_plain_search_finds_them_all(marc_record):
    """A word stored under one field's marker (authors, subjects, series) or in
    the title's column is found by that field's search alone, in every form, and
    by a plain search wherever it is."""
    load(
        marc_record("Zamki", control="title"),
        marc_record("Album", author="Zamek, Jan", control="author"),
        marc_record("Almanach", subjects=["Zamki"], control="subject"),
        marc_record("Atlas", series="Zamki Polski", control="series"),
        marc_record("Przewodnik", summary="O zamkach.", control="notes"),
        marc_record("Inne", author="Nowak, Anna", subjects=["Pałace"], control="other"),
    )
    everywhere = {"Zamki", "Album", "Almanach", "Atlas", "Przewodnik"}
    for typed in ("zamek", "zamkow", "Zamkach"):
        assert set(titles(Query(q=typed))) == everywhere, typed
        assert titles(Query(title=typed)) == ["Zamki"], typed
        assert titles(Query(author=typed)) == ["Album"], typed
        assert titles(Query(subject=typed)) == ["Almanach"], typed
        assert titles(Query(series=typed)) == ["Atlas"], typed
    # fields combined: each word where it is asked for
    assert titles(Query(q="zamek", author="nowak")) == []
    assert titles(Query(q="palace", author="nowak")) == ["Inne"]
    assert titles(Query(title="zamek", subject="zamek")) == []


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


BROAD = 2100  # above the 2,000 hits where counts used to stop and facets sampled


def bulk_catalogue(size: int, *, word: str = "Las") -> None:
    """`size` small records holding `word` in the title, written straight into
    the index tables (an import of thousands would make the test slow): subject
    A or B by parity, genre on every third, a decade by i % 4, one record in
    five English."""
    from library.indexing import KEY_COLUMNS, SEARCH_COLUMNS, insert_rows
    from library.models import FacetValue, Record, SearchDocument
    from portal.search.analysis import analyzer

    keys = " ".join(sorted(analyzer().index_keys(word, "pol")))
    first = Record.objects.count()
    records = Record.objects.bulk_create(
        Record(marc={}, title=f"{word} {first + i}") for i in range(size)
    )
    insert_rows(
        SearchDocument,
        SEARCH_COLUMNS,
        [
            {
                **dict.fromkeys(KEY_COLUMNS, ""),
                "record_id": r.pk,
                "title_keys": keys,
                "folded": r.title.lower(),
                "title_norm": r.title.lower(),
                "author_norm": "",
                "author_norm_alt": "",
                "sort_title": r.title.lower(),
                "year": 1970 + 10 * (i % 4),
                "language": "eng" if i % 5 == 0 else "pol",
                "material": "book",
                "school_id_value": None,
                # the same facets as the FacetValue rows below
                "counted_facets": "\x1f".join(["s" + "AB"[i % 2]] + (["gG"] if i % 3 == 0 else [])),
            }
            for i, r in enumerate(records)
        ],
    )
    FacetValue.objects.bulk_create(
        [FacetValue(record=r, kind="subject", value="AB"[i % 2]) for i, r in enumerate(records)]
        + [FacetValue(record=r, kind="genre", value="G") for r in records[::3]]
    )


def test_counts_and_facets_are_exact_above_two_thousand_hits():
    bulk_catalogue(BROAD)
    results = search(Query(q="las"))
    assert results.count() == BROAD
    facets = results.facets()
    assert dict(facets["subject"]) == {"A": BROAD // 2, "B": BROAD // 2}
    assert dict(facets["genre"]) == {"G": BROAD // 3}
    assert dict(facets["language"]) == {"pol": BROAD - BROAD // 5, "eng": BROAD // 5}
    decades = {str(1970 + 10 * k): BROAD // 4 + (k < BROAD % 4) for k in range(4)}
    assert dict(facets["year"]) == decades
    assert dict(facets["material"]) == {"book": BROAD}
    narrowed = search(Query(q="las", selected={"subject": ["A"], "language": ["eng"]}))
    assert narrowed.count() == len([i for i in range(BROAD) if i % 2 == 0 and i % 5 == 0])


def test_the_count_and_facets_are_one_statement_that_does_not_grow_with_hits(
    django_assert_num_queries,
):
    bulk_catalogue(3, word="Bór")
    bulk_catalogue(BROAD)
    for q, hits in (("bór", 3), ("las", BROAD)):
        results = search(Query(q=q))
        with django_assert_num_queries(2):  # a summary stored ahead? no: one statement
            facets = results.facets()
            assert results.count() == hits
        assert sum(n for _v, n in facets["material"]) == hits
        with django_assert_num_queries(1):
            assert search(Query(q=q)).count() == hits


def test_a_broad_search_pages_by_relevance_past_two_thousand(marc_record):
    bulk_catalogue(BROAD)
    load(marc_record("Las"))
    results = search(Query(q="las"))
    assert results.count() == BROAD + 1
    assert results[0:1][0].title == "Las"
    last = results[BROAD : BROAD + 1]
    assert len(last) == 1 and last[0].title != "Las"


def test_counts_and_facets_are_cached_until_the_catalogue_changes(
    marc_record, django_assert_num_queries
):
    from django.core.cache import cache

    cache.clear()
    bulk_catalogue(3)
    first = search(Query(q="las"))
    first.facets()
    assert first.count() == 3
    again = search(Query(q="las", sort="title"))  # another page or order: the same hits
    with django_assert_num_queries(0):
        again.facets()
        assert again.count() == 3
    load(marc_record("Las"))  # an index write: a new catalogue version
    with django_assert_num_queries(2):  # the stored summaries, then the count
        fresh = search(Query(q="las"))
        fresh.facets()
        assert fresh.count() == 4


def test_facet_counts_equal_a_brute_force_count_of_the_records(marc_record):
    """Imported records with several subjects and genres each: every facet value's
    count (the top ones shown, ties broken by value) equals a count made by hand
    over the records the search finds, and the ones not shown count no more."""
    import random
    from collections import Counter

    rng = random.Random(17)
    subjects = ["Historia", "Wojna", "Łódź", "Ogrody", "Śląsk", "Ptaki", "Żeglarstwo", "Góry"]
    subjects += [f"Temat {n}" for n in range(20)]
    genres = ["Powieść", "Poradnik", "Album", "Bajki"]
    records = []
    for n in range(120):
        chosen = rng.sample(subjects, rng.randint(0, 4))
        records.append(
            marc_record(
                f"Zamek {n}" if n % 3 else f"Pałac {n}",
                subjects=chosen,
                genre=rng.choice(genres) if n % 4 else "",
                year=1900 + rng.randint(0, 120),
                lang=rng.choice(["pol", "eng", "ger"]),
                control=f"bf{n}",
            )
        )
    load(*records)
    results = search(Query(q="zamek"))
    facets = results.facets(limit=5)
    found = [r for r in records if r["245"]["a"].startswith("Zamek")]
    assert results.count() == len(found) == 80

    def expected(values) -> list[tuple[str, int]]:
        counts = Counter(values)
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:5]

    subject_values = [f["a"] for r in found for f in r.get_fields("650")]
    genre_values = [f["a"] for r in found for f in r.get_fields("655")]
    decades = [str(int(r["008"].data[7:11]) // 10 * 10) for r in found]
    languages = [r["008"].data[35:38] for r in found]
    assert facets["subject"] == expected(subject_values)
    assert facets["genre"] == expected(genre_values)
    assert facets["year"] == expected(decades)
    assert facets["language"] == expected(languages)
