"""Write-side operations of the library. Keyword-only, validated, atomic;
refusals raise LibraryError with a stable code."""

from __future__ import annotations

import contextlib
import datetime

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import override

from . import marc
from .editor import EditorError, from_text
from .errors import LibraryError
from .importing import RECORD_FIELDS, Importer
from .indexing import (
    ID_COLUMNS,
    SEARCH_COLUMNS,
    facet_rows,
    identifier_rows,
    insert_rows,
    search_document,
    vocabulary,
)
from .models import (
    FacetValue,
    ImportJob,
    ImportReportLine,
    ReadingList,
    ReadingListItem,
    Record,
    RecordChange,
    RecordIdentifier,
    SearchDocument,
    Term,
    Topic,
    TopicEntry,
)
from .permissions import can_edit_record, can_manage_school_library

MAX_UPLOAD = 50 * 1024 * 1024


def _reindex(record: Record, desc: dict) -> None:
    RecordIdentifier.objects.filter(record=record).delete()
    SearchDocument.objects.filter(record=record).delete()
    FacetValue.objects.filter(record=record).delete()
    insert_rows(RecordIdentifier, ID_COLUMNS, identifier_rows(record.pk, desc))
    insert_rows(
        SearchDocument, SEARCH_COLUMNS, [search_document(record.pk, desc, record.school_id)]
    )
    insert_rows(FacetValue, ID_COLUMNS, facet_rows(record.pk, desc))
    Term.objects.bulk_create(
        [Term(word=w, head=w[:2]) for w in vocabulary(desc)], ignore_conflicts=True
    )


def record_save_marc(*, user, text: str, record: Record | None = None, school=None) -> Record:
    """Create or change a record from the tagged editor (see `record_save`)."""
    _check_cataloguing(user, record, school)
    try:
        parsed = from_text(text)
    except EditorError as exc:
        raise LibraryError("invalid_marc", " ".join(exc.errors)) from exc
    return record_save(user=user, parsed=parsed, record=record, school=school)


def _check_cataloguing(user, record: Record | None, school) -> None:
    if record is not None and not can_edit_record(user, record):
        raise LibraryError("not_allowed", _("You cannot edit this record."))
    if record is None and (school is None or not can_manage_school_library(user, school)):
        raise LibraryError("not_allowed", _("You cannot catalogue for this library."))


def record_save(
    *, user, parsed, record: Record | None = None, school=None, host: Record | None = None
) -> Record:
    """Create or change a record from a MARC record (the tagged editor, the
    cataloguing form). The change (who, when, before, after) is kept; the record
    is searchable as soon as this returns. `host` links an article to the record
    of its host item. `record.save_warnings` lists what the librarian should
    still fix."""
    _check_cataloguing(user, record, school)
    problem = marc.validate(parsed)
    if problem:
        raise LibraryError("invalid_marc", problem)
    desc = marc.describe(parsed)
    data = marc.to_dict(parsed)
    with transaction.atomic():
        before = None
        if record is None:
            record = Record(marc=data, school=school)
            action = "created"
        else:
            record = Record.objects.select_for_update().get(pk=record.pk)
            before = record.marc
            record.marc = data
            action = "edited"
        for name in RECORD_FIELDS:
            setattr(record, name, desc[name])
        if host is not None:
            record.host = host
        record.full_clean(exclude=["marc", "names", "isbns", "series", "subjects", "genres"])
        record.save()
        _reindex(record, desc)
        RecordChange.row(record=record, user=user, action=action, before=before).save()
    record.save_warnings = marc.description_warnings(desc)
    return record


# --- Import from the librarian's screen ------------------------------------------------


def import_job_create(*, user, school, file_name: str, data: bytes, fmt: str = "") -> ImportJob:
    if not can_manage_school_library(user, school):
        raise LibraryError("not_allowed", _("You cannot import into this library."))
    if not data:
        raise LibraryError("empty_file", _("The file is empty."))
    if len(data) > MAX_UPLOAD:
        raise LibraryError("too_large", _("The file is larger than 50 MB."))
    fmt = fmt or marc.guess_format(file_name, data[:200])
    if fmt not in marc.FORMATS:
        raise LibraryError("bad_format", _("Unknown format."))
    return ImportJob.objects.create(
        school=school,
        user=user,
        file_name=file_name[:200],
        data=data,
        fmt=fmt,
        total=marc.count_records(data, fmt),
    )


def import_job_run(*, job_id: int) -> ImportJob:
    """Run an import job (idempotent: a finished job is not run again; re-running
    a file only updates the records it already created)."""
    import io

    job = ImportJob.objects.get(pk=job_id)
    if job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    job.lines.all().delete()
    pending: list[ImportReportLine] = []
    counts = {"imported": 0, "updated": 0, "warned": 0, "rejected": 0}

    def on_outcome(outcome):
        counts[outcome.outcome] += 1
        pending.append(
            ImportReportLine(
                job_id=job.pk,
                position=outcome.position,
                outcome=outcome.outcome,
                reason=outcome.reason[:2000],
                record_id=outcome.record_id,
            )
        )
        if len(pending) >= 200:
            flush()

    def flush():
        ImportReportLine.objects.bulk_create(pending)
        pending.clear()
        ImportJob.objects.filter(pk=job.pk).update(processed=sum(counts.values()), **counts)

    importer = Importer(
        school=job.school_id, user=job.user, keep_outcomes=False, on_outcome=on_outcome
    )
    try:
        importer.run(marc.read_records(io.BytesIO(bytes(job.data)), job.fmt))
        status, message = ImportJob.Status.DONE, ""
    except marc.MarcFileError as exc:
        status, message = ImportJob.Status.FAILED, str(exc)
    except Exception as exc:
        # Not the file's fault: the job says so and keeps the file for a retry
        # from the background-work page; the task fails with the traceback.
        with contextlib.suppress(DatabaseError):
            flush()
        with override(settings.LANGUAGE_CODE):
            reason = _("The import stopped on an unexpected error: %(error)s") % {
                "error": f"{type(exc).__name__}: {exc}"
            }
        import_job_fail(job_id=job.pk, reason=reason)
        raise
    flush()
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, message=message, finished_at=timezone.now(), data=b""
    )
    job.refresh_from_db()
    return job


def import_job_fail(*, job_id: int, reason: str) -> bool:
    """Close a job that has not finished as failed, with the reason (its task
    failed or its worker died); the file stays for a retry. False when the job
    had already finished."""
    return bool(
        ImportJob.objects.filter(
            pk=job_id, status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]
        ).update(status=ImportJob.Status.FAILED, message=reason[:2000], finished_at=timezone.now())
    )


def import_job_requeue(*, job_id: int) -> bool:
    """Before its task is retried: a job that failed with its file still at hand
    waits again (the re-run only updates the records the first run created)."""
    return bool(
        ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.FAILED)
        .exclude(data=b"")
        .update(status=ImportJob.Status.QUEUED, message="", finished_at=None, processed=0)
    )


# --- Reading lists and the kartoteka -----------------------------------------------------


def _unique_slug(model, text: str) -> str:
    base = slugify(text)[:60] or "lista"
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def reading_list_save(*, user, reading_list: ReadingList) -> ReadingList:
    if not can_manage_school_library(user, reading_list.school):
        raise LibraryError("not_allowed", _("You cannot edit lists of this library."))
    if reading_list.kind == ReadingList.Kind.NEW:
        if not reading_list.date_from or not reading_list.date_to:
            raise LibraryError("dates_required", _("New acquisitions need a date range."))
        if reading_list.date_from > reading_list.date_to:
            raise LibraryError("bad_dates", _("The range ends before it starts."))
    if not reading_list.slug:
        reading_list.slug = _unique_slug(ReadingList, reading_list.title)
    if reading_list.created_by_id is None:
        reading_list.created_by = user
    with transaction.atomic():
        reading_list.full_clean()
        reading_list.save()
    return reading_list


def reading_list_add(*, user, reading_list: ReadingList, record: Record, note: str = "") -> None:
    if not can_manage_school_library(user, reading_list.school):
        raise LibraryError("not_allowed", _("You cannot edit lists of this library."))
    with transaction.atomic():
        position = reading_list.items.count()
        ReadingListItem.objects.get_or_create(
            reading_list=reading_list,
            record=record,
            defaults={"note": note[:300], "position": position},
        )


def reading_list_remove(*, user, reading_list: ReadingList, record_id: int) -> None:
    if not can_manage_school_library(user, reading_list.school):
        raise LibraryError("not_allowed", _("You cannot edit lists of this library."))
    reading_list.items.filter(record_id=record_id).delete()


def reading_list_records(reading_list: ReadingList):
    """The records of a list; new-acquisition lists are built from the range."""
    if reading_list.kind == ReadingList.Kind.NEW and reading_list.date_from:
        start = datetime.datetime.combine(reading_list.date_from, datetime.time.min)
        end = datetime.datetime.combine(reading_list.date_to, datetime.time.max)
        tz = timezone.get_current_timezone()
        qs = Record.objects.filter(
            created_at__gte=timezone.make_aware(start, tz),
            created_at__lte=timezone.make_aware(end, tz),
        )
        if reading_list.school_id:
            qs = qs.filter(school_id=reading_list.school_id)
        return qs.order_by("-created_at", "pk")
    return Record.objects.filter(pk__in=reading_list.items.values("record_id")).order_by(
        "title", "pk"
    )


def topic_save(*, user, topic: Topic) -> Topic:
    if not can_manage_school_library(user, topic.school):
        raise LibraryError("not_allowed", _("You cannot edit topics of this library."))
    if not topic.slug:
        topic.slug = _unique_slug(Topic, topic.name)
    with transaction.atomic():
        topic.full_clean()
        topic.save()
    return topic


def topic_add(*, user, topic: Topic, record: Record, note: str = "") -> TopicEntry:
    if not can_manage_school_library(user, topic.school):
        raise LibraryError("not_allowed", _("You cannot edit topics of this library."))
    entry, _created = TopicEntry.objects.get_or_create(
        topic=topic, record=record, defaults={"note": note[:300]}
    )
    return entry
