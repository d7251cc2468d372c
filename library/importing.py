"""The MARC import engine shared by `import_marc`, the upload task and seed_demo.

Records are decoded, described and turned into rows first (library.preparing:
in worker processes for a large binary file); each batch is then matched
against the catalogue and written in one transaction with bulk inserts
(records, identifiers, search rows, facets). If the database refuses a batch,
each record of it is retried in its own transaction, so a bad record is
rejected alone and nothing is half-written.
"""

from __future__ import annotations

import contextlib
import gc
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import marc
from .analysis import normalise_phrase
from .indexing import (
    ID_COLUMNS,
    SEARCH_COLUMNS,
    analyze_tables,
    copy_text,
    identifiers_among,
    insert_parts,
    insert_returning_ids,
    insert_terms,
    lz4_compression,
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
from .models.fields import among
from .preparing import AUTHORITY, RECORD_FIELDS, REJECTED, Prepared, prepared

__all__ = ["IMPORTED", "RECORD_FIELDS", "REJECTED", "UPDATED", "WARNED", "Importer", "Outcome"]

IMPORTED, UPDATED, WARNED = "imported", "updated", "warned"
# What an import writes, analysed after a large one (LIBRARY_ANALYZE_AFTER_RECORDS).
FILLED_TABLES = (Record, RecordIdentifier, SearchDocument, FacetValue, Term)
# The columns the importer itself looks up while it writes (matching, host links),
# ANALYZEd on PostgreSQL whenever a large import has doubled what it wrote since the
# last time, from LOOKUP_ANALYZE_FIRST records on: planned on the statistics of the
# empty tables, those look-ups scanned the growing tables for every batch (measured
# at 250,000 records: 55 of the import's 159 s; docs/library.md).
LOOKUP_COLUMNS = {
    RecordIdentifier: ("kind", "value"),
    Record: ("control_number", "host_control", "host_id"),
}
LOOKUP_ANALYZE_FIRST = 5000
# library_record's columns as the importer writes them: a prepared row, then these
RECORD_COLUMNS = ["marc", *RECORD_FIELDS, "school_id", "created_at", "updated_at"]


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
        workers: int | None = None,
    ):
        self.school_id = getattr(school, "pk", school)
        self.user = user
        self.batch_size = batch_size
        self.keep_outcomes = keep_outcomes
        self.on_outcome = on_outcome
        # worker processes for a large binary file (library.preparing); 0: none
        self.workers = settings.LIBRARY_IMPORT_WORKERS if workers is None else workers
        self.summary = Summary()
        self._seen_words: set[str] = set()
        self._written = 0
        self._lookups_analyzed_at = 0

    # --- public ---------------------------------------------------------------------------

    def run(self, items: Iterable[marc.Parsed]) -> Summary:
        # Decoding allocates millions of small objects (fields, subfields, dicts)
        # that form no cycles; the default threshold ran the cyclic collector every
        # 700 allocations. Raised for the run (and the workers forked in it), restored after.
        threshold = gc.get_threshold()
        gc.set_threshold(max(threshold[0], 50_000), *threshold[1:])
        try:
            with lz4_compression():
                return self._run(items)
        finally:
            gc.set_threshold(*threshold)

    def _run(self, items: Iterable[marc.Parsed]) -> Summary:
        batch: list[Prepared] = []
        batch_keys: set[tuple[str, str]] = set()
        for p in prepared(
            items,
            self.school_id,
            workers=self.workers,
            parallel_after=settings.LIBRARY_IMPORT_PARALLEL_AFTER,
            ahead=2 * self.batch_size,
        ):
            if p.outcome == REJECTED:
                self._report(Outcome(p.position, REJECTED, p.reason))
                continue
            if p.outcome == AUTHORITY:
                self._authority(p.source)
                continue
            keys = {(k, v) for k, values in p.keys.items() for v in values}
            if keys & batch_keys or len(batch) >= self.batch_size:
                self._flush(batch)
                batch, batch_keys = [], set()
            batch.append(p)
            batch_keys |= keys
        self._flush(batch)
        self.summary.outcomes.sort(key=lambda o: o.position)
        written = self.summary.total - self.summary.counts[REJECTED]
        if written >= settings.LIBRARY_ANALYZE_AFTER_RECORDS:
            from .summaries import warm_common_queries

            # the filled tables analysed, then the broad queries computed ahead
            warm_common_queries(analyze=FILLED_TABLES)
        return self.summary

    # --- internals ------------------------------------------------------------------------

    def _report(self, outcome: Outcome) -> None:
        self.summary.counts[outcome.outcome] += 1
        if self.keep_outcomes:
            self.summary.outcomes.append(outcome)
        if self.on_outcome:
            self.on_outcome(outcome)

    def _match(self, batch: list[Prepared]) -> dict[int, int]:
        """The existing record each record of the batch updates: position -> id."""
        wanted: dict[str, set[str]] = {"001": set(), "035": set(), "isbn": set()}
        for p in batch:
            for kind, values in p.keys.items():
                wanted[kind].update(values)
        found = {(kind, value): rid for kind, value, rid in identifiers_among(wanted)}
        if not found:
            return {}
        isbn_ids = {rid for (kind, _v), rid in found.items() if kind == "isbn"}
        controls = dict(
            Record.objects.filter(pk__in=isbn_ids).order_by().values_list("pk", "control_number")
        )
        existing = {}
        for p in batch:
            for kind in ("001", "035", "isbn"):
                rid = next(
                    (
                        rid
                        for value in p.keys[kind]
                        if (rid := found.get((kind, value))) is not None
                        # An ISBN is shared by editions and sets: it identifies a record
                        # only when one of the two has no control number of its own.
                        and not (kind == "isbn" and p.control_number and controls.get(rid))
                    ),
                    None,
                )
                if rid:
                    existing[p.position] = rid
                    break
        return existing

    def _flush(self, batch: list[Prepared]) -> None:
        if not batch:
            return
        self._analyze_lookups()
        existing = self._match(batch)
        try:
            with transaction.atomic():
                ids = self._write(batch, existing)
        except DatabaseError:
            ids = {}
            for p in batch:
                try:
                    with transaction.atomic():
                        ids.update(self._write([p], existing))
                except DatabaseError as exc:
                    ids[p.position] = exc
        self._written += sum(1 for result in ids.values() if isinstance(result, int))
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
            updated = p.position in existing
            if p.warnings:
                prefix = _("updated; ") if updated else ""
                self._report(Outcome(p.position, WARNED, prefix + "; ".join(p.warnings), result))
            else:
                self._report(Outcome(p.position, UPDATED if updated else IMPORTED, "", result))

    def _analyze_lookups(self) -> None:
        """Fresh statistics for the columns this import looks up (LOOKUP_COLUMNS),
        each time what it wrote has doubled. Only the look-up columns: the whole
        tables are analysed once at the end."""
        if connection.vendor != "postgresql" or self._written < max(
            LOOKUP_ANALYZE_FIRST, 2 * self._lookups_analyzed_at
        ):
            return
        # Only planner statistics: a refused ANALYZE (a lock, a permission) does not
        # stop the import (inside a caller's transaction it is rolled back alone).
        with contextlib.suppress(DatabaseError), transaction.atomic():
            analyze_tables(LOOKUP_COLUMNS)
        self._lookups_analyzed_at = self._written

    def _write(self, batch: list[Prepared], existing: dict[int, int]) -> dict[int, int]:
        new = [p for p in batch if p.position not in existing]
        old = [p for p in batch if p.position in existing]
        ids = dict(zip([p.position for p in new], self._insert_records(new), strict=True))
        if old:
            self._update_records(old, existing, ids)
        identifiers, documents, facets, words = [], [], [], set()
        for p in batch:
            rid = ids[p.position]
            identifiers += [(rid, part) for part in p.identifiers]
            documents.append((rid, p.search))
            facets += [(rid, part) for part in p.facets]
            words.update(p.words)
        insert_parts(RecordIdentifier, ID_COLUMNS, identifiers)
        insert_parts(SearchDocument, SEARCH_COLUMNS, documents)
        insert_parts(FacetValue, ID_COLUMNS, facets)
        words -= self._seen_words
        if words:
            insert_terms(words)
            self._seen_words |= words
        self._link_hosts(batch, ids)
        return ids

    def _update_records(
        self, old: list[Prepared], existing_ids: dict[int, int], ids: dict[int, int]
    ) -> None:
        existing = Record.objects.in_bulk([existing_ids[p.position] for p in old])
        changes = []
        # bulk_update skips auto_now: set it, reading-list PDFs key on it (library.pdfs)
        now = timezone.now()
        for p in old:
            obj = existing[existing_ids[p.position]]
            obj.updated_at = now
            before = obj.marc
            obj.marc, values = p.values()
            for f, value in values.items():
                setattr(obj, f, value)
            if self.school_id and not obj.school_id:
                obj.school_id = self.school_id
            ids[p.position] = obj.pk
            if before != obj.marc:
                changes.append(
                    RecordChange.row(record=obj, user=self.user, action="imported", before=before)
                )
        Record.objects.bulk_update(
            list(existing.values()),
            ["marc", "school", "updated_at", *RECORD_FIELDS],
            batch_size=500,
        )
        RecordChange.objects.bulk_create(changes)
        old_ids = list(existing)
        RecordIdentifier.objects.filter(record_id__in=old_ids).delete()
        SearchDocument.objects.filter(record_id__in=old_ids).delete()
        FacetValue.objects.filter(record_id__in=old_ids).delete()

    def _insert_records(self, new: list[Prepared]) -> list[int]:
        """Record rows through one multi-row INSERT ... RETURNING per chunk (one COPY
        on PostgreSQL): the ORM's bulk_create spent most of its time preparing
        values field by field. The rows come prepared, JSON as text."""
        if not new:
            return []
        now = copy_text(connection.ops.adapt_datetimefield_value(timezone.now()))
        tail = f"\t{copy_text(self.school_id)}\t{now}\t{now}\n".encode()
        return insert_returning_ids(Record, RECORD_COLUMNS, [p.row + tail for p in new])

    def _link_hosts(self, batch: list[Prepared], ids: dict[int, int]) -> None:
        """773 $w points at the host's control number; link both directions,
        whichever of host and part arrives first."""
        wanted = {_host_number(p.host_control) for p in batch if p.host_control}
        wanted.discard("")
        if wanted:
            hosts = dict(
                Record.objects.filter(control_number__in=wanted)
                .order_by()
                .values_list("control_number", "pk")
            )
            for p in batch:
                host_id = hosts.get(_host_number(p.host_control))
                if host_id and host_id != ids[p.position]:
                    Record.objects.filter(pk=ids[p.position]).update(host_id=host_id)
        by_number = {p.control_number: ids[p.position] for p in batch if p.control_number}
        if by_number:
            orphans = Record.objects.filter(host__isnull=True).exclude(host_control="").order_by()
            for rows in among(orphans, "host_control", by_number, size=1000):
                for pk, host_control in rows.values_list("pk", "host_control"):
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
