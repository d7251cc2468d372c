"""What a record puts into the search index: keys, facets, vocabulary (as plain
dicts of column values, inserted with executemany by `insert_rows`)."""

from __future__ import annotations

import contextlib
import re
from typing import NamedTuple

from .analysis import FIELD_PREFIX, analyzer, fold, normalise_phrase, words

FACET_KINDS = ("subject", "genre", "series", "ukd")


def inverted_name(name: str) -> str:
    """ "Mickiewicz, Adam (1798-1855)" -> "adam mickiewicz"."""
    name = re.sub(r"\(.*?\)", "", name or "")
    if "," in name:
        last, first = name.split(",", 1)
        name = f"{first} {last}"
    return normalise_phrase(name)


def control_key(desc: dict) -> str:
    if not desc["control_number"]:
        return ""
    return f"{desc['control_source']}|{desc['control_number']}"[:200]


def identifier_rows(record_id: int, desc: dict) -> list[dict]:
    rows = []
    key = control_key(desc)
    if key:
        rows.append({"record_id": record_id, "kind": "001", "value": key})
    for value in dict.fromkeys(desc["system_numbers"]):
        rows.append({"record_id": record_id, "kind": "035", "value": value[:200]})
    for value in desc["isbns"]:
        rows.append({"record_id": record_id, "kind": "isbn", "value": value})
    return rows


# The search keys by field, weighted for ranking: title (A) > authors and subjects
# (B) > series and notes (C) > the rest (D). SQLite indexes the four columns in
# an FTS5 table whose bm25() is given these weights, PostgreSQL concatenates them
# into one tsvector with setweight() (migration 0008). A plain search matches a
# key in any column. The keys of authors, subjects and series are stored once,
# under their field's marker (`analysis.APART`): a plain search looks for every
# key with each marker as well, advanced search for the marked key alone, and
# for the title's keys in the title's column. (Each field's keys stored twice,
# plain and marked, made the rows' index upkeep about twice as dear: 3.9 against
# 2.0 s for 25,000 search rows on PostgreSQL; docs/library.md.)
KEY_COLUMNS = ("title_keys", "heading_keys", "note_keys", "other_keys")


# The search row carries the record's subject and genre facet values too (kind's
# letter + value, separated by FACET_SEPARATOR, the MARC subfield delimiter, which
# no value holds): PostgreSQL counts facets from the hits' own rows, with no join
# to library_facetvalue (measured: that join was most of a broad query's facets).
FACET_SEPARATOR = "\x1f"
COUNTED_FACETS = {"subject": "s", "genre": "g"}


def _facet_values(desc: dict):
    """(kind, values) of a record's facets, each value once, as library_facetvalue
    stores them."""
    for kind, values in (
        ("subject", desc["subjects"]),
        ("genre", desc["genres"]),
        ("series", desc["series"]),
        ("ukd", [desc["ukd"]] if desc["ukd"] else []),
    ):
        yield kind, list(dict.fromkeys(v[:300] for v in values))


def counted_facets(desc: dict) -> str:
    return FACET_SEPARATOR.join(
        COUNTED_FACETS[kind] + value
        for kind, values in _facet_values(desc)
        if kind in COUNTED_FACETS
        for value in values
    )


class Folded(NamedTuple):
    """A record's texts folded into words (`normalise_phrase`), each folded once
    for both the search row and the vocabulary."""

    title: str
    subjects: str  # the subject headings'
    genres: str

    @classmethod
    def of(cls, desc: dict) -> Folded:
        return cls(
            normalise_phrase(desc["title"]),
            normalise_phrase(" ".join(desc["subjects"])),
            normalise_phrase(" ".join(desc["genres"])),
        )


def search_document(
    record_id: int, desc: dict, school_id: int | None, folded: Folded | None = None
) -> dict:
    """The record's search row (SEARCH_COLUMNS). `folded`: Folded.of(desc), when
    the caller has it already."""
    names = " ".join(desc["names"])
    subjects = " ".join(desc["subjects"] + desc["genres"])
    series = " ".join(desc["series"])
    folded = folded or Folded.of(desc)
    # Each text is analysed once, in the record's language.
    analysis, language = analyzer(), desc["language"]

    def text_keys(text: str) -> set[str]:
        return analysis.index_keys(text, language)

    def prefixed(field: str, keys: set[str]) -> set[str]:
        return {FIELD_PREFIX[field] + k for k in keys}

    title_keys = text_keys(desc["title"] + " " + desc["host_title"])
    author_keys = text_keys(names + " " + desc["responsibility"])
    subject_keys = text_keys(subjects)
    series_keys = text_keys(series)
    isbn = FIELD_PREFIX["isbn"]
    columns = {
        "title_keys": title_keys,
        "heading_keys": prefixed("author", author_keys) | prefixed("subject", subject_keys),
        "note_keys": prefixed("series", series_keys) | text_keys(desc["summary"][:2000]),
        "other_keys": text_keys(desc["publisher"] + " " + desc["edition"])
        | {isbn + value for value in desc["isbns"] + desc.get("isbns_invalid", [])},
    }
    title_norm = folded.title
    # the folded subjects and genres joined: normalise_phrase of the two texts joined
    subjects_norm = " ".join(filter(None, (folded.subjects, folded.genres)))
    return {
        "record_id": record_id,
        **{column: " ".join(sorted(keys)) for column, keys in columns.items()},
        "folded": " ".join([title_norm, normalise_phrase(names), subjects_norm, fold(series)]),
        "title_norm": title_norm[:300],
        "author_norm": normalise_phrase(re.sub(r"\(.*?\)", "", desc["main_author"]))[:300],
        "author_norm_alt": inverted_name(desc["main_author"])[:300],
        "sort_title": title_norm[:120],
        "year": desc["year"],
        "language": desc["language"],
        "material": desc["material"],
        "school_id_value": school_id,
        "counted_facets": counted_facets(desc),
    }


def facet_rows(record_id: int, desc: dict) -> list[dict]:
    return [
        {"record_id": record_id, "kind": kind, "value": value}
        for kind, values in _facet_values(desc)
        for value in values
    ]


def vocabulary(desc: dict, folded: Folded | None = None) -> set[str]:
    """The words "did you mean" may suggest: those of the title, the main author
    and the subject headings, folded, of 3 to 60 letters."""
    folded = folded or Folded.of(desc)
    found = [*folded.title.split(), *words(fold(desc["main_author"])), *folded.subjects.split()]
    return {w for w in found if 3 <= len(w) <= 60 and w.isalpha()}


def insert_rows(model, columns: list[str], rows: list[dict]) -> None:
    """Plain executemany for the index rows: a bulk import spends most of its
    time in the ORM otherwise. The columns are simple text and integers. Index
    rows change what searches find: cached counts and facets are dropped."""
    insert_values(model, columns, [tuple(row[c] for c in columns) for row in rows])


def insert_values(model, columns: list[str], values: list[tuple]) -> None:
    """insert_rows with each row's values already in the order of `columns`."""
    from django.db import connection

    from .catalogue_version import catalogue_changed

    if not values:
        return
    catalogue_changed()
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(c) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    if connection.vendor == "postgresql":
        copy_rows(model, columns, values)
        return
    with connection.cursor() as cursor:
        for i in range(0, len(values), 2000):
            cursor.executemany(sql, values[i : i + 2000])


def copy_rows(model, columns: list[str], values: list[tuple]) -> None:
    """PostgreSQL: COPY ... FROM STDIN, far cheaper than INSERTs with
    client-side parameters (psycopg rewrites every placeholder of the query)."""
    with _copy(model, columns) as copy:
        for row in values:
            copy.write_row(row)


@contextlib.contextmanager
def _copy(model, columns: list[str]):
    from django.db import connection

    quote = connection.ops.quote_name
    sql = "COPY {} ({}) FROM STDIN".format(
        quote(model._meta.db_table), ", ".join(quote(c) for c in columns)
    )
    # The raw psycopg cursor: wrap its errors so callers catch Django's DatabaseError
    # (the importer's per-record fallback relies on it).
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(sql) as copy,
    ):
        yield copy


# --- Rows in COPY's text form -----------------------------------------------------------
# An import's rows travel from the worker processes (library.preparing) as "parts":
# every column but the first in the text form of PostgreSQL's COPY, as bytes; the
# importer puts the record id in front and COPYs whole batches as they are. Made in
# the worker, pickling included, they cost it no more than the tuples did (~0.25 ms a
# record either way), and they spare the importer's process the tuples' unpickling
# and psycopg's formatting of every row: at 250,000 records its CPU went 23.4 ->
# 16.7 s (docs/library.md). SQLite reads them back into values.

_COPY_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
_COPY_ESCAPED = re.compile(r"\\(.)", re.DOTALL)
COPY_NULL = "\\N"


def copy_text(value) -> str:
    """One value in COPY's text form: text escaped, None as \\N, a number or a
    date as its text."""
    if value.__class__ is not str:
        if value is None:
            return COPY_NULL
        if not isinstance(value, str):
            return value.isoformat() if hasattr(value, "isoformat") else str(value)
        value = str(value)
    if "\t" in value:
        value = _escaped(value).replace("\t", "\\t")
    elif "\\" in value or "\n" in value or "\r" in value:
        value = _escaped(value)
    return value


def _escaped(text: str) -> str:
    """Backslashes and line ends escaped for COPY (not tabs): str.replace, one
    C-level pass each, where str.translate looked up every character (a 2 kB
    record's JSON: several times dearer)."""
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    if "\n" in text:
        text = text.replace("\n", "\\n")
    if "\r" in text:
        text = text.replace("\r", "\\r")
    return text


def copy_part(texts, numbers=(), end: str = "\n") -> bytes:
    """Columns after the first in COPY's text form: a tab before each value, `end`
    after the last. `texts` are strings, `numbers` ints or None, after them. The
    texts are joined first (escaping each of a record's ~45 values was 0.018 ms
    of its 0.26 ms); a backslash or a line end is escaped in the joined text, and
    only a tab in a value makes each value escaped alone."""
    text = "\t" + "\t".join(texts) if texts else ""
    if text.count("\t") != len(texts):  # a tab in a value: each value escaped alone
        text = "".join(["\t" + copy_text(value) for value in texts])
    elif "\\" in text or "\n" in text or "\r" in text:
        text = _escaped(text)  # the separators are the only tabs
    for number in numbers:
        text += "\t\\N" if number is None else f"\t{number:d}"
    return (text + end).encode()


def part_values(part: bytes, integers: frozenset[int] = frozenset()) -> list:
    """A part's values again: None for \\N, int for the positions in `integers`,
    else str."""
    values = []
    for i, field in enumerate(part.rstrip(b"\n").split(b"\t")[1:]):
        if field == b"\\N":
            values.append(None)
            continue
        text = field.decode()
        if "\\" in text:
            text = _COPY_ESCAPED.sub(lambda m: _COPY_UNESCAPES.get(m[1], m[1]), text)
        values.append(int(text) if i in integers else text)
    return values


def _integers(model, columns: list[str]) -> frozenset[int]:
    """Positions among `columns` of the model's integer columns (and keys)."""
    from django.db import models

    fields = {f.column: f for f in model._meta.concrete_fields}
    return frozenset(
        i
        for i, column in enumerate(columns)
        if isinstance(fields[column], (models.IntegerField, models.AutoField, models.ForeignKey))
    )


def insert_parts(model, columns: list[str], rows: list[tuple[int, bytes]]) -> None:
    """insert_values for rows given as (the first column's value, an int; the
    others as a part, `copy_part`)."""
    from django.db import connection

    from .catalogue_version import catalogue_changed

    if not rows:
        return
    if connection.vendor != "postgresql":
        integers = _integers(model, columns[1:])
        insert_values(model, columns, [(first, *part_values(p, integers)) for first, p in rows])
        return
    catalogue_changed()
    _copy_parts(model, columns, rows)


def _copy_parts(model, columns: list[str], rows) -> None:
    """PostgreSQL: one COPY of rows given as (the first column's int, a part)."""
    with _copy(model, columns) as copy:
        copy.write(b"".join([b"%d%b" % row for row in rows]))


@contextlib.contextmanager
def lz4_compression():
    """PostgreSQL (14+ built with lz4): the values an import writes that are large
    enough to be compressed (most records' MARC JSON) are compressed with
    lz4 instead of the default pglz for the duration, in this session only. The
    stored data reads the same; lz4 costs the server less time per row. Elsewhere
    nothing changes."""
    from django.db import DatabaseError, connection

    previous = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setting FROM pg_settings WHERE name = 'default_toast_compression' "
                "AND 'lz4' = ANY(enumvals) AND setting <> 'lz4'"
            )
            row = cursor.fetchone()
            if row:
                previous = row[0]
                cursor.execute("SELECT set_config('default_toast_compression', 'lz4', false)")
    try:
        yield
    finally:
        if previous is not None:
            # after a failed import the transaction may be broken: then its end
            # (rollback) undoes the setting anyway
            with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('default_toast_compression', %s, false)", [previous]
                )


def analyze_tables(models) -> None:
    """Fresh planner statistics for the tables of `models` (ANALYZE; on SQLite
    it fills sqlite_stat1). After a bulk load PostgreSQL otherwise plans the
    search with the estimates of an empty table until autovacuum runs: measured
    at 250k records, the whole results page took 463-857 ms before and 85-124 ms
    after. `models` may be a dict of model -> column names: only those columns
    (PostgreSQL; SQLite analyses the table's indexes)."""
    from django.db import connection

    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in models:
            columns = models[model] if isinstance(models, dict) else ()
            only = ""
            if columns and connection.vendor == "postgresql":
                only = " ({})".format(", ".join(quote(c) for c in columns))
            cursor.execute(f"ANALYZE {quote(model._meta.db_table)}{only}")


def _max_params(connection) -> int:
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        try:
            return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        except AttributeError:  # Python < 3.11
            return connection.features.max_query_params or 999
    return connection.features.max_query_params or 65535


def fetch_by_index(sql: str, params) -> list[tuple]:
    """Run a SELECT and fetch its rows; on PostgreSQL with sequential scans off for
    this statement alone (SET LOCAL in the same round trip: it ends with the
    statement's transaction, implicit or the caller's, and RESET ends it sooner
    when the caller's transaction goes on). For look-ups that an index answers
    at any size, where the planner's costs (one operator call per row, pages as
    if read from disk) choose to read the whole table."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(sql, params)
            return cursor.fetchall()
        # Django's psycopg cursor binds client-side, so one string may hold several
        # statements; they run in one transaction and a failure rolls both back.
        cursor.execute(f"SET LOCAL enable_seqscan = off; {sql}; RESET enable_seqscan", params)
        cursor.nextset()
        return cursor.fetchall()


def identifiers_among(wanted: dict[str, set[str]]) -> list[tuple[str, str, int]]:
    """(kind, value, record id) of the stored identifiers among `wanted` (kind ->
    values), the lowest record id where several records share one. PostgreSQL:
    a statement per kind through the (kind, value) index. Left to the planner,
    it read the whole table for 1,000 values while the table was under ~4,000
    pages (an import's first 100,000 records: ~1 s of the server's CPU). One
    statement for the three kinds (UNION ALL) took longer than three."""
    from django.db import connection

    from .models import RecordIdentifier
    from .models.fields import among

    found: dict[tuple[str, str], int] = {}
    table = connection.ops.quote_name(RecordIdentifier._meta.db_table)
    for kind, values in wanted.items():
        if not values:
            continue
        if connection.vendor == "postgresql":
            sql = f"SELECT value, record_id FROM {table} WHERE kind = %s AND value = ANY(%s)"
            rows = fetch_by_index(sql, [kind, list(values)])
        else:
            queryset = RecordIdentifier.objects.filter(kind=kind)
            rows = [
                row
                for chunk in among(queryset, "value", values)
                for row in chunk.values_list("value", "record_id")
            ]
        for value, record_id in rows:
            key = (kind, value)
            found[key] = min(found.get(key, record_id), record_id)
    return [(kind, value, record_id) for (kind, value), record_id in found.items()]


_SEQUENCES: dict[tuple[str, str], str] = {}


def _sequence(cursor, table: str, column: str) -> str:
    """The name of the sequence of an identity/serial column, looked up once per
    process: `nextval(pg_get_serial_sequence(...))` searched the catalog for every
    id (1000 ids: 2.7 ms against 0.26 ms with the name as a constant)."""
    name = _SEQUENCES.get((table, column))
    if name is None:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
        name = _SEQUENCES[table, column] = cursor.fetchone()[0]
    return name


def insert_returning_ids(model, columns: list[str], parts: list[bytes]) -> list[int]:
    """Rows of `columns` given as parts (`copy_part`: every column, each after a
    tab), inserted with new primary keys, which are returned in the order of
    `parts` (the same guarantee Django's bulk_create relies on for SQLite and
    PostgreSQL). PostgreSQL: the ids from the table's sequence, then one COPY
    with them; SQLite: multi-row INSERT ... RETURNING."""
    from django.db import connection

    if not parts:
        return []
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        pk = model._meta.pk.column
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
                [_sequence(cursor, model._meta.db_table, pk), len(parts)],
            )
            ids = [row[0] for row in cursor.fetchall()]
        _copy_parts(model, [pk, *columns], zip(ids, parts, strict=True))
        return ids
    integers = _integers(model, columns)
    rows = [part_values(part, integers) for part in parts]
    head = "INSERT INTO {} ({}) VALUES ".format(
        quote(model._meta.db_table), ", ".join(quote(c) for c in columns)
    )
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    size = max(1, min(500, _max_params(connection) // len(columns)))
    tail = " RETURNING " + quote(model._meta.pk.column)
    ids: list[int] = []
    with connection.cursor() as cursor:
        for i in range(0, len(rows), size):
            chunk = rows[i : i + size]
            cursor.execute(
                head + ", ".join([one] * len(chunk)) + tail,
                [value for row in chunk for value in row],
            )
            ids.extend(row[0] for row in cursor.fetchall())
    return ids


def insert_terms(words) -> None:
    """The vocabulary in one statement per chunk; words already there are skipped."""
    from django.db import connection

    from .models import Term

    words = sorted(words)
    if not words:
        return
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}, {}) VALUES (%s, %s) ON CONFLICT DO NOTHING".format(
        quote(Term._meta.db_table), quote("word"), quote("head")
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "INSERT INTO {} ({}, {}) SELECT w, left(w, 2) FROM unnest(%s::text[]) AS w "
                "ON CONFLICT DO NOTHING".format(
                    quote(Term._meta.db_table), quote("word"), quote("head")
                ),
                [words],
            )
            return
        cursor.executemany(sql, [(w, w[:2]) for w in words])


ID_COLUMNS = ["record_id", "kind", "value"]
# the record id, the text columns, then the numbers (indexing.copy_part)
SEARCH_COLUMNS = [
    "record_id",
    *KEY_COLUMNS,
    "folded",
    "title_norm",
    "author_norm",
    "author_norm_alt",
    "sort_title",
    "language",
    "material",
    "counted_facets",
    "year",
    "school_id_value",
]
SEARCH_NUMBERS = 2


def rebuild_search_index(record_model=None, document_model=None, batch_size: int = 1000) -> int:
    """Write every record's search row again from its stored MARC (after the
    analysis or the index changed: `manage.py reindex_catalogue`, and migration
    0009 that filled issue 17's field-weighted key columns). A batch at a time,
    each in its own transaction; facets, identifiers and the vocabulary do not
    depend on the analysis and are kept. The models may be a migration's
    historical ones. Returns the count."""
    from django.apps import apps as global_apps
    from django.db import transaction

    from . import marc

    if record_model is None or document_model is None:
        from .models import Record, SearchDocument

        record_model, document_model = record_model or Record, document_model or SearchDocument
    pks = list(record_model.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), batch_size):
        chunk = pks[start : start + batch_size]
        rows = record_model.objects.filter(pk__in=chunk).values_list("pk", "marc", "school_id")
        documents = [
            search_document(pk, marc.describe(marc.from_stored(data)), school_id)
            for pk, data, school_id in rows
        ]
        with transaction.atomic():
            document_model.objects.filter(record_id__in=chunk).delete()
            insert_rows(document_model, SEARCH_COLUMNS, documents)
    if document_model._meta.apps is global_apps:  # not a migration's historical model
        from .summaries import warm_common_queries

        warm_common_queries()
    return len(pks)
