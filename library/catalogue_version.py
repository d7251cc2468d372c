"""A marker of the catalogue's state for caches of search results (issue 17).

Whatever changes which records a search finds or how its facets count (the
search index rows, and the copies behind the circulation facets) calls
`catalogue_changed()`; caches key their entries by `catalogue_version()`, so a
change makes every cached entry unreachable at once, with no list of keys to
delete. The marker lives in Django's cache beside the entries it guards. When
the cache loses it, it restarts from the clock, never from a number a lost
marker may have had, so stale entries cannot come back.

The version is kept in the database too (`CatalogueVersion`, one row), bumped
inside the writer's transaction: what is stored in the database for a version
(`SearchSummary`, the broad queries computed ahead after an import) is valid
exactly while that version is the committed one, even after Django's cache is
cleared."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import connection, transaction

KEY = "library:catalogue-version"
STORED_TABLE = "library_catalogueversion"
_stored_table_exists = False


def catalogue_version() -> int:
    version = cache.get(KEY)
    if version is None:
        cache.add(KEY, time.time_ns(), None)
        version = cache.get(KEY, 0)
    return version


def _bump() -> None:
    try:
        cache.incr(KEY)
    except ValueError:  # not in the cache (any more)
        cache.set(KEY, time.time_ns(), None)


def stored_catalogue_version() -> int:
    """The committed version in the database (read before computing anything
    stored under it: a change committed meanwhile leaves the stored result
    invalid, never wrong)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version FROM {STORED_TABLE} WHERE id = 1")
        row = cursor.fetchone()
        if row:
            return row[0]
        # the row was emptied (a test flushing the tables): start again
        cursor.execute(f"INSERT INTO {STORED_TABLE} (id, version) VALUES (1, 1)")
        return 1


def _bump_stored() -> None:
    global _stored_table_exists
    if not _stored_table_exists:
        # A migration reindexing before the table existed (0009) must still run.
        if STORED_TABLE not in connection.introspection.table_names():
            return
        _stored_table_exists = True
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {STORED_TABLE} SET version = version + 1 WHERE id = 1")


def catalogue_changed() -> None:
    """Bump the stored version in this transaction, and the cache's marker now,
    so this transaction's own requests see the change, and again after the
    commit, so nothing cached from the old state between the two (by another
    request) outlives it."""
    _bump_stored()
    _bump()
    transaction.on_commit(_bump)
