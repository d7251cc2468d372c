"""The per-record work of an import that needs no database: decoding, validation,
description, the search row, identifiers, facets and vocabulary (issue 17).

`prepare` turns one read record into a `Prepared` tuple of ready column values;
the importer (library.importing) only matches, writes and links them. A large
binary MARC file is prepared in worker processes, a chunk of records at a time,
while the importer's own process writes the previous batches and waits for the
database; everything else (a librarian's upload of a few records, MARCXML,
MARC-in-JSON) is prepared in the importer's process as it is read, with no
process start-up. Both paths run the same `prepare`, so they give the same rows
and the same report, record by record.

The workers are forked from the importer's process: they start in milliseconds
with Django set up and whatever that process had loaded (the analysis loads
Morfeusz and Stempel on first use), and they use no database connection. A
second thread was tried before and did not help (the GIL); processes do
(docs/library.md, "Measured").
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import re
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import NamedTuple

import orjson

from django.utils import translation
from django.utils.translation import gettext as _

from . import marc
from .indexing import (
    SEARCH_COLUMNS,
    SEARCH_NUMBERS,
    Folded,
    control_key,
    copy_part,
    facet_rows,
    identifier_rows,
    part_values,
    search_document,
    vocabulary,
)

REJECTED, AUTHORITY = "rejected", "authority"
RECORD_FIELDS = [
    "control_number",
    "control_source",
    "title",
    "responsibility",
    "main_author",
    "names",
    "edition",
    "publisher",
    "place",
    "extent",
    "isbns",
    "language",
    "series",
    "subjects",
    "genres",
    "ukd",
    "ddc",
    "summary",
    "audience",
    "material",
    "host_title",
    "host_related",
    "host_control",
    "year",  # the one number: last (indexing.copy_part)
]
# The JSONField columns of library_record among RECORD_FIELDS (and `marc`): their
# values travel and are written as JSON text (`_json`), which both databases read
# back as the same values Django's own json.dumps text gives.
JSON_FIELDS = frozenset({"names", "isbns", "series", "subjects", "genres"})
_ROW_TEXTS = RECORD_FIELDS[:-1]
_ROW_INTEGERS = frozenset({len(RECORD_FIELDS)})  # in the row's part: marc first
assert RECORD_FIELDS[-1] == "year"
# all but record_id, filled in when written: the texts, then the numbers
_SEARCH_TEXTS = SEARCH_COLUMNS[1:-SEARCH_NUMBERS]
_SEARCH_NUMBERS = SEARCH_COLUMNS[-SEARCH_NUMBERS:]
assert SEARCH_COLUMNS[0] == "record_id"

# Records per chunk sent to a worker, and chunks waiting per worker at least.
CHUNK = 250
AHEAD = 3


class Prepared(NamedTuple):
    """One record ready to write, or the reason it is not. Plain values only: it
    is pickled back from a worker process. The rows are parts in COPY's text
    form (`indexing.copy_part`: the columns after the record id, each after a tab),
    which the importer writes as they are (PostgreSQL) or reads back (SQLite)."""

    position: int
    outcome: str = ""  # "" to write; REJECTED (reason says why); AUTHORITY (see source)
    reason: str = ""
    warnings: tuple[str, ...] = ()
    keys: dict | None = None  # match keys: kind -> values
    control_number: str = ""
    host_control: str = ""
    # the record's row: the JSON text of its MARC, then RECORD_FIELDS (JSON fields as
    # JSON text), no line end (the importer adds the school and the times)
    row: bytes = b""
    search: bytes = b""  # the search row's SEARCH_COLUMNS after record_id
    identifiers: tuple[bytes, ...] = ()  # each: kind, value
    facets: tuple[bytes, ...] = ()  # each: kind, value
    words: tuple[str, ...] = ()  # vocabulary (from a worker: only words new to it)
    source: marc.Parsed | None = None  # an authority record, loaded by the importer

    def values(self) -> tuple[dict, dict]:
        """The stored MARC dict and RECORD_FIELDS' values, as Python values (an
        update of an existing record sets them on the model)."""
        stored, *values = part_values(self.row, _ROW_INTEGERS)
        fields = {
            f: json.loads(v) if f in JSON_FIELDS else v
            for f, v in zip(RECORD_FIELDS, values, strict=True)
        }
        return json.loads(stored), fields


def _json(value) -> str:
    """JSON text of a record's value: orjson's (compact, UTF-8; a record's MARC
    dict built and written in 0.014 ms, against 0.038 ms with the json module),
    or the json module's for what orjson refuses (a lone surrogate, which no
    decoded record should hold)."""
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value)


# An escaped NUL in JSON text: "\u0000" after an even number of backslashes (after an
# odd number it is a backslash's escape followed by the text "u0000").
_ESCAPED_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def _stored_marc(record) -> tuple[str, str]:
    """(the JSON text of the record's MARC, "") or ("", why it cannot be stored):
    text PostgreSQL refuses (a NUL character) or that is not Unicode (a lone
    surrogate, from a MARC-in-JSON file). Checked here, for every field: the MARC
    column is text, which took what jsonb had refused (library 0016), and such a
    record could then not be edited, updated or kept in the history."""
    try:
        text = orjson.dumps(marc.to_dict(record)).decode()
    except orjson.JSONEncodeError:
        return "", _("the record holds characters that are not valid Unicode: check the file")
    if "\\u0000" in text and _ESCAPED_NUL.search(text):
        return "", _("the record holds a NUL character (byte 0x00), which cannot be stored")
    return text, ""


def match_keys(desc: dict) -> dict:
    key = control_key(desc)
    return {
        "001": [key] if key else [],
        "035": list(dict.fromkeys(v[:200] for v in desc["system_numbers"])),
        "isbn": list(desc["isbns"]),
    }


def prepare(item: marc.Parsed, school_id: int | None, seen: set[str] | None = None) -> Prepared:
    """Everything the database needs of one record. `seen`: vocabulary already
    sent by this process (a worker sends each word once)."""
    record = item.record
    if record is None:
        return Prepared(item.position, REJECTED, item.error)
    if str(record.leader)[6:7] == "z":
        return Prepared(item.position, AUTHORITY, source=item)
    problem = marc.validate(record)
    if problem:
        return Prepared(item.position, REJECTED, problem)
    try:
        desc = marc.describe(record)
    except Exception as exc:
        return Prepared(
            item.position,
            REJECTED,
            _("the record cannot be described: %(detail)s") % {"detail": marc.reason_of(exc)},
        )
    stored, problem = _stored_marc(record)
    if problem:
        return Prepared(item.position, REJECTED, problem)
    dumps = _json
    row = copy_part(
        [stored, *[dumps(desc[f]) if f in JSON_FIELDS else desc[f] for f in _ROW_TEXTS]],
        [desc["year"]],
        end="",
    )
    folded = Folded.of(desc)
    document = search_document(0, desc, school_id, folded)
    words = vocabulary(desc, folded)
    if seen is not None:
        words -= seen
        seen |= words
    return Prepared(
        item.position,
        warnings=tuple(item.warnings + marc.description_warnings(desc)),
        keys=match_keys(desc),
        control_number=desc["control_number"],
        host_control=desc["host_control"],
        row=row,
        search=copy_part(
            [document[c] for c in _SEARCH_TEXTS], [document[c] for c in _SEARCH_NUMBERS]
        ),
        identifiers=tuple(copy_part((r["kind"], r["value"])) for r in identifier_rows(0, desc)),
        facets=tuple(copy_part((r["kind"], r["value"])) for r in facet_rows(0, desc)),
        words=tuple(words),
    )


def prepared(
    items: Iterable[marc.Parsed],
    school_id: int | None,
    *,
    workers: int = 0,
    parallel_after: int = 1000,
    ahead: int = 0,
) -> Iterator[Prepared]:
    """The items prepared in order: in `workers` forked processes when the items
    are a binary file's (marc.BinaryRecords) of more than `parallel_after`
    records, else here, one by one as they are read. `ahead`: records the
    workers may prepare beyond the one being taken (the importer asks for two of
    its batches, so the workers keep going while it writes one)."""
    raw = getattr(items, "raw", None)
    if raw is None or workers < 1 or "fork" not in multiprocessing.get_all_start_methods():
        return (prepare(item, school_id) for item in items)
    records = raw()
    head = list(itertools.islice(records, parallel_after + 1))
    if len(head) <= parallel_after:
        return (prepare(marc.parse_binary(*record), school_id) for record in head)
    return _in_workers(itertools.chain(head, records), school_id, workers, ahead)


# --- Worker processes -------------------------------------------------------------------

_seen_here: set[str] = set()


def _start_worker() -> None:
    # Forked: the parent's state is copied, this set included.
    _seen_here.clear()


def _prepare_chunk(
    chunk: list[tuple[int, bytes]], school_id: int | None, language: str | None
) -> list[Prepared]:
    # The reasons and warnings in the language of the import's report.
    if language:
        translation.activate(language)
    else:
        translation.deactivate_all()
    return [prepare(marc.parse_binary(*record), school_id, _seen_here) for record in chunk]


def _in_workers(
    records: Iterator[tuple[int, bytes]], school_id: int | None, workers: int, ahead: int = 0
) -> Iterator[Prepared]:
    language = translation.get_language()
    # Chunks submitted and not yet taken. With too few, the workers sat idle while
    # the importer wrote a batch, and the importer then waited for them (measured,
    # 20,000 records into PostgreSQL: 2.6 s of waiting with 3 chunks, 0.7 s with
    # two batches ahead; docs/library.md).
    in_flight = max(AHEAD * workers, -(-ahead // CHUNK) + workers)
    pool = ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("fork"), initializer=_start_worker
    )
    try:
        waiting: deque = deque()
        while chunk := list(itertools.islice(records, CHUNK)):
            waiting.append(pool.submit(_prepare_chunk, chunk, school_id, language))
            if len(waiting) >= in_flight:
                yield from waiting.popleft().result()
        while waiting:
            yield from waiting.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
