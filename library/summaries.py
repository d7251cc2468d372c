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

import json
from collections import Counter
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction

from .catalogue_version import stored_catalogue_version
from .models import SearchDocument, SearchSummary
from .search import FACET_LIMIT, Query, search

# First record ids by relevance kept per summary: the first pages of the list.
RANKED_IDS = 100


def common_terms(min_records: int, limit: int) -> list[str]:
    """The words and two-word sequences (folded, as the search row's `folded`
    text holds them: title, names, subjects, series) found in at least
    `min_records` records, commonest first (ties alphabetically), at most `limit`.
    Words shorter than three letters and numbers are left out: they are not what
    readers search by."""
    counts: Counter[str] = Counter()
    rows = SearchDocument.objects.values_list("folded", flat=True)
    for folded in rows.iterator(chunk_size=5000):
        found = [w if len(w) >= 3 and w.isalpha() else "" for w in folded.split()]
        terms = set(found)
        terms.update(f"{a} {b}" for a, b in zip(found, found[1:], strict=False) if a and b)
        terms.discard("")
        counts.update(terms)
    common = sorted((-n, term) for term, n in counts.items() if n >= min_records)
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


def warm_common_queries() -> int:
    """After an import or a reindex: the summaries of the searches for the
    catalogue's commonest words and two-word sequences (in LIBRARY_WARM_MIN_RECORDS
    records or more, at most LIBRARY_WARM_QUERIES of them). Returns how many
    summaries were stored."""
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
