"""Writes of the gmina's intranet: sending circulars and requests, answering,
closing, posting on the noticeboard. Each checks its permission rule, runs in one
transaction, is audited (portal.audit) and tells the people concerned through a
background task after commit."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable, Sequence
from pathlib import PurePath

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.errors import ServiceError
from portal.files import private_storage
from portal.models import AuditEvent, RoleAssignment, School, User

from . import tasks
from .models import (
    Attachment,
    Circular,
    CircularRecipient,
    DataRequest,
    Post,
    RequestAnswer,
    RequestField,
)
from .permissions import HEAD_ROLES, can_answer_for, can_manage_request, can_send

# The audit trail's category of this app's changes.
AUDIT_CATEGORY = AuditEvent.Category.INTRANET

ALLOWED_FILE_TYPES = {
    ".pdf": b"%PDF",
    ".png": b"\x89PNG",
    ".jpg": b"\xff\xd8\xff",
    ".jpeg": b"\xff\xd8\xff",
    ".docx": b"PK\x03\x04",
    ".xlsx": b"PK\x03\x04",
    ".odt": b"PK\x03\x04",
    ".ods": b"PK\x03\x04",
    ".txt": b"",
    ".csv": b"",
}


class IntranetError(ServiceError):
    """A refused intranet operation (portal.errors.ServiceError)."""


def file_max_bytes() -> int:
    return getattr(settings, "INTRANET_FILE_MAX_BYTES", 10 * 1024 * 1024)


def check_file(upload) -> None:
    """Refuse files of other types (extension and magic bytes) or over the size limit."""
    suffix = PurePath(upload.name).suffix.lower()
    if suffix not in ALLOWED_FILE_TYPES:
        raise IntranetError(
            "bad_type", _("Attach a PDF, image, DOCX, XLSX, ODT, ODS, CSV or text file.")
        )
    if upload.size > file_max_bytes():
        raise IntranetError("too_large", _("The file is too large (at most 10 MB)."))
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(ALLOWED_FILE_TYPES[suffix]):
        raise IntranetError("bad_type", _("The file's content does not match its type."))


def _require(condition: bool) -> None:
    if not condition:
        raise IntranetError("forbidden", _("You may not do this."))


def _schools(schools: Iterable[School] | None) -> list[School]:
    """The chosen schools, or every school of the gmina when none are chosen."""
    chosen = list(schools or [])
    if not chosen:
        chosen = list(School.objects.order_by("pk"))
    if not chosen:
        raise IntranetError("no_schools", _("Choose at least one school."))
    return chosen


def _attach(files: Sequence, **parent) -> None:
    for upload in files:
        name = PurePath(upload.name).name[:200]
        attachment = Attachment(name=name, **parent)
        attachment.file.save(upload.name, upload, save=False)
        attachment.save()


def head_recipients(school_ids: Iterable[int]) -> dict[int, int]:
    """{person id: school id} of the active headteachers and school admins of the
    schools, each person once (with the first of their schools)."""
    rows = (
        RoleAssignment.objects.filter(
            role__in=HEAD_ROLES, school_id__in=list(school_ids), user__is_active=True
        )
        .order_by("school_id", "user_id")
        .values_list("user_id", "school_id")
    )
    found: dict[int, int] = {}
    for user_id, school_id in rows:
        found.setdefault(user_id, school_id)
    return found


@transaction.atomic
def circular_send(
    *,
    author: User,
    subject: str,
    body: str,
    schools: Iterable[School] | None = None,
    files: Sequence = (),
) -> Circular:
    """Send a circular to the headteachers and school admins of `schools` (all
    schools when none are given). Recipients are resolved now and kept."""
    _require(can_send(author))
    subject, body = subject.strip(), body.strip()
    if not subject or not body:
        raise IntranetError("empty", _("Write a subject and a text."))
    for upload in files:
        check_file(upload)
    chosen = _schools(schools)
    circular = Circular.objects.create(author=author, subject=subject[:200], body=body)
    circular.schools.set(chosen)
    recipients = head_recipients(s.pk for s in chosen)
    CircularRecipient.objects.bulk_create(
        [
            CircularRecipient(circular=circular, person_id=person_id, school_id=school_id)
            for person_id, school_id in recipients.items()
        ]
    )
    _attach(files, circular=circular)
    audit_record(
        actor=author,
        category=AUDIT_CATEGORY,
        action="circular.send",
        target=circular,
        after={
            "subject": circular.subject,
            "schools": [s.pk for s in chosen],
        },
    )
    transaction.on_commit(lambda: tasks.notify_circular.enqueue(circular.pk))
    return circular


def circular_mark_read(*, circular: Circular, user: User) -> bool:
    """Mark the circular read by `user` (a recipient); True when it was unread."""
    updated = CircularRecipient.objects.filter(
        circular=circular, person=user, read_at__isnull=True
    ).update(read_at=timezone.now())
    return bool(updated)


@transaction.atomic
def request_create(
    *,
    author: User,
    title: str,
    description: str,
    kind: str,
    deadline: datetime.date,
    schools: Iterable[School] | None = None,
    fields: Sequence[tuple[str, str, bool]] = (),
) -> DataRequest:
    """Send a request for data with a deadline to `schools` (all when none):
    a document to upload, or a form of `fields` (label, kind, required)."""
    _require(can_send(author))
    title = title.strip()
    if not title:
        raise IntranetError("empty", _("Write a title."))
    if kind not in DataRequest.Kind.values:
        raise IntranetError("invalid", _("Choose what the schools send."))
    if deadline < timezone.localdate():
        raise IntranetError("past_deadline", _("The deadline cannot be in the past."))
    fields = [(label.strip(), k, req) for label, k, req in fields if label.strip()]
    if kind == DataRequest.Kind.FORM and not fields:
        raise IntranetError("no_fields", _("Add at least one question to the form."))
    if any(k not in RequestField.Kind.values for _label, k, _req in fields):
        raise IntranetError("invalid", _("Choose the kind of each question."))
    chosen = _schools(schools)
    data_request = DataRequest.objects.create(
        author=author,
        title=title[:200],
        description=description.strip(),
        kind=kind,
        deadline=deadline,
    )
    data_request.schools.set(chosen)
    if kind == DataRequest.Kind.FORM:
        RequestField.objects.bulk_create(
            [
                RequestField(
                    request=data_request, label=label[:200], kind=k, required=req, position=i
                )
                for i, (label, k, req) in enumerate(fields)
            ]
        )
    audit_record(
        actor=author,
        category=AUDIT_CATEGORY,
        action="request.send",
        target=data_request,
        after={
            "title": data_request.title,
            "kind": kind,
            "deadline": deadline,
            "schools": [s.pk for s in chosen],
        },
    )
    transaction.on_commit(lambda: tasks.notify_request.enqueue(data_request.pk))
    return data_request


@transaction.atomic
def request_close(*, data_request: DataRequest, user: User) -> DataRequest:
    """Close a request: no school may answer or change its answer any more."""
    _require(can_manage_request(user, data_request))
    data_request = DataRequest.objects.select_for_update().get(pk=data_request.pk)
    if data_request.closed_at is not None:
        return data_request
    data_request.closed_at = timezone.now()
    data_request.closed_by = user
    data_request.save(update_fields=["closed_at", "closed_by"])
    audit_record(
        actor=user,
        category=AUDIT_CATEGORY,
        action="request.close",
        target=data_request,
        before={"closed_at": None},
        after={"closed_at": data_request.closed_at},
    )
    return data_request


def answer_state(data_request: DataRequest, answer: RequestAnswer | None) -> str | None:
    """Why a school may not (or no longer) answer: an error code, or None."""
    if data_request.is_closed:
        return "closed"
    if answer is not None and data_request.is_past_deadline():
        return "deadline"
    return None


def _clean_values(data_request: DataRequest, values: dict) -> dict:
    cleaned = {}
    for field in data_request.fields.all():
        value = values.get(str(field.pk), values.get(field.pk))
        if field.kind == RequestField.Kind.NUMBER and value not in (None, ""):
            try:
                value = format(decimal.Decimal(str(value).replace(",", ".")).normalize(), "f")
            except decimal.InvalidOperation as exc:
                raise IntranetError(
                    "not_a_number", _("Give a number: %(label)s") % {"label": field.label}
                ) from exc
        elif field.kind == RequestField.Kind.YES_NO:
            value = bool(value) if value not in (None, "") else None
        elif value is not None:
            value = str(value).strip()
        if field.required and value in (None, ""):
            raise IntranetError(
                "missing", _("Answer the question: %(label)s") % {"label": field.label}
            )
        cleaned[str(field.pk)] = value
    return cleaned


@transaction.atomic
def answer_save(
    *,
    data_request: DataRequest,
    school_id: int,
    user: User,
    values: dict | None = None,
    file=None,
    note: str = "",
) -> RequestAnswer:
    """Save the school's one answer to a request. A head of the school answers
    while the request is open; an answer already given can be changed until the
    deadline, and one first given after the deadline is marked late."""
    _require(can_answer_for(user, data_request, school_id))
    data_request = DataRequest.objects.select_for_update().get(pk=data_request.pk)
    answer = (
        RequestAnswer.objects.select_for_update()
        .filter(request=data_request, school_id=school_id)
        .first()
    )
    refused = answer_state(data_request, answer)
    if refused == "closed":
        raise IntranetError("closed", _("The request is closed; answers cannot be changed."))
    if refused == "deadline":
        raise IntranetError(
            "deadline", _("The deadline has passed; the answer cannot be changed any more.")
        )
    fields = ["values", "file_name", "note"]
    before = None if answer is None else {f: getattr(answer, f) for f in fields}
    old_file = answer.file.name if answer is not None and answer.file else ""
    if answer is None:
        answer = RequestAnswer(request=data_request, school_id=school_id)
    if data_request.kind == DataRequest.Kind.DOCUMENT:
        if file is not None:
            check_file(file)
            answer.file_name = PurePath(file.name).name[:200]
            answer.file.save(file.name, file, save=False)
        elif not old_file:
            raise IntranetError("no_file", _("Attach the document."))
    else:
        answer.values = _clean_values(data_request, values or {})
    answer.note = note.strip()
    answer.answered_by = user
    answer.answered_at = timezone.now()
    if answer.pk is None:
        answer.late = data_request.is_past_deadline()
    answer.save()
    after = {f: getattr(answer, f) for f in fields}
    audit_record(
        actor=user,
        category=AUDIT_CATEGORY,
        action="answer.update" if before is not None else "answer.create",
        target=answer,
        school=school_id,
        before=before,
        after=after,
        only_changes=False,
    )
    new_file = answer.file.name if answer.file else ""
    if old_file and old_file != new_file:
        transaction.on_commit(lambda: private_storage().delete(old_file))
    return answer


@transaction.atomic
def post_create(
    *,
    author: User,
    title: str,
    body: str,
    expires_on: datetime.date | None = None,
    files: Sequence = (),
) -> Post:
    """Publish a news item on the staff noticeboard."""
    _require(can_send(author))
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise IntranetError("empty", _("Write a title and a text."))
    if expires_on is not None and expires_on < timezone.localdate():
        raise IntranetError("past_expiry", _("The post cannot expire in the past."))
    for upload in files:
        check_file(upload)
    post = Post.objects.create(author=author, title=title[:200], body=body, expires_on=expires_on)
    _attach(files, post=post)
    audit_record(
        actor=author,
        category=AUDIT_CATEGORY,
        action="post.create",
        target=post,
        after={"title": post.title, "expires_on": expires_on},
    )
    transaction.on_commit(lambda: tasks.notify_post.enqueue(post.pk))
    return post
