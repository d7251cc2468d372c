"""Broad queries computed ahead (library.summaries): the stored count, facets and
first ranked ids are exactly what the search computes, they survive a cleared
cache, and any change of the index or the copies (import, edit, copy write)
makes the search count again until the next import or reindex stores them anew."""

import io

import pytest

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from library import editor, marc, services
from library.importing import import_stream
from library.models import SearchSummary
from library.search import Query, search
from library.summaries import RANKED_IDS, common_terms, store_summaries, warm_common_queries
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def load(*records):
    return import_stream(io.BytesIO(marc.to_binary(records)), "marc")


@pytest.fixture
def forest(marc_record):
    """Records holding "las" in the title, the subjects or the notes, so the
    relevance tiers and the field weights all take part in the order."""
    load(
        *[
            marc_record(f"Opowieść {i:02}", summary="Wspomnienia z lasu.", subjects=["Las"])
            for i in range(6)
        ],
        *[marc_record(f"Las {i}", subjects=["Drzewa", "Las"], year=1980 + i) for i in range(5)],
        marc_record("Lasy Polski", summary="Las i lasy.", lang="pol"),
        marc_record("Ptaki", author="Las, Jan", subjects=["Ptaki"], lang="eng"),
        marc_record("Morze", subjects=["Morze"]),
    )


def live(query: Query):
    """What the search computes with nothing stored or cached."""
    results = search(query)
    total, facets = results._summary(12)
    return total, facets, results._page(0, RANKED_IDS)


def test_a_stored_summary_is_what_the_search_computes(forest, django_assert_num_queries):
    query = Query(q="las")
    expected_total, expected_facets, expected_ids = live(query)
    assert store_summaries([query]) == 1
    cache.clear()  # a cleared cache keeps the stored summary: it lives in the database
    results = search(query)
    with django_assert_num_queries(1):  # the stored summary, nothing counted or ranked
        facets = results.facets()
        assert results.count() == expected_total == 13
        assert results.ids(0, 5) == expected_ids[:5]
        assert results.ids(5, 20) == expected_ids[5:25]
    assert facets == expected_facets
    assert dict(facets["language"]) == {"pol": 12, "eng": 1}


def test_other_orders_and_filters_are_not_served_from_the_stored_ranking(forest):
    store_summaries([Query(q="las")])
    by_title = search(Query(q="las", sort="title"))
    by_title.facets()  # the same hits: the stored count and facets serve
    assert by_title.count() == 13
    titles = [r.title for r in by_title[0:13]]
    assert titles == sorted(titles, key=str.lower)
    narrowed = search(Query(q="las", language="eng"))
    narrowed.facets()
    assert narrowed.count() == 1


@pytest.mark.parametrize("change", ["import", "edit", "copy"])
def test_a_change_of_the_catalogue_makes_the_search_count_again(
    forest, marc_record, world, change, django_assert_num_queries
):
    from library.circulation.models import Copy
    from library.models import Record
    from tests.factories.circulation import copy_create

    store_summaries([Query(q="las")])
    if change == "import":
        load(marc_record("Las nowy"))
        expected = 14
    elif change == "edit":
        record = Record.objects.get(title="Morze")
        text = editor.to_text(marc.from_stored(record.marc)).replace("Morze", "Las nad morzem")
        cataloguer = UserFactory(is_superuser=True)
        services.record_save_marc(user=cataloguer, text=text, record=record)
        expected = 14
    else:
        copy_create(Record.objects.get(title="Las 0"), world.a.school)
        expected = 13
    cache.clear()
    results = search(Query(q="las"))
    with django_assert_num_queries(2):  # the stored summary is stale: counted again
        facets = results.facets()
    assert results.count() == expected
    if change == "copy":
        assert dict(facets["holding"]) == {world.a.school.short_name: 1}
        Copy.objects.all().update(status=Copy.Status.WITHDRAWN)
        results = search(Query(q="las"))
        assert results.facets()["holding"] == []


def test_a_large_import_and_a_reindex_store_the_commonest_words(marc_record, settings):
    settings.LIBRARY_ANALYZE_AFTER_RECORDS = 5
    settings.LIBRARY_WARM_MIN_RECORDS = 4
    settings.LIBRARY_WARM_QUERIES = 10
    load(
        *[marc_record(f"Las {i}", subjects=["Drzewa"]) for i in range(4)],
        marc_record("Morze", subjects=["Drzewa"]),
    )
    assert common_terms(4, 10) == ["drzewa", "las"]
    assert sorted(SearchSummary.objects.values_list("query", flat=True)) == ["drzewa", "las"]
    cache.clear()
    results = search(Query(q="drzewa"))
    results.facets()
    assert results._ranked is not None and results.count() == 5

    load(marc_record("Las 9"))  # too small to store anything: the summaries go stale
    cache.clear()
    results = search(Query(q="las"))
    results.facets()
    assert results._ranked is None and results.count() == 5

    from library.indexing import rebuild_search_index

    rebuild_search_index()
    cache.clear()
    results = search(Query(q="las"))
    results.facets()
    assert results._ranked is not None and results.count() == 5
    assert warm_common_queries() == 2
    assert SearchSummary.objects.count() == 2  # summaries of older versions are gone


def test_common_word_pairs_are_stored_as_typed_and_as_a_phrase(marc_record, settings):
    settings.LIBRARY_WARM_MIN_RECORDS = 3
    load(
        *[marc_record(f"Stany Zjednoczone {i}", subjects=["Ameryka"]) for i in range(3)],
        marc_record("Zjednoczone stany", subjects=["Ameryka"]),
    )
    assert common_terms(3, 10) == ["ameryka", "stany", "zjednoczone", "stany zjednoczone"]
    assert common_terms(4, 2) == ["ameryka", "stany"]
    warm_common_queries()
    for q, hits in (("stany zjednoczone", 4), ('"stany zjednoczone"', 3)):
        cache.clear()
        results = search(Query(q=q))
        results.facets()
        assert results._ranked is not None and results.count() == hits
        assert results.ids(0, 10) == search(Query(q=q))._page(0, 10)


def test_the_results_page_of_a_stored_query_takes_the_same_queries_at_any_size(marc_record, client):
    """The page of a stored query reads the summary and the page's records; the
    number of queries does not grow with the hits, and the page is the one the
    search computes."""
    client.get(reverse("library:search"), {"q": "morze"})  # the site's own first-request reads
    counts = []
    for size in (3, 12):
        load(*[marc_record(f"Las {size}-{i}", subjects=["Drzewa"]) for i in range(size)])
        store_summaries([Query(q="las")])
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("library:search"), {"q": "las"})
        assert page.status_code == 200
        counts.append(len(queries))
        assert not [q for q in queries.captured_queries if "ORDER BY CASE" in q["sql"]]
        first = search(Query(q="las"))._page(0, 1)[0]
        assert f"/biblioteka/rekord/{first}/" in page.text
    assert counts[0] == counts[1]


def test_the_task_worker_computes_stale_summaries_again(forest, world):
    """A copy written (as a loan or a new copy would) makes the stored summary
    stale; the periodic job stores it again, under the new version, with the
    copy in its facets, and does nothing while every summary is current."""
    from library.catalogue_version import stored_catalogue_version
    from library.models import Record
    from library.summaries import refresh_stale_summaries
    from library.tasks import refresh_search_summaries
    from portal.registry import periodic_jobs
    from tests.factories.circulation import copy_create

    assert "library_search_summaries" in {job.key for job in periodic_jobs()}
    store_summaries([Query(q="las"), Query(q='"lasy polski"')])
    assert refresh_stale_summaries() == 0  # nothing stale
    copy_create(Record.objects.get(title="Las 0"), world.a.school)
    refresh_search_summaries.enqueue()  # the task (run at once by the test backend)
    stored = SearchSummary.objects.order_by("query")
    assert [s.query for s in stored] == ['"lasy polski"', "las"]
    assert {s.version for s in stored} == {stored_catalogue_version()}
    cache.clear()
    results = search(Query(q="las"))
    with CaptureQueriesContext(connection) as queries:
        facets = results.facets()
    assert len(queries) == 1  # served from the stored summary again
    assert dict(facets["holding"]) == {world.a.school.short_name: 1}
    assert (results.count(), facets) == live(Query(q="las"))[:2]


def test_the_refresh_command_for_cron(forest, world):
    from django.core.management import call_command

    from library.models import Record
    from tests.factories.circulation import copy_create

    store_summaries([Query(q="las")])
    out = io.StringIO()
    call_command("refresh_search_summaries", stdout=out)
    assert out.getvalue().startswith("Stored 0 searches again")
    copy_create(Record.objects.get(title="Las 0"), world.a.school)
    call_command("refresh_search_summaries", stdout=out)
    assert "Stored 1 searches again" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_summaries_are_computed_on_two_connections_and_are_the_same(
    marc_record, settings, monkeypatch
):
    """PostgreSQL outside a transaction: the summaries are shared between two
    connections (the server's work on both cores) and are the ones one connection
    stores; inside a transaction or on SQLite, one connection (the others would
    not see what is not committed). An import's tables are analysed on another
    connection meanwhile, in the same way."""
    import threading

    from library import summaries

    settings.LIBRARY_WARM_MIN_RECORDS = 2
    load(
        *[marc_record(f"Stany Zjednoczone {i}", subjects=["Ameryka"]) for i in range(3)],
        *[marc_record(f"Morze {i}", subjects=["Morze", "Ameryka"]) for i in range(2)],
    )
    threads = []
    store = summaries._store

    def spy(queries, version):
        threads.append(threading.get_ident())
        return store(queries, version)

    def stored():
        return sorted(SearchSummary.objects.values_list("query", "total", "facets", "ranked_ids"))

    monkeypatch.setattr(summaries, "_store", spy)
    monkeypatch.setattr(summaries, "SUMMARY_CONNECTIONS", 1)
    assert warm_common_queries() == 8
    alone = stored()
    assert len(threads) == 1
    SearchSummary.objects.all().delete()
    threads.clear()

    monkeypatch.setattr(summaries, "SUMMARY_CONNECTIONS", 2)
    assert warm_common_queries() == 8
    assert stored() == alone
    assert [q for q, *_rest in alone] == sorted(
        [
            *["ameryka", "morze", "stany", "zjednoczone"],
            *["morze ameryka", '"morze ameryka"', "stany zjednoczone", '"stany zjednoczone"'],
        ]
    )
    if connection.vendor == "postgresql":
        assert len(set(threads)) == 2 and threading.get_ident() not in threads
    else:
        assert threads == [threading.get_ident()]

    # inside a transaction the other connections would not see it: this one alone
    from django.db import transaction

    threads.clear()
    with transaction.atomic():
        assert warm_common_queries() == 8
    assert threads == [threading.get_ident()]

    # a connection that cannot be had (a small pool): all of them on this one
    from django.db import OperationalError

    def no_connection(func, *args):
        raise OperationalError("couldn't get a connection after 10.00 sec")

    on_own_connection = summaries._on_own_connection
    monkeypatch.setattr(summaries, "_on_own_connection", no_connection)
    SearchSummary.objects.all().delete()
    threads.clear()
    assert warm_common_queries() == 8
    assert stored() == alone
    assert threads == [threading.get_ident()]

    # an import's tables are analysed while the terms are counted: on another
    # connection on PostgreSQL, on this one elsewhere or when there is no other
    from library.models import FacetValue, SearchDocument

    analysed = []
    analyze = summaries.analyze_tables

    def analyze_spy(models):
        analysed.append((threading.get_ident(), list(models)))
        return analyze(models)

    monkeypatch.setattr(summaries, "analyze_tables", analyze_spy)
    assert warm_common_queries(analyze=[SearchDocument]) == 8
    assert analysed == [(threading.get_ident(), [SearchDocument])]  # no other connection
    monkeypatch.setattr(summaries, "_on_own_connection", on_own_connection)
    analysed.clear()
    assert warm_common_queries(analyze=[SearchDocument, FacetValue]) == 8
    assert stored() == alone
    [(thread, models)] = analysed
    assert models == [SearchDocument, FacetValue]
    assert (thread != threading.get_ident()) is (connection.vendor == "postgresql")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL"
                " AND relname IN ('library_searchdocument', 'library_facetvalue')"
            )
            assert len(cursor.fetchall()) == 2


def test_common_terms_count_each_record_once_and_pairs_only_of_adjacent_words(marc_record):
    # "las" and "pies" in four records; the pair "las pies" in two (twice in the
    # first, counted once), broken by a short word or a number in the others; "pies
    # las" in one; the folded text runs on from the title into the subjects
    load(
        marc_record("Las pies las pies", subjects=["Ogród"]),
        marc_record("Las pies", subjects=["Ogród"]),
        marc_record("Las w pies 12", subjects=["Ogród"]),
        marc_record("Las 1999 pies"),
    )
    assert common_terms(3, 10) == ["las", "pies", "ogrod"]
    assert common_terms(2, 10) == ["las", "pies", "ogrod", "las pies", "pies ogrod"]
    assert common_terms(2, 3) == ["las", "pies", "ogrod"]


def test_articles_and_conjunctions_are_not_common_terms_alone_or_in_pairs(marc_record):
    load(
        *[marc_record("The forest and the river", subjects=["Forests"]) for _i in range(3)],
        marc_record("Las dla dzieci"),
        marc_record("Las dla dzieci"),
    )
    assert common_terms(3, 10) == ["forest", "forests", "river", "river forests"]
    # "las" is a Polish word (forest) before it is a Spanish article
    assert {"dzieci", "las"} <= set(common_terms(2, 10))
    assert not {"the", "and", "dla", "the forest", "forest and", "las dla"} & set(
        common_terms(2, 20)
    )


def test_a_large_catalogue_counts_its_common_terms_in_an_even_sample(marc_record, monkeypatch):
    from library import summaries
    from library.models import SearchDocument

    load(*[marc_record(f"Tytuł {i}") for i in range(8)])
    # every fourth record (by id) holds "rzeka", the others "las"
    for row in SearchDocument.objects.all():
        row.folded = "rzeka" if row.record_id % 4 == 0 else "las"
        row.save(update_fields=["folded"])
    assert common_terms(2, 10) == ["las", "rzeka"]  # 8 rows: all counted
    monkeypatch.setattr(summaries, "COUNT_SAMPLE", 2)  # 8 rows: every fourth record
    assert common_terms(2, 10) == ["rzeka"]  # 2 sampled of 2 needed (8 / 4, rounded up)
    assert common_terms(9, 10) == []  # 3 needed of the 2 sampled
