"""Catalogue search on SQLite (FTS5) and PostgreSQL (GIN tsvector) alike.

A query becomes groups of keys: every word is one group (its keys from
`portal.search.analysis`: lemmas, stems, OR-ed, each also under the markers of
the fields indexed apart, `analysis.APART`); groups are AND-ed. A title group
matches in the title's column alone (FTS5's column filter, PostgreSQL's weight
A). Both databases get the same boolean expression over the same keys, so they
return the same records. Phrases
("...") also require the folded phrase in the folded text. Filters and facets run
on plain columns of `library_searchdocument`, identical on both databases.

Relevance orders the hits in tiers computed the same way on both databases
(exact title; exact author; the query's words as a phrase in the title; every
word in the title, in any form; the rest), then within a tier by a field-weighted
score: FTS5's bm25() over the four key columns on SQLite, ts_rank() over the
setweight()-ed tsvector on PostgreSQL (the same weights, `WEIGHTS`), then by
title and record id, so equal scores come out in the same order on both.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.cache import cache
from django.db import connection

from .analysis import APART, FIELD_PREFIX, analyzer, normalise_phrase, words
from .catalogue_version import catalogue_version
from .indexing import COUNTED_FACETS, FACET_SEPARATOR, fetch_by_index
from .marc import isbn_digits, normalise_isbn
from .models import Record, Term

SORTS = ("relevance", "year", "-year", "title")
# Weights of the key columns (indexing.KEY_COLUMNS: title, authors and subjects,
# series and notes, the rest); PostgreSQL's ts_rank takes them in D, C, B, A order.
WEIGHTS = (1.0, 0.4, 0.2, 0.1)
_PG_WEIGHTS = "'{" + ", ".join(str(w) for w in reversed(WEIGHTS)) + "}'"
_FTS_WEIGHTS = ", ".join(str(w) for w in WEIGHTS)
FACETS = ("subject", "genre", "language", "year", "material")
FACET_LIMIT = 12  # values shown per facet
# Counts and facets are cached per query and catalogue version (`Results.facets`);
# the version changes with the catalogue, the timeout only frees the memory.
SUMMARY_CACHE_SECONDS = 15 * 60


@dataclass(frozen=True)
class ExtraFacet:
    """A facet whose values live outside the catalogue: circulation adds the
    libraries holding copies and the availability this way, so the catalogue
    never imports it. `values_sql` selects (value, count) rows from `{hits}`, a
    subquery with one column `rid` (the record ids found), and orders and limits
    them itself; `filter_sql` is a condition on `d.record_id` taking one `%s`, the
    chosen value; `label` turns a stored value into words."""

    kind: str
    title: object
    values_sql: str
    filter_sql: str
    label: Callable[[str], str] = str


_extra_facets: dict[str, ExtraFacet] = {}


def register_facet(facet: ExtraFacet) -> None:
    _extra_facets[facet.kind] = facet


def extra_facets() -> dict[str, ExtraFacet]:
    return dict(_extra_facets)


def facet_kinds() -> tuple[str, ...]:
    return FACETS + tuple(_extra_facets)


_PHRASE = re.compile(r'"([^"]+)"')
_ISBN_LIKE = re.compile(r"^[0-9][0-9\- ]{8,16}[0-9Xx]$")
_DECADE = re.compile(r"[0-9]{1,4}", re.ASCII)  # a year facet's value (a link's, or junk)


@dataclass
class Query:
    q: str = ""
    title: str = ""
    author: str = ""
    subject: str = ""
    series: str = ""
    isbn: str = ""
    ukd: str = ""
    year_from: int | None = None
    year_to: int | None = None
    language: str = ""
    material: str = ""
    school_id: int | None = None
    selected: dict[str, list[str]] = field(default_factory=dict)  # facet kind -> values
    sort: str = "relevance"

    def is_empty(self) -> bool:
        return not any(
            [
                self.q.strip(),
                self.title,
                self.author,
                self.subject,
                self.series,
                self.isbn,
                self.ukd,
                self.year_from,
                self.year_to,
                self.language,
                self.material,
                self.school_id,
                any(self.selected.values()),
            ]
        )


class Group(NamedTuple):
    """The keys any of which a hit must have (one word's, or one filter's); with
    `title`, in the title's column."""

    keys: tuple[str, ...]
    title: bool = False


_APART_PREFIXES = tuple(FIELD_PREFIX[name] for name in APART)


def _word_keys(text: str, language: str = "") -> list[tuple[str, ...]]:
    """Each word's keys, from the analysis the index was built with; a language
    filter adds that language's stems."""
    return [tuple(keys) for keys in analyzer().query_keys(text, language) if keys]


def _field_groups(word_keys: list[tuple[str, ...]], field: str = "") -> list[Group]:
    """One group per word: in any field (the key plain and under each marker of
    the fields indexed apart), in the title's column, or under a field's marker."""
    if field == "title":
        return [Group(keys, title=True) for keys in word_keys]
    if field:
        return [Group(tuple(FIELD_PREFIX[field] + k for k in keys)) for keys in word_keys]
    return [
        Group(tuple(key for k in keys for key in (k, *(p + k for p in _APART_PREFIXES))))
        for keys in word_keys
    ]


def _isbn_of(text: str) -> str:
    """The search key of an ISBN typed as the query: its ISBN-13, or, with a wrong
    check digit, its characters as typed (records index such ISBNs that way)."""
    text = (text or "").strip()
    if not _ISBN_LIKE.match(text):
        return ""
    return normalise_isbn(text) or isbn_digits(text)


#: Prefixes of the filter keys in PostgreSQL's tsvector (migration 0012 adds them
#: to every row's vector: its language, material, year and decade).
FILTER_PREFIX = {"language": "zzl", "material": "zzm", "year": "zzy", "decade": "zzd"}
_KEY_VALUE = re.compile(r"[a-z]{1,20}", re.ASCII)
#: A year range becomes at most this many keys (whole decades, the years at its
#: ends); a wider or open range stays a column condition.
MAX_YEAR_KEYS = 30


def _value_key(kind: str, value: str) -> str | None:
    """The filter key of a language or material value, None when the value is
    not plain lower-case letters (the column condition then applies as typed)."""
    return FILTER_PREFIX[kind] + value if _KEY_VALUE.fullmatch(value) else None


def _year_keys(year_from: int | None, year_to: int | None) -> list[str] | None:
    """The keys of the years year_from..year_to (whole decades as one key each),
    any of which a hit must have; None for an open, empty or too wide range."""
    if not year_from or not year_to or year_from > year_to or year_from < 0:
        return None
    keys, year = [], year_from
    while year <= year_to:
        if year % 10 == 0 and year + 9 <= year_to:
            keys.append(f"{FILTER_PREFIX['decade']}{year // 10}")
            year += 10
        else:
            keys.append(f"{FILTER_PREFIX['year']}{year}")
            year += 1
        if len(keys) > MAX_YEAR_KEYS:
            return None
    return keys


class Compiled:
    """FROM + WHERE of a query for the current database, with parameters."""

    def __init__(self, query: Query):
        self.query = query
        self.vendor = connection.vendor
        groups: list[Group] = []
        self.phrases: list[str] = []
        q = query.q.strip()
        isbn = _isbn_of(q) or _isbn_of(query.isbn)
        if isbn:
            groups.append(Group((FIELD_PREFIX["isbn"] + isbn,)))
        elif query.isbn.strip():
            groups.append(Group((FIELD_PREFIX["isbn"] + "none",)))
        self.word_groups: list[Group] = []  # the groups of `q` alone
        self.title_groups: list[Group] = []  # the same words in the title (a tier)
        if q and not _isbn_of(q):
            self.phrases = [normalise_phrase(p) for p in _PHRASE.findall(q) if p.strip()]
            word_keys = _word_keys(q, query.language)
            self.word_groups = _field_groups(word_keys)
            self.title_groups = _field_groups(word_keys, "title")
            groups += self.word_groups
        for name in ("title", "author", "subject", "series"):
            groups += _field_groups(_word_keys(getattr(query, name), query.language), name)
        self.groups = groups
        # PostgreSQL with full-text keys: the year, language and material filters are
        # keys of the same tsvector (migration 0012, `FILTER_PREFIX`), AND-ed into its
        # expression, so the GIN index intersects them with the words' hits itself;
        # as b-tree conditions the planner AND-ed the bitmaps of every English
        # record (131,871 at 250k) and of a decade's (179,111) with a word's 6,927
        # hits: 14-20 ms per statement, against 5 ms for the keys. Filters that have
        # no keys (an open year range, an odd value) stay column conditions.
        keyed = self.vendor == "postgresql" and bool(groups)
        filter_groups: list[Group] = []
        filters, filter_params = [], []
        year_keys = _year_keys(query.year_from, query.year_to) if keyed else None
        if year_keys:
            filter_groups.append(Group(tuple(year_keys)))
        else:
            if query.year_from:
                filters.append("d.year >= %s")
                filter_params.append(query.year_from)
            if query.year_to:
                filters.append("d.year <= %s")
                filter_params.append(query.year_to)

        def equal(column: str, value: str) -> None:
            key = _value_key(column, value) if keyed else None
            if key:
                filter_groups.append(Group((key,)))
            else:
                filters.append(f"d.{column} = %s")
                filter_params.append(value)

        for column, value in (
            ("language", query.language),
            ("material", query.material),
        ):
            if value:
                equal(column, value)
        if query.school_id:
            filters.append("d.school_id_value = %s")
            filter_params.append(query.school_id)
        if query.ukd.strip():
            filters.append(
                "d.record_id IN (SELECT record_id FROM library_facetvalue"
                " WHERE kind = 'ukd' AND value LIKE %s)"
            )
            filter_params.append(query.ukd.strip() + "%")
        for kind, values in query.selected.items():
            for value in values:
                if kind in _extra_facets:
                    filters.append(_extra_facets[kind].filter_sql)
                    filter_params.append(value)
                elif kind in ("language", "material"):
                    equal(kind, value)
                elif kind == "year":
                    if not _DECADE.fullmatch(value):
                        continue
                    decade = int(value)
                    if keyed and decade % 10 == 0:
                        filter_groups.append(Group((f"{FILTER_PREFIX['decade']}{decade // 10}",)))
                    else:
                        filters.append("d.year >= %s AND d.year < %s")
                        filter_params += [decade, decade + 10]
                else:
                    filters.append(
                        "d.record_id IN (SELECT record_id FROM library_facetvalue"
                        " WHERE kind = %s AND value = %s)"
                    )
                    filter_params += [kind, value]
        where, params = [], []
        if groups:
            if self.vendor == "postgresql":
                self.source = "library_searchdocument d"
                where.append("d.vector @@ to_tsquery('simple', %s)")
                params.append(self.expression(groups + filter_groups))
                # normalisation 1: divided by 1 + log(length), as BM25 favours short fields.
                # ts_rank, not ts_rank_cd: a row's keys are a sorted set, their positions
                # mean nothing, and cover density cost 39 against 6.5 µs a hit with the
                # words' keys under each field's marker (recall set: MRR 0.953 and 0.951)
                self.rank_sql = f"-ts_rank({_PG_WEIGHTS}, d.vector, to_tsquery('simple', %s), 1)"
                self.rank_params = [self.expression(groups)]
            else:
                self.source = (
                    # CROSS JOIN keeps FTS5 as the outer loop: the match drives the plan
                    "library_fts CROSS JOIN library_searchdocument d"
                    " ON d.record_id = library_fts.rowid"
                )
                where.append("library_fts MATCH %s")
                params.append(self.expression(groups))
                self.rank_sql = f"bm25(library_fts, {_FTS_WEIGHTS})"
                self.rank_params = []
        else:
            self.source = "library_searchdocument d"
            self.rank_sql = "0"
            self.rank_params = []
        for phrase in self.phrases:
            where.append("d.folded LIKE %s")
            params.append(f"%{phrase}%")
        where += filters
        params += filter_params
        self.where = " AND ".join(where) or "1=1"
        self.params = params

    def expression(self, groups: list[Group]) -> str:
        """The full-text expression of key groups (AND of ORs) in the database's
        syntax: a title group's keys with weight A on PostgreSQL (only the title's
        column has it), under FTS5's column filter on SQLite."""
        if self.vendor == "postgresql":
            return " & ".join(
                "(" + " | ".join(f"{k}:A" if g.title else k for k in g.keys) + ")" for g in groups
            )
        return " AND ".join(
            ("title_keys : " if g.title else "") + "(" + " OR ".join(f'"{k}"' for k in g.keys) + ")"
            for g in groups
        )

    def in_title_sql(self) -> tuple[str, list]:
        """A condition true for hits whose title holds every word of `q` (in any
        form), as advanced search finds them."""
        if not self.word_groups:
            return "1=0", []
        expression = self.expression(self.title_groups)
        if self.vendor == "postgresql":
            return "d.vector @@ to_tsquery('simple', %s)", [expression]
        return "d.record_id IN (SELECT rowid FROM library_fts WHERE library_fts MATCH %s)", [
            expression
        ]

    def from_where(self) -> tuple[str, list]:
        return f"FROM {self.source} WHERE {self.where}", list(self.params)

    def sort(self) -> str:
        sort = self.query.sort if self.query.sort in SORTS else "relevance"
        return "title" if sort == "relevance" and not self.groups else sort

    def order_by(self) -> tuple[str, list]:
        sort = self.sort()
        if sort == "year":
            return "d.year ASC NULLS LAST, d.sort_title, d.record_id", []
        if sort == "-year":
            return "d.year DESC NULLS LAST, d.sort_title, d.record_id", []
        if sort == "title":
            return "d.sort_title, d.record_id", []
        tiers, params = self._tier_conditions()
        sql = (
            "CASE "
            + " ".join(f"WHEN {condition} THEN {place}" for place, condition in enumerate(tiers))
            + f" ELSE {len(tiers)} END, {self.rank_sql}, d.sort_title, d.record_id"
        )
        return sql, [*params, *self.rank_params]

    def title_tiers(self) -> tuple[str, list]:
        """A condition true for the hits of every tier but the last (the rest):
        relevance puts them first, so a page among them is theirs alone."""
        tiers, params = self._tier_conditions()
        return "(" + " OR ".join(tiers) + ")", params

    def _tier_conditions(self) -> tuple[list[str], list]:
        """The conditions of relevance's tiers, in order (see the module's doc)."""
        exact = normalise_phrase(self.query.q or self.query.title or self.query.author)
        in_title, in_title_params = self.in_title_sql()
        tiers = [
            "d.title_norm = %s",
            "(d.author_norm = %s OR d.author_norm_alt = %s)",
            "' ' || d.title_norm || ' ' LIKE %s",
            in_title,
        ]
        phrase = f"% {exact} %" if exact else ""
        return tiers, [exact, exact, exact, phrase, *in_title_params]


def _execute(compiled: Compiled, sql: str, params: list) -> list[tuple]:
    """Run a search statement and fetch its rows. PostgreSQL with full-text keys:
    with sequential scans off for this statement alone, so the hits come from the
    GIN index. The planner costs `@@` as one operator call and so often prefers
    reading the whole table for a common word, decompressing every row's
    tsvector: measured at 28k records, 200 ms against 31 ms through the index,
    and the gap grows with the catalogue, not with the hits."""
    if compiled.vendor != "postgresql" or not compiled.groups:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    return fetch_by_index(sql, params)


class Results:
    """A lazy, sliceable result set, so Django's Paginator can page it.

    The count and every facet are exact and come from one SQL statement over the
    whole hit set (`summary`: the count and the facets grouped from the hits the
    search selects), so a results page runs the search twice at most (this
    statement and the ranked page), the number of queries does not grow with the
    hits and no sample is taken. `count()` alone (no facets wanted) is a COUNT(*).
    """

    def __init__(self, query: Query):
        self.query = query
        self.compiled = Compiled(query)
        self._count = None
        self._ranked: list[int] | None = None  # the first ids by relevance, when stored

    def count(self) -> int:
        """The number of hits: from `facets()` when it ran, else one COUNT(*)."""
        if self._count is None:
            sql, params = self.compiled.from_where()
            self._count = _execute(self.compiled, f"SELECT COUNT(*) {sql}", params)[0][0]
        return self._count

    def __len__(self):
        return self.count()

    def ids(self, offset: int, limit: int) -> list[int]:
        """The record ids of one page. By relevance, in two passes: first among
        the hits of the upper tiers only (a title or author match, what the first
        pages of a broad word show), so the field-weighted score is computed for
        those alone; the whole hit set is scored only when they do not fill the
        page. The upper tiers sort before the rest, so the page is the same."""
        if limit <= 0:
            return []
        if self.compiled.sort() == "relevance":
            ranked = self._ranked
            if ranked is not None and (offset + limit <= len(ranked) or len(ranked) == self._count):
                return ranked[offset : offset + limit]
            condition, params = self.compiled.title_tiers()
            ids = self._page(offset, limit, condition, params)
            if len(ids) == limit:
                return ids
        return self._page(offset, limit)

    def _page(self, offset: int, limit: int, condition: str = "", params=()) -> list[int]:
        sql, where_params = self.compiled.from_where()
        if condition:
            sql += f" AND {condition}"
        order, order_params = self.compiled.order_by()
        rows = _execute(
            self.compiled,
            f"SELECT d.record_id {sql} ORDER BY {order} LIMIT %s OFFSET %s",
            [*where_params, *params, *order_params, limit, offset],
        )
        return [row[0] for row in rows]

    def __getitem__(self, item):
        if isinstance(item, slice):
            start = item.start or 0
            stop = item.stop if item.stop is not None else self.count()
            ids = self.ids(start, max(stop - start, 0))
            records = Record.objects.select_related("host").in_bulk(ids)
            return [records[i] for i in ids if i in records]
        return self[item : item + 1][0]

    def digest(self, limit: int = FACET_LIMIT) -> str:
        """What decides the hits and their counts: the compiled query (its analysed
        keys and filters), the facets' limit and the extra facets registered."""
        sql, params = self.compiled.from_where()
        normalised = repr((sql, params, limit, sorted(_extra_facets)))
        return hashlib.sha256(normalised.encode()).hexdigest()

    def facets(self, limit: int = FACET_LIMIT) -> dict[str, list[tuple[str, int]]]:
        """Exact facet counts over every hit, the `limit` commonest values of each
        kind; the hit count comes from the same statement (call this before
        `count()` to save a statement). Both are cached under `digest()` and the
        catalogue version, so paging a result list or returning to it does not
        count again, and any change to the index or the copies makes a fresh
        count. A broad query computed ahead (`library.summaries`, after an import)
        is read from its stored summary with its first ranked ids instead."""
        digest = self.digest(limit)
        key = f"library:summary:v2:{catalogue_version()}:{digest}"
        summary = cache.get(key)
        if summary is None:
            summary = _stored_summary(digest)
            if summary is None:
                summary = (*self._summary(limit), None)
            cache.set(key, summary, SUMMARY_CACHE_SECONDS)
        self._count, facets, self._ranked = summary
        return facets

    def _summary(self, limit: int) -> tuple[int, dict[str, list[tuple[str, int]]]]:
        """(count, facets) in one statement: the search runs once into `hits`
        (record id and the facet columns of the search row); the count and each
        facet's `limit` commonest values are read from it, each kind with its own
        ORDER BY ... LIMIT (a top-N sort: a broad word has thousands of distinct
        subjects, and sorting them all was a third of the statement's time);
        the extra facets read it as `{hits}` and limit themselves."""
        sql, params = self.compiled.from_where()
        postgresql = self.compiled.vendor == "postgresql"
        # Ties in order of code points on both databases (SQLite compares bytes);
        # "C" also spares PostgreSQL a strcoll() per comparison.
        collate = ' COLLATE "C"' if postgresql else ""

        def top(select: str) -> str:
            return (
                f"SELECT * FROM (SELECT * FROM ({select}) s"
                f" ORDER BY n DESC, v{collate} LIMIT %s) top"
            )

        ctes = [
            "hits AS MATERIALIZED (SELECT d.record_id AS rid, d.language AS language,"
            " d.material AS material, d.year AS year"
            + (", d.counted_facets AS facets" if postgresql else "")
            + f" {sql})"
        ]
        counts = ["SELECT '' AS kind, '' AS v, COUNT(*) AS n FROM hits"]
        limits = 0
        if postgresql:
            # Subjects and genres from the hits' own rows (indexing.counted_facets).
            ctes.append(
                "grouped AS (SELECT x, COUNT(*) AS n FROM hits,"
                f" unnest(string_to_array(hits.facets, chr({ord(FACET_SEPARATOR)}))) AS x"
                " GROUP BY x)"
            )
            for kind, letter in COUNTED_FACETS.items():
                # the kind's top values by their prefixed form (the same order),
                # the prefix cut off those alone
                counts.append(
                    f"SELECT '{kind}' AS kind, substr(x, 2) AS v, n FROM (SELECT x, n"
                    f" FROM grouped WHERE x LIKE '{letter}%%'"
                    f' ORDER BY n DESC, x COLLATE "C" LIMIT %s) top'
                )
                limits += 1
        else:
            for kind in COUNTED_FACETS:
                counts.append(
                    top(
                        f"SELECT '{kind}' AS kind, f.value AS v, COUNT(*) AS n"
                        " FROM library_facetvalue f"
                        f" JOIN hits ON f.record_id = hits.rid WHERE f.kind = '{kind}'"
                        " GROUP BY f.value"
                    )
                )
                limits += 1
        counts += [
            top(
                "SELECT 'language' AS kind, language AS v, COUNT(*) AS n FROM hits"
                " WHERE language <> '' GROUP BY language"
            ),
            top(
                "SELECT 'material' AS kind, material AS v, COUNT(*) AS n FROM hits"
                " WHERE material <> '' GROUP BY material"
            ),
            top(
                "SELECT 'year' AS kind, CAST(decade AS TEXT) AS v, COUNT(*) AS n"
                " FROM (SELECT (year / 10) * 10 AS decade FROM hits) decades"
                " WHERE decade IS NOT NULL AND decade <> 0 GROUP BY decade"
            ),
        ]
        limits += 3
        extra_params = []
        for kind, facet in _extra_facets.items():
            counts.append(f"SELECT %s, x.* FROM ({facet.values_sql.format(hits='hits')}) x")
            extra_params.append(kind)
        statement = (
            "WITH "
            + ", ".join(ctes)
            + " SELECT kind, v, n FROM ("
            + " UNION ALL ".join(counts)
            + ") counts WHERE kind = '' OR n > 0"
            f" ORDER BY kind, n DESC, v{collate}"
        )
        total = 0
        out: dict[str, list[tuple[str, int]]] = {
            kind: []
            for kind in ("subject", "genre", "language", "material", "year", *_extra_facets)
        }
        rows = _execute(self.compiled, statement, [*params, *[limit] * limits, *extra_params])
        for kind, value, n in rows:
            if kind == "":
                total = n
            else:
                out[kind].append((str(value), n))
        return total, out


def _stored_summary(digest: str):
    """(count, facets, first ranked ids) stored for the query under the current
    stored catalogue version (`library.summaries`), or None; one statement."""
    from .models import CatalogueVersion, SearchSummary

    row = (
        SearchSummary.objects.filter(
            digest=digest,
            version=CatalogueVersion.objects.filter(pk=1).values("version")[:1],
        )
        .values_list("total", "facets", "ranked_ids")
        .first()
    )
    if row is None:
        return None
    total, facets, ranked = row
    return (
        total,
        {kind: [(v, n) for v, n in values] for kind, values in json.loads(facets).items()},
        json.loads(ranked),
    )


def search(query: Query) -> Results:
    return Results(query)


def did_you_mean(text: str) -> str:
    """A spelling from the catalogue's own vocabulary, or "" (call it only when a
    search found nothing: it is the expensive part)."""
    original = words(normalise_phrase(text))
    if not original:
        return ""
    known = set(Term.objects.filter(word__in=original).values_list("word", flat=True))
    suggestion, changed = [], False
    for word in original:
        if word in known or len(word) < 3:
            suggestion.append(word)
            continue
        candidates = list(Term.objects.filter(head=word[:2]).values_list("word", flat=True))
        close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.7)
        if close:
            suggestion.append(close[0])
            changed = True
        else:
            suggestion.append(word)
    if not changed:
        return ""
    proposal = " ".join(suggestion)
    return proposal if search(Query(q=proposal)).count() else ""
