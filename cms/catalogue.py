"""The library catalogue's records for the site search's query, shown beside the
pages found (issue 17).

Registered from `CmsConfig.ready()` only when the library app is installed, and
the library is imported only here and only when a search runs, so the two apps
stay independent otherwise. It calls the catalogue's public search
(`library.search.search`), the same one the catalogue's own page uses; the
registration would move to the library's AppConfig once that app owns it."""

from __future__ import annotations

from urllib.parse import urlencode

SHOWN = 5


def catalogue_hits(request, query: str) -> dict | None:
    """The first records found and how many there are, in a fixed number of queries."""
    if not query:
        return None
    from library.search import Query, search

    results = search(Query(q=query))
    total = results.count()
    return {
        "records": results[:SHOWN] if total else [],
        "total": total,
        "url": "/biblioteka/?" + urlencode({"q": query}),
    }
