"""A marker of the catalogue's state for caches of search results (issue 17).

Whatever changes which records a search finds or how its facets count (the
search index rows, and the copies behind the circulation facets) calls
`catalogue_changed()`; caches key their entries by `catalogue_version()`, so a
change makes every cached entry unreachable at once, with no list of keys to
delete. The marker lives in Django's cache beside the entries it guards. When
the cache loses it, it restarts from the clock, never from a number a lost
marker may have had, so stale entries cannot come back."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import transaction

KEY = "library:catalogue-version"


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


def catalogue_changed() -> None:
    """Bump the marker now, so this transaction's own requests see the change, and
    again after the commit, so nothing cached from the old state between the two
    (by another request) outlives it."""
    _bump()
    transaction.on_commit(_bump)
