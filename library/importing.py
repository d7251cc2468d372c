"""The MARC import engine shared by `import_marc`, the upload task and seed_demo.

Records are described and validated in Python first; each batch is then
written in one transaction with bulk inserts (records, identifiers, search
rows, facets). If the database refuses a batch, each record of it is retried in
its own transaction, so a bad record is rejected alone and nothing is
half-written.
"""

from __future__ import annotations

import gc
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pymarc import Record as MarcRecord

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import JSONField
from django.utils import timezone
from django.utils.translation import gettext as _

from . import marc
from .analysis import normalise_phrase
from .indexing import (
    ID_COLUMNS,
    SEARCH_COLUMNS,
    analyze_tables,
    control_key,
    facet_rows,
    identifier_rows,
    insert_returning_ids,
    insert_rows,
    insert_terms,
    search_document,
    vocabulary,
)
from .models import (
    Authority,
    AuthorityReference,
    FacetValue,
    Record,
    RecordChange,
    RecordIdentifier,
    SearchDocument,
    Term,
)

IMPORTED, UPDATED, WARNED, REJECTED = "imported", "updated", "warned", "rejected"
# What an import writes, analysed after a large one (LIBRARY_ANALYZE_AFTER_RECORDS).
FILLED_TABLES = (Record, RecordIdentifier, SearchDocument, FacetValue, Term)
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
    "year",
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
]

RECORD_MODEL_FIELDS = {f: Record._meta.get_field(f) for f in RECORD_FIELDS}


@dataclass
class Outcome:
    position: int
    outcome: str
    reason: str = ""
    record_id: int | None = None


@dataclass
class Summary:
    counts: Counter = field(default_factory=Counter)
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class _Pending:
    position: int
    record: MarcRecord
    desc: dict
    warnings: list[str]
    keys: dict  # kind -> list of values
    existing_id: int | None = None


def _match_keys(desc: dict) -> dict:
    return {
        "001": [control_key(desc)] if control_key(desc) else [],
        "035": list(dict.fromkeys(v[:200] for v in desc["system_numbers"])),
        "isbn": list(desc["isbns"]),
    }


def _host_number(value: str) -> str:
    return re.sub(r"^\(.*?\)\s*", "", value or "").strip()


class Importer:
    def __init__(
        self,
        *,
        school=None,
        user=None,
        batch_size: int = 500,
        keep_outcomes: bool = True,
        on_outcome: Callable[[Outcome], None] | None = None,
    ):
        self.school_id = getattr(school, "pk", school)
        self.user = user
        self.batch_size = batch_size
        self.keep_outcomes = keep_outcomes
        self.on_outcome = on_outcome
        self.summary = Summary()
        self._seen_words: set[str] = set()

    # --- public ---------------------------------------------------------------------------

    def run(self, items: Iterable[marc.Parsed]) -> Summary:
        # Decoding allocates millions of small objects (fields, subfields, dicts)
        # that form no cycles; the default threshold ran the cyclic collector every
        # 700 allocations. Raised for the run, restored after.
        threshold = gc.get_threshold()
        gc.set_threshold(max(threshold[0], 50_000), *threshold[1:])
        try:
            return self._run(items)
        finally:
            gc.set_threshold(*threshold)

    def _run(self, items: Iterable[marc.Parsed]) -> Summary:
        batch: list[_Pending] = []
        batch_keys: set[tuple[str, str]] = set()
        for item in items:
            if item.record is None:
                self._report(Outcome(item.position, REJECTED, item.error))
                continue
            if str(item.record.leader)[6:7] == "z":
                self._authority(item)
                continue
            problem = marc.validate(item.record)
            if problem:
                self._report(Outcome(item.position, REJECTED, problem))
                continue
            try:
                desc = marc.describe(item.record)
            except Exception as exc:
                self._report(
                    Outcome(
                        item.position,
                        REJECTED,
                        _("the record cannot be described: %(detail)s")
                        % {"detail": marc.reason_of(exc)},
                    )
                )
                continue
            warnings = item.warnings + marc.description_warnings(desc)
            pending = _Pending(item.position, item.record, desc, warnings, _match_keys(desc))
            keys = {(k, v) for k, values in pending.keys.items() for v in values}
            if keys & batch_keys or len(batch) >= self.batch_size:
                self._flush(batch)
                batch, batch_keys = [], set()
            batch.append(pending)
            batch_keys |= keys
        self._flush(batch)
        self.summary.outcomes.sort(key=lambda o: o.position)
        written = self.summary.total - self.summary.counts[REJECTED]
        if written >= settings.LIBRARY_ANALYZE_AFTER_RECORDS:
            analyze_tables(FILLED_TABLES)
            from .summaries import warm_common_queries

            warm_common_queries()
        return self.summary

    # --- internals ------------------------------------------------------------------------

    def _report(self, outcome: Outcome) -> None:
        self.summary.counts[outcome.outcome] += 1
        if self.keep_outcomes:
            self.summary.outcomes.append(outcome)
        if self.on_outcome:
            self.on_outcome(outcome)

    def _match(self, batch: list[_Pending]) -> None:
        wanted: dict[str, set[str]] = {"001": set(), "035": set(), "isbn": set()}
        for p in batch:
            for kind, values in p.keys.items():
                wanted[kind].update(values)
        found: dict[tuple[str, str], int] = {}
        for kind, values in wanted.items():
            values = list(values)
            for i in range(0, len(values), 500):
                rows = RecordIdentifier.objects.filter(kind=kind, value__in=values[i : i + 500])
                for value, record_id in rows.values_list("value", "record_id"):
                    found.setdefault((kind, value), record_id)
        isbn_ids = {rid for (kind, _v), rid in found.items() if kind == "isbn"}
        controls = dict(Record.objects.filter(pk__in=isbn_ids).values_list("pk", "control_number"))
        for p in batch:
            for kind in ("001", "035", "isbn"):
                for value in p.keys[kind]:
                    rid = found.get((kind, value))
                    if rid is None:
                        continue
                    # An ISBN is shared by editions and sets: it identifies a record
                    # only when one of the two has no control number of its own.
                    if kind == "isbn" and p.desc["control_number"] and controls.get(rid):
                        continue
                    p.existing_id = rid
                    break
                if p.existing_id:
                    break

    def _flush(self, batch: list[_Pending]) -> None:
        if not batch:
            return
        self._match(batch)
        try:
            with transaction.atomic():
                ids = self._write(batch)
        except DatabaseError:
            ids = {}
            for p in batch:
                try:
                    with transaction.atomic():
                        ids.update(self._write([p]))
                except DatabaseError as exc:
                    ids[p.position] = exc
        for p in batch:
            result = ids.get(p.position)
            if isinstance(result, Exception) or result is None:
                self._report(
                    Outcome(
                        p.position,
                        REJECTED,
                        _("the database refused the record: %(detail)s") % {"detail": result},
                    )
                )
                continue
            if p.warnings:
                prefix = _("updated; ") if p.existing_id else ""
                self._report(Outcome(p.position, WARNED, prefix + "; ".join(p.warnings), result))
            else:
                self._report(
                    Outcome(p.position, UPDATED if p.existing_id else IMPORTED, "", result)
                )

    def _write(self, batch: list[_Pending]) -> dict[int, int]:
        new = [p for p in batch if not p.existing_id]
        old = [p for p in batch if p.existing_id]
        ids = dict(zip([p.position for p in new], self._insert_records(new), strict=True))
        if old:
            existing = Record.objects.in_bulk([p.existing_id for p in old])
            changes = []
            # bulk_update skips auto_now: set it, reading-list PDFs key on it (library.pdfs)
            now = timezone.now()
            for p in old:
                obj = existing[p.existing_id]
                obj.updated_at = now
                before = obj.marc
                obj.marc = marc.to_dict(p.record)
                for f in RECORD_FIELDS:
                    setattr(obj, f, p.desc[f])
                if self.school_id and not obj.school_id:
                    obj.school_id = self.school_id
                ids[p.position] = obj.pk
                if before != obj.marc:
                    changes.append(
                        RecordChange.row(
                            record=obj, user=self.user, action="imported", before=before
                        )
                    )
            Record.objects.bulk_update(
                list(existing.values()),
                ["marc", "school", "updated_at", *RECORD_FIELDS],
                batch_size=500,
            )
            RecordChange.objects.bulk_create(changes)
            old_ids = [p.existing_id for p in old]
            RecordIdentifier.objects.filter(record_id__in=old_ids).delete()
            SearchDocument.objects.filter(record_id__in=old_ids).delete()
            FacetValue.objects.filter(record_id__in=old_ids).delete()
        identifiers, documents, facets, words = [], [], [], set()
        for p in batch:
            rid = ids[p.position]
            school_id = self.school_id
            identifiers += identifier_rows(rid, p.desc)
            documents.append(search_document(rid, p.desc, school_id))
            facets += facet_rows(rid, p.desc)
            words |= vocabulary(p.desc)
        insert_rows(RecordIdentifier, ID_COLUMNS, identifiers)
        insert_rows(SearchDocument, SEARCH_COLUMNS, documents)
        insert_rows(FacetValue, ID_COLUMNS, facets)
        words -= self._seen_words
        if words:
            insert_terms(words)
            self._seen_words |= words
        self._link_hosts(batch, ids)
        return ids

    def _insert_records(self, new: list[_Pending]) -> list[int]:
        """Record rows through one multi-row INSERT ... RETURNING per chunk: the
        ORM's bulk_create spent most of its time preparing values field by field."""
        if not new:
            return []
        ops = connection.ops
        now = ops.adapt_datetimefield_value(timezone.now())
        columns = ["marc", "school_id", "created_at", "updated_at", *RECORD_FIELDS]
        json_fields = {f for f in RECORD_FIELDS if isinstance(RECORD_MODEL_FIELDS[f], JSONField)}
        rows = []
        for p in new:
            desc = p.desc
            rows.append(
                (
                    ops.adapt_json_value(marc.to_dict(p.record), None),
                    self.school_id,
                    now,
                    now,
                    *[
                        ops.adapt_json_value(desc[f], None) if f in json_fields else desc[f]
                        for f in RECORD_FIELDS
                    ],
                )
            )
        return insert_returning_ids(Record, columns, rows)

    def _link_hosts(self, batch: list[_Pending], ids: dict[int, int]) -> None:
        """773 $w points at the host's control number; link both directions,
        whichever of host and part arrives first."""
        wanted = {_host_number(p.desc["host_control"]) for p in batch if p.desc["host_control"]}
        wanted.discard("")
        if wanted:
            hosts = dict(
                Record.objects.filter(control_number__in=wanted).values_list("control_number", "pk")
            )
            for p in batch:
                host_id = hosts.get(_host_number(p.desc["host_control"]))
                if host_id and host_id != ids[p.position]:
                    Record.objects.filter(pk=ids[p.position]).update(host_id=host_id)
        numbers = [p.desc["control_number"] for p in batch if p.desc["control_number"]]
        if numbers:
            by_number = {
                p.desc["control_number"]: ids[p.position] for p in batch if p.desc["control_number"]
            }
            orphans = Record.objects.filter(host__isnull=True).exclude(host_control="")
            for pk, host_control in orphans.filter(host_control__in=numbers).values_list(
                "pk", "host_control"
            ):
                Record.objects.filter(pk=pk).update(host_id=by_number[host_control])

    def _authority(self, item: marc.Parsed) -> None:
        record = item.record
        heading_fields = [
            f for f in record.fields if f.tag.startswith("1") and not f.is_control_field()
        ]
        if not heading_fields:
            self._report(
                Outcome(item.position, REJECTED, _("an authority record without a heading (1XX)"))
            )
            return

        def heading_of(f) -> str:
            parts = [marc.clean(v) for v in f.get_subfields("a", "b", "c", "d", "t")]
            subs = [marc.clean(v) for v in f.get_subfields("v", "x", "y", "z")]
            return " -- ".join(p for p in [" ".join(x for x in parts if x), *subs] if p)

        heading = heading_of(heading_fields[0])[:300]
        number = record["001"].data.strip()[:64] if record.get_fields("001") else ""
        kinds = {
            "100": "personal",
            "110": "corporate",
            "150": "topical",
            "151": "geographic",
            "155": "genre",
        }
        with transaction.atomic():
            existing = Authority.objects.filter(control_number=number).first() if number else None
            existing = existing or Authority.objects.filter(heading=heading).first()
            outcome = UPDATED if existing else IMPORTED
            authority = existing or Authority()
            authority.heading = heading
            authority.heading_norm = normalise_phrase(heading)[:300]
            authority.kind = kinds.get(heading_fields[0].tag, "")
            authority.control_number = number
            authority.marc = marc.to_dict(record)
            authority.save()
            authority.references.all().delete()
            refs = []
            for f in record.fields:
                if f.is_control_field() or f.tag[0] not in "45":
                    continue
                text = heading_of(f)[:300]
                if text:
                    kind = (
                        AuthorityReference.Kind.SEE
                        if f.tag[0] == "4"
                        else AuthorityReference.Kind.SEE_ALSO
                    )
                    refs.append(
                        AuthorityReference(
                            authority=authority,
                            kind=kind,
                            heading=text,
                            heading_norm=normalise_phrase(text)[:300],
                        )
                    )
            AuthorityReference.objects.bulk_create(refs)
        self._report(
            Outcome(item.position, WARNED if item.warnings else outcome, "; ".join(item.warnings))
        )


def import_stream(stream, fmt: str, **kwargs) -> Summary:
    """Import every record of an open binary stream; raises marc.MarcFileError
    only when the file as a whole cannot be read."""
    return Importer(**kwargs).run(marc.read_records(stream, fmt))
