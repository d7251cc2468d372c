"""Broad queries computed ahead (issue 17): the count, facets and first ranked
record ids of the searches for the catalogue's commonest words and word pairs,
stored after an import or a reindex (`SearchSummary`), so that the first reader
who types "history" or "united states" does not wait while tens of thousands of
hits are counted, grouped and ranked.

Every figure is exact: a summary is stored under the catalogue version kept in
the database (`catalogue_version.stored_catalogue_version`, read before the
computation starts) and `search.Results.facets` reads it only while that version
is the committed one. Any write to the index or to the copies bumps it in its own
transaction, so a summary never outlives the state it counted. The task worker
computes the stale ones again (`refresh_stale_summaries`, a periodic job every
`LIBRARY_SUMMARIES_REFRESH` seconds): a loan changes the availability facet, and
without it the broad queries would stay slow from the first loan of the day
until the next import."""

from __future__ import annotations

import contextlib
import json
import logging
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from itertools import repeat

from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import F

from .catalogue_version import stored_catalogue_version
from .indexing import analyze_tables
from .models import SearchDocument, SearchSummary
from .search import FACET_LIMIT, Query, search

logger = logging.getLogger(__name__)

# First record ids by relevance kept per summary: the first pages of the list.
RANKED_IDS = 100
# PostgreSQL, outside a transaction: the summaries are computed on this many
# connections at once. Each is the server's work (counting, grouping and ranking
# thousands of hits); one connection kept one core busy while the import's other
# core sat idle (250,000 records: 115 summaries, 16.7 s on one connection, 8-10 s on
# two). With the pool, the task worker then holds four connections: its own, the
# heartbeat thread's and these threads' two (docs/operations.md).
SUMMARY_CONNECTIONS = min(2, settings.CPU_CORES)


# Articles, conjunctions and the commonest prepositions of three letters or more
# (folded) in the catalogue's main languages: not what readers search for alone,
# and a pair with one of them ("history and", "and the") is only a piece of a title.
# Left out of the common terms, they would have been their dearest summaries (at
# 250,000 records "the" and "and" are in 78,000 and 109,000 records: 1.1 and 0.9 s
# each, a sixth of all the summaries' time); a search for one of them alone is
# counted when a reader asks (then cached like any other).
FUNCTION_WORDS = frozenset(
    " ".join(
        [
            "the and for with from into upon about",  # English
            "der die das des dem den und von mit fur zur zum bei aus ein eine einer",  # German
            "les une pour par sur dans aux avec",  # French
            "del los una por para con della delle dei degli per dos",  # Spanish, Italian ...
            "dla oraz przez pod nad przy lub czy jak ale",  # Polish
        ]
    ).split()
)
# Above this many search rows the common terms are counted in an even sample of
# them (every k-th record id): at 250,000 records counting them all took 3.0 s at
# the end of an import. A term's count in the sample stands for its share of the
# catalogue: only which terms are computed ahead depends on it, never a figure
# a reader sees (each summary is counted exactly).
COUNT_SAMPLE = 50_000


def common_terms(min_records: int, limit: int) -> list[str]:
    """The words and two-word sequences (folded, as the search row's `folded`
    text holds them: title, names, subjects, series) found in at least
    `min_records` records, commonest first (ties alphabetically), at most `limit`.
    Words shorter than three letters, numbers and FUNCTION_WORDS are left out:
    they are not what readers search by. In a catalogue of more than COUNT_SAMPLE
    records the counts are those of an even sample, scaled."""
    texts = SearchDocument.objects.values_list("folded", flat=True)
    step = SearchDocument.objects.count() // COUNT_SAMPLE
    if step > 1:
        texts = texts.alias(sampled=F("record_id") % step).filter(sampled=0)
        min_records = max(1, -(-min_records // step))  # rounded up
    # The words first; then only the pairs of two common words: a pair is in no more
    # records than either of its words (counting every pair of 250,000 records,
    # 2 million of them, took most of the time).
    words: Counter[str] = Counter()
    count_each = words.update
    for folded in texts.iterator(chunk_size=5000):
        count_each(set(folded.split()))
    counts = {
        w: n
        for w, n in words.items()
        if n >= min_records and len(w) >= 3 and w.isalpha() and w not in FUNCTION_WORDS
    }
    pairs: Counter[str] = Counter()
    if counts:
        for folded in texts.iterator(chunk_size=5000):
            found = folded.split()
            pairs.update(
                {
                    f"{a} {b}"
                    for a, b in zip(found, found[1:], strict=False)
                    if a in counts and b in counts
                }
            )
    counts.update((pair, n) for pair, n in pairs.items() if n >= min_records)
    common = sorted((-n, term) for term, n in counts.items())
    return [term for _n, term in common[:limit]]


def _queries(term: str) -> list[Query]:
    """A word as typed; two words as typed and as a phrase in quotes."""
    if " " in term:
        return [Query(q=term), Query(q=f'"{term}"')]
    return [Query(q=term)]


def store_summaries(queries: Iterable[Query]) -> int:
    """Compute and store the summaries of `queries` under the current stored
    version; summaries of older versions are deleted. Returns how many."""
    version = stored_catalogue_version()  # before counting: see the module's doc
    SearchSummary.objects.exclude(version=version).delete()
    queries = list(queries)
    parts = SUMMARY_CONNECTIONS if len(queries) > 1 else 1
    if not _other_connections() or parts < 2:
        return _store(queries, version)
    try:
        with ThreadPoolExecutor(parts) as pool:
            # interleaved, so that the broad queries (the commonest terms first) are shared
            return sum(
                pool.map(
                    _on_own_connection,
                    repeat(_store),
                    [queries[i::parts] for i in range(parts)],
                    repeat(version),
                )
            )
    except DatabaseError:
        # e.g. no free connection in a small pool (DATABASE_POOL_MAX_SIZE): all of
        # them again on this one (storing a summary twice is harmless)
        logger.warning("summaries on one connection: the others failed", exc_info=True)
        return _store(queries, version)


def _other_connections() -> bool:
    """Whether work may go to other connections: PostgreSQL, outside a transaction
    (they see only what is committed; inside a test's or a caller's transaction
    everything runs on this one)."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def _on_own_connection(func, *args):
    """func(*args) in a thread of its own, on that thread's own connection,
    closed after."""
    try:
        return func(*args)
    finally:
        connections.close_all()  # this thread's own


@contextlib.contextmanager
def _analysed_meanwhile(models: list):
    """Fresh statistics for the tables of `models` by the end of the block: on
    another connection while the block runs when there may be one, else first."""
    if not models:
        yield
        return
    if not _other_connections():
        analyze_tables(models)
        yield
        return
    with ThreadPoolExecutor(1) as pool:
        analysed = pool.submit(_on_own_connection, analyze_tables, models)
        yield
        try:
            analysed.result()
        except DatabaseError:
            logger.warning("statistics on this connection: the other failed", exc_info=True)
            analyze_tables(models)


def _store(queries: list[Query], version: int) -> int:
    stored = 0
    for query in queries:
        results = search(query)
        total, facets = results._summary(FACET_LIMIT)
        ranked = results.ids(0, RANKED_IDS) if results.compiled.sort() == "relevance" else []
        with transaction.atomic():
            SearchSummary.objects.update_or_create(
                digest=results.digest(FACET_LIMIT),
                defaults={
                    "version": version,
                    "query": query.q[:300],
                    "total": total,
                    "facets": json.dumps(facets),
                    "ranked_ids": json.dumps(ranked),
                },
            )
        stored += 1
    return stored


def warm_common_queries(analyze: Iterable = ()) -> int:
    """After an import or a reindex: the summaries of the searches for the
    catalogue's commonest words and two-word sequences (in LIBRARY_WARM_MIN_RECORDS
    records or more, at most LIBRARY_WARM_QUERIES of them). Returns how many
    summaries were stored. `analyze`: models whose tables get fresh statistics
    first (an import's): on PostgreSQL, on a connection of their own while the
    terms are counted, which needs none (at 250,000 records the ANALYZE took
    1.7 s of the end of an import, the counting 3.4 s); the summaries' searches
    are planned with them."""
    with _analysed_meanwhile(list(analyze)):
        terms = common_terms(settings.LIBRARY_WARM_MIN_RECORDS, settings.LIBRARY_WARM_QUERIES)
    return store_summaries(query for term in terms for query in _queries(term))


def refresh_stale_summaries() -> int:
    """Compute again, under the current version, the summaries a later write made
    stale (a loan or a return changes the availability facet; a new copy, an
    edited or imported record change more): the same queries. Nothing to do when
    every summary is current or there are none. Returns how many were stored."""
    version = stored_catalogue_version()
    stale = SearchSummary.objects.exclude(version=version).values_list("query", flat=True)
    queries = list(dict.fromkeys(stale))
    if not queries:
        return 0
    return store_summaries(Query(q=q) for q in queries)
