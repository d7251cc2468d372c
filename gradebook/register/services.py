"""Write-side operations of the class register. Every write that changes
attendance, topics, remarks or excuses records a RegisterChange (who, when,
before, after) in the same transaction. Refusals raise RegisterError with a
stable `code`."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.producers import announce
from portal.audit import (
    audit_record,
    audited_delete,
    audited_save,
    history_row,
    jsonable,
    model_fields,
)
from portal.errors import ServiceError, validate
from portal.files import private_storage
from portal.models import AuditEvent, SchoolClass, SchoolYear, TeachingAssignment, User
from portal.selectors import current_class_of
from portal.years import ensure_year_open, year_closed_error

from .models import (
    Announcement,
    AnnouncementRead,
    Attendance,
    CalendarToken,
    Excuse,
    ExcuseDay,
    FreeDay,
    Homework,
    Lesson,
    LessonHour,
    PlannedTest,
    RegisterChange,
    RegisterSettings,
    Remark,
    TimetableEntry,
    new_token,
)


class RegisterError(ServiceError):
    """A refused register operation (portal.errors.ServiceError)."""


def _full_clean(obj, exclude=None) -> None:
    validate(obj, error=RegisterError, exclude=exclude)


def change_row(*, obj, action: str, user, before=None, after=None) -> RegisterChange:
    """The one way a RegisterChange row is made (unsaved, for bulk writes too)."""
    return history_row(
        RegisterChange,
        actor=user,
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        action=action,
        before=jsonable(before),
        after=jsonable(after),
    )


def record_change(*, obj, action: str, user, before=None, after=None) -> RegisterChange:
    row = change_row(obj=obj, action=action, user=user, before=before, after=after)
    row.save()
    return row


# --- Entry rules -------------------------------------------------------------------------


def _check_year(school_year) -> None:
    """A finished school year's register is read-only (portal.years)."""
    ensure_year_open(school_year, error=RegisterError)


def school_id_of(assignment: TeachingAssignment) -> int:
    return assignment.school_class.school_year.school_id


def entry_refusal(*, assignment: TeachingAssignment, day: datetime.date) -> RegisterError | None:
    """Why no entry may be made for a lesson of `assignment` on `day`, or None."""
    if assignment.school_class.school_year.closed_at is not None:
        return year_closed_error(assignment.school_class.school_year, RegisterError)
    if day > timezone.localdate():
        return RegisterError("future", _("Lessons in the future cannot be entered yet."))
    school_id = school_id_of(assignment)
    year = assignment.school_class.school_year
    if not (year.start <= day <= year.end):
        return RegisterError("outside_year", _("The day lies outside the school year."))
    if FreeDay.objects.filter(school_id=school_id, start__lte=day, end__gte=day).exists():
        return RegisterError("free_day", _("The school has no lessons on that day."))
    if day.weekday() >= 5:
        return RegisterError("weekend", _("There are no lessons at the weekend."))
    closed = RegisterSettings.for_school(school_id).closed_before
    if closed and day < closed:
        return RegisterError("closed", _("The register is closed for that term."))
    return None


def _check_entry(assignment: TeachingAssignment, day: datetime.date) -> None:
    refusal = entry_refusal(assignment=assignment, day=day)
    if refusal:
        raise refusal


# --- School admin: register settings, timetable and free days ---------------------------

_SETTINGS_FIELDS = model_fields(RegisterSettings, exclude=["school"])
_TIMETABLE_FIELDS = model_fields(TimetableEntry)
_FREE_DAY_FIELDS = model_fields(FreeDay, exclude=["school"])


@transaction.atomic
def register_settings_save(*, settings: RegisterSettings, user: User) -> RegisterSettings:
    """Save a school's register rules; what changed goes to the audit trail."""
    _full_clean(settings)
    return audited_save(
        settings,
        actor=user,
        category=AuditEvent.Category.SETTINGS,
        name="register_settings",
        school=settings.school_id,
        fields=_SETTINGS_FIELDS,
    )


def _bell_words(hours) -> dict:
    return {str(h.number): f"{h.start:%H:%M}–{h.end:%H:%M}" for h in hours}


@transaction.atomic
def bell_schedule_save(*, school, hours: dict, user: User) -> list[LessonHour]:
    """Replace a school's bell schedule ({lesson number: (start, end)}); the change
    goes to the audit trail as one row, lesson by lesson."""
    current = list(LessonHour.objects.select_for_update().filter(school=school))
    rows = [
        LessonHour(school=school, number=number, start=start, end=end)
        for number, (start, end) in sorted(hours.items())
    ]
    for row in rows:
        _full_clean(row, exclude=["school"])
    LessonHour.objects.filter(school=school).delete()
    LessonHour.objects.bulk_create(rows)
    audit_record(
        actor=user,
        category=AuditEvent.Category.SETTINGS,
        action="bell_schedule.update",
        target=school,
        school=school,
        before=_bell_words(current),
        after=_bell_words(rows),
    )
    return rows


@transaction.atomic
def timetable_entry_save(*, entry: TimetableEntry, user: User) -> list[str]:
    """Save a slot of the timetable. A class cannot be in two lessons at once
    (refused); a teacher or a room booked twice is saved with warnings, returned
    as sentences for the person who saved it."""
    from .selectors import timetable_clashes

    _check_year(entry.assignment.school_class.school_year)
    _full_clean(entry)
    clashes = timetable_clashes(entry)
    if clashes.school_class:
        raise RegisterError(
            "class_double_booked",
            _("The class already has %(lesson)s at this time.")
            % {"lesson": _slot_words(clashes.school_class[0])},
        )
    audited_save(
        entry,
        actor=user,
        category=AuditEvent.Category.TIMETABLE,
        name="timetable_entry",
        school=school_id_of(entry.assignment),
        fields=_TIMETABLE_FIELDS,
    )
    warnings = [
        _("%(teacher)s already teaches %(lesson)s at this time.")
        % {"teacher": other.assignment.teacher, "lesson": _slot_words(other)}
        for other in clashes.teacher
    ]
    warnings += [
        _("Room %(room)s is already taken by %(lesson)s at this time.")
        % {"room": other.room, "lesson": _slot_words(other)}
        for other in clashes.room
    ]
    return warnings


def _slot_words(entry: TimetableEntry) -> str:
    assignment = entry.assignment
    return _("%(subject)s in %(class)s (%(school)s)") % {
        "subject": assignment.subject.name,
        "class": assignment.school_class.name,
        "school": assignment.school_class.school_year.school.short_name,
    }


@transaction.atomic
def timetable_entry_delete(*, school_class: SchoolClass, entry_id: int | None, user: User) -> None:
    """Delete a slot of the class's timetable (nothing when it is not the class's)."""
    _check_year(school_class.school_year)
    entry = (
        TimetableEntry.objects.filter(pk=entry_id, assignment__school_class=school_class)
        .select_related("assignment__subject")
        .first()
    )
    if entry is not None:
        audited_delete(
            entry,
            actor=user,
            category=AuditEvent.Category.TIMETABLE,
            name="timetable_entry",
            school=school_class.school_year.school_id,
            fields=_TIMETABLE_FIELDS,
        )


@transaction.atomic
def free_day_save(*, free_day: FreeDay, user: User) -> FreeDay:
    _full_clean(free_day)
    return audited_save(
        free_day,
        actor=user,
        category=AuditEvent.Category.TIMETABLE,
        name="free_day",
        school=free_day.school_id,
        fields=_FREE_DAY_FIELDS,
    )


@transaction.atomic
def free_day_delete(*, school, free_day_id: int | None, user: User) -> None:
    """Delete a free day of the school (nothing when it is another school's)."""
    free_day = FreeDay.objects.filter(school=school, pk=free_day_id).first()
    if free_day is not None:
        audited_delete(
            free_day,
            actor=user,
            category=AuditEvent.Category.TIMETABLE,
            name="free_day",
            school=school,
            fields=_FREE_DAY_FIELDS,
        )


# --- Lessons and attendance --------------------------------------------------------------


@transaction.atomic
def lesson_materialise(
    *,
    assignment: TeachingAssignment,
    date: datetime.date,
    number: int,
    user: User,
    one_off: bool = False,
    substitute: User | None = None,
) -> Lesson:
    """The lesson row for a slot, created the first time someone opens it."""
    _check_entry(assignment, date)
    lesson, created = Lesson.objects.get_or_create(
        assignment=assignment,
        date=date,
        number=number,
        defaults={"is_one_off": one_off, "substitute_teacher": substitute},
    )
    if created:
        _full_clean(lesson)
        record_change(obj=lesson, action="create", user=user, after=_lesson_snapshot(lesson))
    return lesson


def _lesson_snapshot(lesson: Lesson) -> dict:
    return {
        "topic": lesson.topic,
        "substitute_teacher": lesson.substitute_teacher_id,
        "date": lesson.date.isoformat(),
        "number": lesson.number,
    }


@transaction.atomic
def lesson_set_substitute(*, lesson: Lesson, substitute: User | None, user: User) -> Lesson:
    _check_year(lesson.assignment.school_class.school_year)
    before = _lesson_snapshot(lesson)
    lesson.substitute_teacher = substitute
    lesson.save(update_fields=["substitute_teacher", "updated_at"])
    record_change(
        obj=lesson, action="substitute", user=user, before=before, after=_lesson_snapshot(lesson)
    )
    return lesson


@dataclass(frozen=True)
class Mark:
    status: str
    minutes_late: int | None = None


@transaction.atomic
def lesson_record(
    *, lesson: Lesson, topic: str, marks: dict[int, Mark], pupil_ids: list[int], user: User
) -> Lesson:
    """Save the topic and the attendance of a whole lesson in one go. Pupils
    without a mark are present. Marks for pupils not in the lesson are refused."""
    _check_entry(lesson.assignment, lesson.date)
    topic = (topic or "").strip()
    if not topic:
        raise RegisterError("topic_required", _("Enter the topic of the lesson."))
    allowed = set(pupil_ids)
    foreign = set(marks) - allowed
    if foreign:
        raise RegisterError("foreign_pupil", _("A pupil does not belong to this lesson."))
    valid_status = set(Attendance.Status.values)
    for mark in marks.values():
        if mark.status not in valid_status:
            raise RegisterError("bad_status", _("Unknown attendance code."))
        if mark.minutes_late is not None and not (0 < mark.minutes_late <= 45):
            raise RegisterError("bad_minutes", _("Minutes late must be between 1 and 45."))

    if topic != lesson.topic:
        before = _lesson_snapshot(lesson)
        lesson.topic = topic
        if before["topic"] or lesson.attendance_taken:
            record_change(
                obj=lesson, action="topic", user=user, before=before, after=_lesson_snapshot(lesson)
            )
        else:
            record_change(obj=lesson, action="topic", user=user, after=_lesson_snapshot(lesson))
    lesson.attendance_taken = True
    lesson.save(update_fields=["topic", "attendance_taken", "updated_at"])

    existing = {a.pupil_id: a for a in Attendance.objects.filter(lesson=lesson)}
    to_create, to_update, changes = [], [], []
    for pupil_id in pupil_ids:
        mark = marks.get(pupil_id, Mark(Attendance.Status.PRESENT))
        minutes = mark.minutes_late if mark.status == Attendance.Status.LATE else None
        row = existing.get(pupil_id)
        if row is None:
            to_create.append(
                Attendance(
                    lesson=lesson, pupil_id=pupil_id, status=mark.status, minutes_late=minutes
                )
            )
        elif row.status != mark.status or row.minutes_late != minutes:
            before = {"status": row.status, "minutes_late": row.minutes_late}
            row.status, row.minutes_late = mark.status, minutes
            to_update.append(row)
            changes.append((row, before))
    created = Attendance.objects.bulk_create(to_create)
    if to_update:
        Attendance.objects.bulk_update(to_update, ["status", "minutes_late"])
    history = [
        change_row(
            obj=row,
            action="attendance",
            user=user,
            before=before,
            after={"status": row.status, "minutes_late": row.minutes_late},
        )
        for row, before in changes
    ]
    if created and created[0].pk is not None:
        history += [
            change_row(
                obj=row,
                action="attendance",
                user=user,
                after={"status": row.status, "minutes_late": row.minutes_late},
            )
            for row in created
        ]
    absent = [row for row in [*to_update, *created] if row.status == Attendance.Status.UNEXCUSED]
    history += _cover_by_whole_days(lesson=lesson, rows=absent, user=user)
    RegisterChange.objects.bulk_create(history)
    # Families are told of absences and lateness after commit (the rows that
    # stayed unexcused: whole-day excuses may have covered some just now).
    marked = [row.pk for row in [*to_update, *created] if row.status in _TOLD_STATUSES]
    if marked and None in marked:  # backends without RETURNING
        marked = Attendance.objects.filter(lesson=lesson, status__in=_TOLD_STATUSES).values_list(
            "pk", flat=True
        )
    announce("attendance", marked)
    return lesson


_TOLD_STATUSES = (Attendance.Status.UNEXCUSED, Attendance.Status.LATE)


def _cover_by_whole_days(*, lesson: Lesson, rows: list[Attendance], user: User) -> list:
    """Absences marked on a day a guardian excused as a whole day join that
    excuse: pending, it will cover them when accepted; accepted, they are
    excused now. Returns the history rows of what it excused."""
    rows = [row for row in rows if row.pk is not None]
    if not rows:
        return []
    days = ExcuseDay.objects.filter(
        date=lesson.date,
        excuse__pupil_id__in=[row.pupil_id for row in rows],
        excuse__status__in=[Excuse.Status.PENDING, Excuse.Status.ACCEPTED],
    ).select_related("excuse")
    excuse_of = {day.excuse.pupil_id: day.excuse for day in days if day.covers(lesson.number)}
    links, excused, history = [], [], []
    for row in rows:
        excuse = excuse_of.get(row.pupil_id)
        if excuse is None:
            continue
        links.append(Excuse.attendances.through(excuse_id=excuse.pk, attendance_id=row.pk))
        if excuse.status == Excuse.Status.ACCEPTED:
            before = {"status": row.status, "minutes_late": row.minutes_late}
            row.status = Attendance.Status.EXCUSED
            excused.append(row)
            history.append(
                change_row(
                    obj=row,
                    action="excused",
                    user=user,
                    before=before,
                    after={"status": row.status, "minutes_late": None, "excuse": excuse.pk},
                )
            )
    Excuse.attendances.through.objects.bulk_create(links, ignore_conflicts=True)
    if excused:
        Attendance.objects.filter(pk__in=[row.pk for row in excused]).update(
            status=Attendance.Status.EXCUSED
        )
    return history


# --- Excuses -----------------------------------------------------------------------------


@transaction.atomic
def excuse_submit(
    *,
    guardian: User,
    pupil: User,
    attendance_ids: list[int],
    reason: str,
    days: Iterable[datetime.date] = (),
) -> Excuse:
    """A guardian excuses absences of their own child. Only absences, and none
    already covered by a pending or accepted excuse. `days` are whole days: the
    excuse covers that day's lessons marked absent later too (see lesson_record)."""
    from portal.permissions import is_guardian_of

    if not is_guardian_of(guardian, pupil):
        raise RegisterError("not_guardian", _("You can excuse only your own children."))
    reason = (reason or "").strip()
    if not reason:
        raise RegisterError("reason_required", _("Give the reason for the absence."))
    ids = set(attendance_ids)
    if not ids:
        raise RegisterError("nothing_chosen", _("Choose at least one absence."))
    rows = list(
        Attendance.objects.select_for_update()
        .filter(pk__in=ids, pupil=pupil)
        .select_related("lesson")
    )
    if len(rows) != len(ids):
        raise RegisterError("not_own", _("Some of the lessons are not your child's."))
    closed = SchoolYear.objects.filter(
        classes__assignments__lessons__attendances__in=rows, closed_at__isnull=False
    ).first()
    _check_year(closed)
    if any(r.status not in Attendance.ABSENT for r in rows):
        raise RegisterError("not_absence", _("Only absences can be excused."))
    if any(r.status == Attendance.Status.EXCUSED for r in rows) or (
        Excuse.objects.filter(
            attendances__in=rows,
            status__in=[Excuse.Status.PENDING, Excuse.Status.ACCEPTED],
        ).exists()
    ):
        raise RegisterError("already_excused", _("Some of these absences are already excused."))
    if not set(days) <= {row.lesson.date for row in rows}:
        raise RegisterError("bad_day", _("A whole day can be excused only with its absences."))
    school_class = current_class_of(pupil)
    if school_class is None:
        raise RegisterError("no_class", _("The pupil is not in a class."))
    excuse = Excuse(pupil=pupil, school_class=school_class, submitted_by=guardian, reason=reason)
    _full_clean(excuse)
    excuse.save()
    excuse.attendances.set(rows)
    whole_days = sorted(set(days))
    if whole_days:
        ExcuseDay.objects.bulk_create(ExcuseDay(excuse=excuse, date=day) for day in whole_days)
    after = {"status": excuse.status, "reason": reason, "attendances": sorted(ids)}
    if whole_days:
        after["days"] = [day.isoformat() for day in whole_days]
    record_change(obj=excuse, action="submit", user=guardian, after=after)
    return excuse


@transaction.atomic
def excuse_decide(*, excuse: Excuse, user: User, accept: bool, reason: str = "") -> Excuse:
    """Accept (the absences become excused) or reject (with a reason) a pending excuse."""
    excuse = (
        Excuse.objects.select_for_update()
        .select_related("school_class__school_year")
        .get(pk=excuse.pk)
    )
    _check_year(excuse.school_class.school_year)
    if excuse.status != Excuse.Status.PENDING:
        raise RegisterError("already_decided", _("This excuse has already been decided."))
    reason = (reason or "").strip()
    if not accept and not reason:
        raise RegisterError("reason_required", _("Give the reason for rejecting the excuse."))
    before = {"status": excuse.status}
    excuse.status = Excuse.Status.ACCEPTED if accept else Excuse.Status.REJECTED
    excuse.decided_by = user
    excuse.decided_at = timezone.now()
    excuse.decision_reason = reason
    excuse.save()
    if accept:
        excuse.attendances.add(*_covered_absences(excuse))
        _excuse_absences(list(excuse.attendances.filter(status=Attendance.Status.UNEXCUSED)), user)
    record_change(
        obj=excuse,
        action="decide",
        user=user,
        before=before,
        after={"status": excuse.status, "reason": reason},
    )
    announce("excuse", [excuse.pk])
    return excuse


def _excuse_absences(rows: list[Attendance], user: User) -> None:
    """Make these absences excused, each with its history row."""
    RegisterChange.objects.bulk_create(
        change_row(
            obj=row,
            action="excused",
            user=user,
            before={"status": row.status, "minutes_late": row.minutes_late},
            after={"status": Attendance.Status.EXCUSED, "minutes_late": None},
        )
        for row in rows
    )
    Attendance.objects.filter(pk__in=[r.pk for r in rows]).update(status=Attendance.Status.EXCUSED)


def _covered_absences(excuse: Excuse) -> list[Attendance]:
    """The pupil's unexcused absences in the lessons the excuse's days cover,
    not yet attached to it."""
    days = list(excuse.days.all())
    rows = (
        Attendance.objects.filter(
            pupil_id=excuse.pupil_id,
            status=Attendance.Status.UNEXCUSED,
            lesson__date__in=[day.date for day in days],
        )
        .exclude(excuses=excuse)
        .select_related("lesson")
    )
    return [
        row
        for row in rows
        if any(day.date == row.lesson.date and day.covers(row.lesson.number) for day in days)
    ]


@dataclass(frozen=True)
class CoveredDay:
    """A day of an advance absence notice and its lessons (None: from the first,
    to the last)."""

    date: datetime.date
    first_lesson: int | None = None
    last_lesson: int | None = None


@transaction.atomic
def excuse_in_advance(
    *,
    pupil: User,
    submitted_by: User,
    decided_by: User,
    reason: str,
    days: Iterable[CoveredDay],
) -> Excuse:
    """An accepted excuse for lessons not yet held (an advance absence notice the
    homeroom teacher accepted, from the e-services): the covered lessons marked
    absent later become excused at once (see `_cover_by_whole_days`), exactly
    those of the given lesson numbers; absences already marked in them now."""
    from portal.permissions import can_manage_school, is_homeroom_teacher_of

    school_class = current_class_of(pupil)
    if school_class is None:
        raise RegisterError("no_class", _("The pupil is not in a class."))
    _check_year(school_class.school_year)
    if not (
        is_homeroom_teacher_of(decided_by, school_class)
        or can_manage_school(decided_by, school_class.school_year.school)
    ):
        raise RegisterError("not_homeroom", _("Only the homeroom teacher decides excuses."))
    days = sorted(set(days), key=lambda d: d.date)
    if not days:
        raise RegisterError("nothing_chosen", _("Choose at least one day."))
    for day in days:
        if day.first_lesson and day.last_lesson and day.first_lesson > day.last_lesson:
            raise RegisterError("bad_lessons", _("The first lesson comes after the last one."))
    excuse = Excuse(
        pupil=pupil,
        school_class=school_class,
        submitted_by=submitted_by,
        reason=(reason or "").strip(),
        status=Excuse.Status.ACCEPTED,
        decided_by=decided_by,
        decided_at=timezone.now(),
    )
    _full_clean(excuse)
    excuse.save()
    ExcuseDay.objects.bulk_create(
        ExcuseDay(
            excuse=excuse, date=d.date, first_lesson=d.first_lesson, last_lesson=d.last_lesson
        )
        for d in days
    )
    rows = _covered_absences(excuse)
    excuse.attendances.add(*rows)
    _excuse_absences(rows, decided_by)
    record_change(
        obj=excuse,
        action="advance",
        user=decided_by,
        after={
            "status": excuse.status,
            "reason": excuse.reason,
            "days": [[d.date.isoformat(), d.first_lesson, d.last_lesson] for d in days],
        },
    )
    return excuse


# --- Remarks -----------------------------------------------------------------------------


@transaction.atomic
def remark_create(
    *, author: User, pupil: User, school_class: SchoolClass, kind: str, text: str
) -> Remark:
    _check_year(school_class.school_year)
    remark = Remark(
        author=author, pupil=pupil, school_class=school_class, kind=kind, text=(text or "").strip()
    )
    _full_clean(remark)
    remark.save()
    record_change(obj=remark, action="create", user=author, after={"kind": kind, "text": text})
    announce("remark", [remark.pk])
    return remark


@transaction.atomic
def remark_update(*, remark: Remark, user: User, kind: str, text: str) -> Remark:
    _check_year(remark.school_class.school_year)
    before = {"kind": remark.kind, "text": remark.text}
    remark.kind, remark.text = kind, (text or "").strip()
    _full_clean(remark)
    remark.save()
    record_change(
        obj=remark, action="update", user=user, before=before, after={"kind": kind, "text": text}
    )
    return remark


@transaction.atomic
def remark_acknowledge(*, remark: Remark, user: User) -> Remark:
    if remark.acknowledged_at:
        return remark
    remark.acknowledged_by = user
    remark.acknowledged_at = timezone.now()
    remark.save(update_fields=["acknowledged_by", "acknowledged_at"])
    record_change(obj=remark, action="acknowledge", user=user, after={"acknowledged": True})
    return remark


# --- Homework ----------------------------------------------------------------------------

ALLOWED_ATTACHMENT_TYPES = {
    ".pdf": b"%PDF",
    ".png": b"\x89PNG",
    ".jpg": b"\xff\xd8\xff",
    ".jpeg": b"\xff\xd8\xff",
    ".docx": b"PK\x03\x04",
    ".odt": b"PK\x03\x04",
    ".txt": b"",
}


def attachment_max_bytes() -> int:
    return getattr(settings, "REGISTER_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)


def check_attachment(upload) -> None:
    """Refuse files of other types (extension and magic bytes) or over the size limit."""
    suffix = PurePath(upload.name).suffix.lower()
    if suffix not in ALLOWED_ATTACHMENT_TYPES:
        raise RegisterError(
            "bad_type",
            _("Attach a PDF, image, DOCX, ODT or text file."),
        )
    if upload.size > attachment_max_bytes():
        raise RegisterError("too_large", _("The attachment is too large (at most 5 MB)."))
    head = upload.read(8)
    upload.seek(0)
    magic = ALLOWED_ATTACHMENT_TYPES[suffix]
    if not head.startswith(magic):
        raise RegisterError("bad_type", _("The file's content does not match its type."))


@transaction.atomic
def homework_create(
    *,
    assignment: TeachingAssignment,
    due_date: datetime.date,
    description: str,
    user: User,
    attachment=None,
) -> Homework:
    _check_year(assignment.school_class.school_year)
    homework = Homework(
        assignment=assignment, due_date=due_date, description=description, created_by=user
    )
    if attachment is not None:
        check_attachment(attachment)
        homework.attachment_name = PurePath(attachment.name).name[:200]
        homework.attachment = attachment
    _full_clean(homework, exclude=["attachment"])
    homework.save()
    announce("homework", [homework.pk])
    return homework


def _own_work(user: User, assignment: TeachingAssignment) -> None:
    """Homework and tests are changed by the teacher of the class and subject."""
    if assignment.teacher_id != user.pk:
        raise RegisterError(
            "not_yours", _("Only the teacher of this class and subject can change it.")
        )
    _check_year(assignment.school_class.school_year)


def _homework_state(homework: Homework) -> dict:
    return {
        "due_date": homework.due_date,
        "description": homework.description,
        "attachment": homework.attachment_name,
    }


@transaction.atomic
def homework_update(
    *,
    homework: Homework,
    due_date: datetime.date,
    description: str,
    user: User,
    attachment=None,
    remove_attachment: bool = False,
) -> Homework:
    """Change homework; the change is in the register's history."""
    _own_work(user, homework.assignment)
    before = _homework_state(homework)
    old_file = homework.attachment.name if homework.attachment else ""
    homework.due_date, homework.description = due_date, description
    if attachment is not None:
        check_attachment(attachment)
        homework.attachment_name = PurePath(attachment.name).name[:200]
        homework.attachment = attachment
    elif remove_attachment:
        homework.attachment, homework.attachment_name = "", ""
    _full_clean(homework, exclude=["attachment"])
    homework.save()
    after = _homework_state(homework)
    if before != after:
        record_change(obj=homework, action="homework.update", user=user, before=before, after=after)
    if old_file and old_file != (homework.attachment.name if homework.attachment else ""):
        transaction.on_commit(lambda: private_storage().delete(old_file))
    return homework


@transaction.atomic
def homework_delete(*, homework: Homework, user: User) -> None:
    _own_work(user, homework.assignment)
    record_change(
        obj=homework, action="homework.delete", user=user, before=_homework_state(homework)
    )
    old_file = homework.attachment.name if homework.attachment else ""
    homework.delete()
    if old_file:
        transaction.on_commit(lambda: private_storage().delete(old_file))


# --- Test calendar -----------------------------------------------------------------------


def test_limit_problems(
    *,
    assignment: TeachingAssignment,
    date: datetime.date,
    kind: str,
    today=None,
    moving: PlannedTest | None = None,
) -> list[str]:
    """The school limits a planned test would break (quizzes are not limited);
    `moving` is a planned test being moved, which does not count against itself."""
    if kind != PlannedTest.Kind.TEST:
        return []
    today = today or timezone.localdate()
    rules = RegisterSettings.for_school(school_id_of(assignment))
    problems = []
    if (date - today).days < rules.test_notice_days:
        problems.append(
            _("Tests must be announced at least %(days)s days ahead.")
            % {"days": rules.test_notice_days}
        )
    same_class = PlannedTest.objects.filter(
        assignment__school_class_id=assignment.school_class_id, kind=PlannedTest.Kind.TEST
    )
    if moving is not None:
        same_class = same_class.exclude(pk=moving.pk)
    if same_class.filter(date=date).count() >= rules.tests_per_day:
        problems.append(
            _("The class already has %(n)s test(s) that day.") % {"n": rules.tests_per_day}
        )
    monday = date - datetime.timedelta(days=date.weekday())
    week = same_class.filter(date__range=(monday, monday + datetime.timedelta(days=6)))
    if week.count() >= rules.tests_per_week:
        problems.append(
            _("The class already has %(n)s tests that week.") % {"n": rules.tests_per_week}
        )
    return problems


@transaction.atomic
def test_plan(
    *,
    assignment: TeachingAssignment,
    date: datetime.date,
    kind: str,
    scope: str,
    user: User,
    confirmed: bool = False,
) -> tuple[PlannedTest | None, list[str]]:
    """Plan a test. Broken limits block when the school says so; otherwise they
    are returned as warnings and the test is saved once the teacher confirms."""
    _check_year(assignment.school_class.school_year)
    problems = test_limit_problems(assignment=assignment, date=date, kind=kind)
    if problems:
        if RegisterSettings.for_school(school_id_of(assignment)).test_limits_block:
            raise RegisterError("test_limit", " ".join(problems))
        if not confirmed:
            return None, problems
    test = PlannedTest(assignment=assignment, date=date, kind=kind, scope=scope, created_by=user)
    _full_clean(test)
    test.save()
    announce("test", [test.pk])
    return test, problems


def _test_state(test: PlannedTest) -> dict:
    return {"date": test.date, "kind": test.kind, "scope": test.scope}


@transaction.atomic
def test_update(
    *,
    test: PlannedTest,
    date: datetime.date,
    kind: str,
    scope: str,
    user: User,
    confirmed: bool = False,
) -> tuple[PlannedTest | None, list[str]]:
    """Change a planned test under the same limits as planning it; when it moves
    to another day (or becomes a test), the class's families are told."""
    _own_work(user, test.assignment)
    before = _test_state(test)
    problems = []
    if date != test.date or kind != test.kind:
        problems = test_limit_problems(
            assignment=test.assignment, date=date, kind=kind, moving=test
        )
    if problems:
        if RegisterSettings.for_school(school_id_of(test.assignment)).test_limits_block:
            raise RegisterError("test_limit", " ".join(problems))
        if not confirmed:
            return None, problems
    test.date, test.kind, test.scope = date, kind, scope
    _full_clean(test)
    test.save()
    after = _test_state(test)
    if before != after:
        record_change(obj=test, action="test.update", user=user, before=before, after=after)
    if before["date"] != date:
        _notify_test_change(test, before["date"], date)
    return test, problems


@transaction.atomic
def test_delete(*, test: PlannedTest, user: User) -> None:
    """Take a test off the calendar; the class's families are told it is off."""
    _own_work(user, test.assignment)
    record_change(obj=test, action="test.delete", user=user, before=_test_state(test))
    _notify_test_change(test, test.date, None)
    test.delete()


def _notify_test_change(test: PlannedTest, old: datetime.date, new: datetime.date | None):
    what = f"{test.get_kind_display().capitalize()}: {test.assignment.subject.name} ({test.scope})"
    extra = {"what": what[:200], "old": old.isoformat(), "new": new.isoformat() if new else ""}
    announce("test_change", [test.assignment_id], **extra)


# --- Announcements -----------------------------------------------------------------------


@transaction.atomic
def announcement_create(
    *,
    author: User,
    school_id: int,
    audience: str,
    title: str,
    body: str,
    classes: list[SchoolClass] | None = None,
) -> Announcement:
    classes = list(classes or [])
    if audience == Announcement.Audience.CLASSES and not classes:
        raise RegisterError("classes_required", _("Choose at least one class."))
    if any(c.school_year.school_id != school_id for c in classes):
        raise RegisterError("foreign_class", _("A class belongs to another school."))
    announcement = Announcement(
        author=author, school_id=school_id, audience=audience, title=title, body=body
    )
    _full_clean(announcement)
    announcement.save()
    if audience == Announcement.Audience.CLASSES:
        announcement.classes.set(classes)
    announce("announcement", [announcement.pk])
    return announcement


def announcement_mark_read(*, announcement: Announcement, user: User) -> None:
    AnnouncementRead.objects.get_or_create(announcement=announcement, user=user)


# --- Calendar feed -----------------------------------------------------------------------


@transaction.atomic
def calendar_token_rotate(*, user: User) -> CalendarToken:
    """A new secret feed URL; the previous one stops working at once."""
    CalendarToken.objects.filter(user=user).delete()
    return CalendarToken.objects.create(user=user, token=new_token())


def calendar_token_revoke(*, user: User) -> None:
    CalendarToken.objects.filter(user=user).delete()
