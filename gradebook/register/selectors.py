"""Read-side queries of the class register. Each hot read runs in a fixed number
of queries, whatever the size of the class or the length of the term."""

from __future__ import annotations

import datetime
from collections import defaultdict, namedtuple
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from portal.changes import EMPTY, describe
from portal.models import (
    Enrolment,
    Role,
    SchoolClass,
    TeachingAssignment,
    TeachingGroup,
    User,
)
from portal.permissions import user_roles
from portal.statements import Statement

from .models import (
    Announcement,
    AnnouncementRead,
    Attendance,
    Excuse,
    FreeDay,
    Homework,
    Lesson,
    LessonHour,
    PlannedTest,
    RegisterChange,
    RegisterSettings,
    Remark,
    TimetableEntry,
)

ASSIGNMENT_RELATED = (
    "school_class__school_year__school",
    "group",
    "subject",
    "teacher",
)


# --- Attendance formula ------------------------------------------------------------------


def attendance_percent(counts: dict[str, int], *, late_counts_as_present: bool = True):
    """Attendance % = present / (present + absent), where present = present + late
    + school reasons and absent = excused + unexcused; released counts as neither.
    When the school does not count lateness as presence, a late arrival counts as an
    absence. None when nothing counts yet."""
    s = Attendance.Status
    present = counts.get(s.PRESENT, 0) + counts.get(s.SCHOOL, 0)
    absent = counts.get(s.EXCUSED, 0) + counts.get(s.UNEXCUSED, 0)
    if late_counts_as_present:
        present += counts.get(s.LATE, 0)
    else:
        absent += counts.get(s.LATE, 0)
    if present + absent == 0:
        return None
    return round(100 * present / (present + absent), 1)


# Fewer counted lessons than this give no warning (one absence in the first week
# of a term is not "nearing 50 %").
MIN_LESSONS_FOR_WARNING = 5


def _warn(counts, percent, settings) -> bool:
    counted = sum(counts.get(k, 0) for k in ("p", "s", "sz", "u", "n"))
    return (
        percent is not None
        and counted >= MIN_LESSONS_FOR_WARNING
        and 100 - percent >= settings.absence_warning_percent
    )


def _status_counts(rows) -> dict:
    return {k: rows.get(k, 0) for k in Attendance.Status.values}


# --- Timetable and lessons ---------------------------------------------------------------


@dataclass
class Slot:
    """A lesson of a day: from the timetable, materialised or not."""

    date: datetime.date
    number: int
    assignment: TeachingAssignment
    lesson: Lesson | None = None

    @property
    def topic(self) -> str:
        return self.lesson.topic if self.lesson else ""

    @property
    def is_complete(self) -> bool:
        return bool(self.lesson and self.lesson.is_complete)

    @property
    def substitute(self):
        return self.lesson.substitute_teacher if self.lesson else None


def _free_days(school_ids, start, end) -> list[FreeDay]:
    return list(FreeDay.objects.filter(school_id__in=school_ids, start__lte=end, end__gte=start))


def _is_free(free_days, school_id, day) -> bool:
    return any(f.school_id == school_id and f.start <= day <= f.end for f in free_days)


def slots_between(
    *,
    assignments_filter: Q,
    lessons_filter: Q,
    start: datetime.date,
    end: datetime.date,
) -> list[Slot]:
    """Every lesson between two dates: timetable slots on school days merged with
    lesson rows (one-off lessons, substitutions, lessons already taken). 3 queries."""
    entries = list(
        TimetableEntry.objects.filter(assignments_filter)
        .filter(assignment__school_class__school_year__is_current=True)
        .select_related(*(f"assignment__{r}" for r in ASSIGNMENT_RELATED))
    )
    lessons = list(Lesson.objects.filter(lessons_filter, date__range=(start, end)).with_related())
    return _merge_slots(entries, lessons, start, end)


def _merge_slots(entries, lessons, start: datetime.date, end: datetime.date) -> list[Slot]:
    """Timetable entries on the school days of their school year, the free days left
    out (one query), merged with the lesson rows, in order of day, number and class.
    Entries and lessons are model instances or `WeekEntry`/`WeekLesson` rows."""
    school_ids = {e.assignment.school_class.school_year.school_id for e in entries}
    free = _free_days(school_ids, start, end) if school_ids else []
    by_key = {(ls.assignment_id, ls.date, ls.number): ls for ls in lessons}
    slots: dict[tuple, Slot] = {}
    day = start
    while day <= end:
        if day.weekday() < 5:
            for entry in entries:
                school_id = entry.assignment.school_class.school_year.school_id
                year = entry.assignment.school_class.school_year
                if (
                    entry.applies_on(day)
                    and year.start <= day <= year.end
                    and not _is_free(free, school_id, day)
                ):
                    key = (entry.assignment_id, day, entry.number)
                    slots[key] = Slot(day, entry.number, entry.assignment, by_key.get(key))
        day += datetime.timedelta(days=1)
    for key, lesson in by_key.items():
        if key not in slots:
            slots[key] = Slot(lesson.date, lesson.number, lesson.assignment, lesson)
    return sorted(slots.values(), key=lambda s: (s.date, s.number, s.assignment.school_class.name))


# A pupil's week reads only what it shows, as plain rows: the model instances of
# `slots_between` (eight per timetable entry and per lesson) were a quarter of the page.
WeekSubject = namedtuple("WeekSubject", "name")
WeekYear = namedtuple("WeekYear", "school_id start end is_current")
WeekClass = namedtuple("WeekClass", "name school_year")
WeekAssignment = namedtuple("WeekAssignment", "pk subject school_class")
WeekLesson = namedtuple("WeekLesson", "pk assignment_id date number topic assignment")
WeekMark = namedtuple("WeekMark", "status minutes_late label")
# Homework and tests of the week with their assignment's plain row (the template
# reads `attachment` as true when there is a file, like a FieldFile).
WeekHomework = namedtuple("WeekHomework", "pk due_date description attachment assignment")
WeekTest = namedtuple("WeekTest", "pk date kind scope assignment get_kind_display")


class WeekEntry(
    namedtuple("WeekEntry", "assignment_id weekday number valid_from valid_until assignment")
):
    __slots__ = ()
    applies_on = TimetableEntry.applies_on


def _week_assignments_query(class_id: int, pupil_id: int):
    return TeachingAssignment.objects.filter(
        pupil_assignments_filter(pupil_id, class_id)
    ).values_list(
        "pk",
        "subject__name",
        "school_class__name",
        "school_class__school_year__school_id",
        "school_class__school_year__start",
        "school_class__school_year__end",
        "school_class__school_year__is_current",
    )


# The week view's statements, compiled once per process (portal.statements): building
# them through the ORM cost more than running them.
_WEEK_ASSIGNMENTS = Statement(TeachingAssignment, _week_assignments_query)
_WEEK_ENTRIES = Statement(
    TimetableEntry,
    lambda ids: TimetableEntry.objects.filter(assignment_id__in=ids).values_list(
        "assignment_id", "weekday", "number", "valid_from", "valid_until"
    ),
)
_WEEK_LESSONS = Statement(
    Lesson,
    lambda ids, start, end: Lesson.objects.filter(
        assignment_id__in=ids, date__gte=start, date__lte=end
    ).values_list("pk", "assignment_id", "date", "number", "topic"),
)


def week_assignments(pupil: User, school_class: SchoolClass) -> dict[int, WeekAssignment]:
    """The assignments of the pupil's week (`pupil_assignments_filter`), by id, as
    plain rows (subject, class, year). 1 query."""
    return {
        pk: WeekAssignment(pk, WeekSubject(subject), WeekClass(name, WeekYear(*year)))
        for pk, subject, name, *year in _WEEK_ASSIGNMENTS.rows(school_class.pk, pupil.pk)
    }


def week_slots(assignments: dict, start: datetime.date, end: datetime.date) -> list[Slot]:
    """`slots_between` for the `week_assignments`, read as plain rows: each slot's
    lesson topic and ids, no model instances. 3 queries (timetable, lessons, free days)."""
    current = [pk for pk, a in assignments.items() if a.school_class.school_year.is_current]
    entries = [WeekEntry(*row, assignments[row[0]]) for row in _WEEK_ENTRIES.rows(current)]
    lessons = [
        WeekLesson(*row, assignments[row[1]])
        for row in _WEEK_LESSONS.rows(list(assignments), start, end)
    ]
    return _merge_slots(entries, lessons, start, end)


def teacher_slots(teacher: User, start: datetime.date, end: datetime.date) -> list[Slot]:
    """A teacher's lessons between two dates, with their substitutions."""
    return slots_between(
        assignments_filter=Q(assignment__teacher=teacher),
        lessons_filter=Q(assignment__teacher=teacher) | Q(substitute_teacher=teacher),
        start=start,
        end=end,
    )


def unfilled_slots(slots: list[Slot]) -> list[Slot]:
    """The slots still to fill in: no lesson row yet, no topic or no attendance.
    Lessons before a school's `closed_before` date are left out: nobody may enter
    them any more. One query (the schools' register settings)."""
    school_ids = {s.assignment.school_class.school_year.school_id for s in slots}
    closed = (
        dict(
            RegisterSettings.objects.filter(
                school_id__in=school_ids, closed_before__isnull=False
            ).values_list("school_id", "closed_before")
        )
        if school_ids
        else {}
    )
    result = []
    for slot in slots:
        if slot.is_complete:
            continue
        school_closed = closed.get(slot.assignment.school_class.school_year.school_id)
        if school_closed and slot.date < school_closed:
            continue
        result.append(slot)
    return result


def missing_entries(teacher: User, *, days: int = 30, today=None) -> list[Slot]:
    """Past lessons of the teacher (last `days` days, today included) with no topic
    or no attendance yet. A lesson handed to a substitute is theirs to fill in."""
    today = today or timezone.localdate()
    start = today - datetime.timedelta(days=days)
    return [
        slot
        for slot in unfilled_slots(teacher_slots(teacher, start, today))
        if not (
            slot.lesson
            and slot.lesson.substitute_teacher_id
            and slot.lesson.substitute_teacher_id != teacher.pk
        )
    ]


def school_year_missing_entries(school_year, start: datetime.date, end: datetime.date):
    """Every lesson of a school year's classes between two dates still to fill in
    (no topic or no attendance), whoever teaches it: what the teachers' own
    "missing entries" lists hold, for the whole school. 4 queries."""
    in_year = Q(assignment__school_class__school_year=school_year)
    return unfilled_slots(
        slots_between(assignments_filter=in_year, lessons_filter=in_year, start=start, end=end)
    )


def lesson_pupils(lesson: Lesson):
    """The pupils of a lesson's class or group on its date, in register order."""
    enrolments = Enrolment.objects.active_on(lesson.date).filter(
        school_class_id=lesson.assignment.school_class_id
    )
    if lesson.assignment.group_id:
        enrolments = enrolments.filter(pupil__teaching_groups=lesson.assignment.group_id)
    return list(
        enrolments.select_related("pupil").order_by(
            "register_number", "pupil__last_name", "pupil__first_name"
        )
    )


def attendance_sheet(lesson: Lesson) -> list[dict]:
    """Rows for the attendance screen: pupil, register number, current mark. 2 queries."""
    enrolments = lesson_pupils(lesson)
    marks = {a.pupil_id: a for a in Attendance.objects.filter(lesson=lesson)} if lesson.pk else {}
    rows = []
    for enrolment in enrolments:
        mark = marks.get(enrolment.pupil_id)
        rows.append(
            {
                "pupil": enrolment.pupil,
                "number": enrolment.register_number,
                "status": mark.status if mark else Attendance.Status.PRESENT,
                "minutes_late": mark.minutes_late if mark else None,
            }
        )
    return rows


# --- A pupil's absences, one by one -------------------------------------------------------


@dataclass(frozen=True)
class ExcuseState:
    code: str  # excused, pending, rejected, none, or "" where no excuse applies
    label: str
    may_excuse: bool = False


def excuse_state(attendance: Attendance, *, today: datetime.date | None = None) -> ExcuseState:
    """Where an absence stands: excused, an excuse awaiting a decision, one rejected,
    or none yet (then a guardian may still send one within EXCUSE_DAYS). Reads the
    prefetched `excuses` of `pupil_absences`, no query of its own."""
    status = attendance.status
    if status == Attendance.Status.EXCUSED:
        return ExcuseState("excused", pgettext("excuse state", "accepted"))
    if status != Attendance.Status.UNEXCUSED:
        return ExcuseState("", "")
    excuses = list(attendance.excuses.all())
    if any(e.status == Excuse.Status.PENDING for e in excuses):
        return ExcuseState("pending", pgettext("excuse state", "awaiting a decision"))
    if any(e.status == Excuse.Status.REJECTED for e in excuses):
        return ExcuseState("rejected", pgettext("excuse state", "rejected"))
    today = today or timezone.localdate()
    recent = attendance.lesson.date >= today - datetime.timedelta(days=EXCUSE_DAYS)
    return ExcuseState("none", pgettext("excuse state", "none"), may_excuse=recent)


def pupil_absences(pupil: User, *, start: datetime.date, end: datetime.date, school_id: int):
    """A pupil's lessons not simply attended (absences, lateness, releases) in a
    period at one school, newest first, with subject and excuses: one query for
    a page of them and one for their excuses, however many there are."""
    return (
        Attendance.objects.filter(
            pupil=pupil,
            lesson__date__range=(start, end),
            lesson__assignment__school_class__school_year__school_id=school_id,
        )
        .exclude(status=Attendance.Status.PRESENT)
        .select_related("lesson__assignment__subject")
        .prefetch_related(
            Prefetch("excuses", queryset=Excuse.objects.only("pk", "status").order_by("-pk"))
        )
        .order_by("-lesson__date", "lesson__number")
    )


# --- Statistics --------------------------------------------------------------------------


def _counts_by(queryset, *keys) -> dict:
    aggregates = {code: Count("pk", filter=Q(status=code)) for code in Attendance.Status.values}
    result = {}
    for row in queryset.values(*keys).annotate(**aggregates):
        key = tuple(row[k] for k in keys)
        result[key] = {code: row[code] for code in Attendance.Status.values}
    return result


@dataclass
class StatsRow:
    label: str
    counts: dict
    percent: float | None
    warn: bool = False
    subjects: list = field(default_factory=list)
    pupil_id: int | None = None

    @property
    def absent_percent(self):
        return None if self.percent is None else round(100 - self.percent, 1)


def class_attendance_stats(
    school_class: SchoolClass,
    *,
    start: datetime.date,
    end: datetime.date,
    subject_ids: set[int] | None = None,
) -> dict:
    """Per pupil (overall and per subject) and for the class, between two dates.
    A pupil is flagged when their absence in a subject reaches the school's warning
    threshold (approaching the 50 % that prevents classification)."""
    school_id = school_class.school_year.school_id
    settings = RegisterSettings.for_school(school_id)
    late = settings.late_counts_as_present
    qs = Attendance.objects.filter(
        lesson__assignment__school_class=school_class, lesson__date__range=(start, end)
    )
    if subject_ids is not None:
        qs = qs.filter(lesson__assignment__subject_id__in=subject_ids)
    per_subject = _counts_by(
        qs, "pupil_id", "lesson__assignment__subject_id", "lesson__assignment__subject__name"
    )
    pupils = {
        e.pupil_id: e.pupil
        for e in Enrolment.objects.filter(school_class=school_class)
        .select_related("pupil")
        .order_by("register_number", "pupil__last_name")
    }
    per_pupil: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    per_pupil_subjects: dict[int, list] = defaultdict(list)
    total: dict[str, int] = defaultdict(int)
    for (pupil_id, _subject_id, subject_name), counts in per_subject.items():
        percent = attendance_percent(counts, late_counts_as_present=late)
        warn = _warn(counts, percent, settings)
        per_pupil_subjects[pupil_id].append(StatsRow(subject_name, counts, percent, warn))
        for code, n in counts.items():
            per_pupil[pupil_id][code] += n
            total[code] += n
    rows = []
    for pupil_id, pupil in pupils.items():
        counts = _status_counts(per_pupil.get(pupil_id, {}))
        subjects = sorted(per_pupil_subjects.get(pupil_id, []), key=lambda r: r.label)
        rows.append(
            StatsRow(
                pupil.sort_name,
                counts,
                attendance_percent(counts, late_counts_as_present=late),
                any(s.warn for s in subjects),
                subjects,
                pupil_id=pupil_id,
            )
        )
    return {
        "rows": rows,
        "total": StatsRow(
            school_class.name,
            _status_counts(total),
            attendance_percent(total, late_counts_as_present=late),
        ),
        "settings": settings,
        "warnings": [r for r in rows if r.warn],
    }


def class_attendance_by_day(
    school_class: SchoolClass,
    *,
    start: datetime.date,
    end: datetime.date,
    late_counts_as_present: bool | None = None,
) -> list[StatsRow]:
    """The class's attendance totals of each day with lessons between two dates
    (one query, and one for the school's setting unless given), for the monthly
    attendance report."""
    late = late_counts_as_present
    if late is None:
        school_id = school_class.school_year.school_id
        late = RegisterSettings.for_school(school_id).late_counts_as_present
    qs = Attendance.objects.filter(
        lesson__assignment__school_class=school_class, lesson__date__range=(start, end)
    )
    return [
        StatsRow(day, counts, attendance_percent(counts, late_counts_as_present=late))
        for (day,), counts in sorted(_counts_by(qs, "lesson__date").items())
    ]


def pupil_attendance_stats(pupil: User, *, start: datetime.date, end: datetime.date, school_id):
    settings = RegisterSettings.for_school(school_id)
    late = settings.late_counts_as_present
    qs = Attendance.objects.filter(
        pupil=pupil,
        lesson__date__range=(start, end),
        lesson__assignment__school_class__school_year__school_id=school_id,
    )
    rows = []
    total: dict[str, int] = defaultdict(int)
    for (_sid, name), counts in sorted(
        _counts_by(
            qs, "lesson__assignment__subject_id", "lesson__assignment__subject__name"
        ).items(),
        key=lambda kv: kv[0][1],
    ):
        percent = attendance_percent(counts, late_counts_as_present=late)
        warn = _warn(counts, percent, settings)
        rows.append(StatsRow(name, counts, percent, warn))
        for code, n in counts.items():
            total[code] += n
    months = [
        StatsRow(month, counts, attendance_percent(counts, late_counts_as_present=late))
        for (month,), counts in sorted(
            _counts_by(qs.annotate(month=TruncMonth("lesson__date")), "month").items()
        )
    ]
    return {
        "rows": rows,
        "months": months,
        "settings": settings,
        "total": StatsRow(
            "", _status_counts(total), attendance_percent(total, late_counts_as_present=late)
        ),
    }


def absence_warnings_for_teacher(teacher: User, *, start, end) -> list[dict]:
    """Pupils nearing 50 % absence in a subject the teacher teaches or in their class."""
    roles = user_roles(teacher)
    results = []
    for school_class in SchoolClass.objects.filter(
        pk__in=roles.homeroom_class_ids | roles.taught_class_ids
    ).select_related("school_year"):
        subject_ids = None
        if school_class.pk not in roles.homeroom_class_ids:
            subject_ids = set(
                TeachingAssignment.objects.filter(
                    teacher=teacher, school_class=school_class
                ).values_list("subject_id", flat=True)
            )
        stats = class_attendance_stats(school_class, start=start, end=end, subject_ids=subject_ids)
        for row in stats["warnings"]:
            for subject in row.subjects:
                if subject.warn:
                    results.append({"class": school_class, "pupil": row.label, "subject": subject})
    return results


# --- Excuses -----------------------------------------------------------------------------


EXCUSE_DAYS = 60  # how far back a guardian may still excuse an absence


def excusable_absences(pupil: User, *, days: int = EXCUSE_DAYS):
    """A child's absences a guardian may still excuse: unexcused, not in a pending
    or accepted excuse."""
    since = timezone.localdate() - datetime.timedelta(days=days)
    covered = Excuse.objects.filter(
        status__in=[Excuse.Status.PENDING, Excuse.Status.ACCEPTED]
    ).values("attendances")
    return (
        Attendance.objects.filter(
            pupil=pupil, status=Attendance.Status.UNEXCUSED, lesson__date__gte=since
        )
        .exclude(pk__in=covered)
        .select_related("lesson__assignment__subject")
        .order_by("-lesson__date", "lesson__number")
    )


# --- Announcements -----------------------------------------------------------------------


def remarks_in_enrolment(remarks, enrolment: Enrolment):
    """The remarks of `remarks` written in `enrolment`'s class during its dates
    (a family's earlier school year on the remarks page)."""
    remarks = remarks.filter(
        pupil_id=enrolment.pupil_id,
        school_class_id=enrolment.school_class_id,
        created_at__date__gte=enrolment.start_date,
    )
    if enrolment.end_date is not None:
        remarks = remarks.filter(created_at__date__lte=enrolment.end_date)
    return remarks


def announcements_for(user: User):
    """Announcements addressed to the user (or written by them), with author,
    school, whether the user has read each and how many have."""
    return (
        addressed_announcements(user)
        .select_related("author", "school")
        .annotate(
            is_read=Count("reads", filter=Q(reads__user=user)),
            read_count=Count("reads", distinct=True),
        )
    )


def addressed_announcements(user: User, enrolments: list | None = None):
    """The announcements of `announcements_for`, the rows alone: what a count or
    a list of titles needs (the read counts' joins and grouping cost more than the rows).
    `enrolments`: the family's enrolments active today with their classes and school
    years, when the page has them already (`portal.family.Family.enrolments`)."""
    roles = user_roles(user)
    today = timezone.localdate()
    family_ids = set(roles.child_ids)
    if roles.is_pupil:
        family_ids.add(user.pk)
    if enrolments is None:
        rows = list(
            Enrolment.objects.active_on(today)
            .filter(pupil_id__in=family_ids, school_class__school_year__is_current=True)
            .values_list("school_class_id", "school_class__school_year__school_id", "pupil_id")
        )
    else:
        rows = [
            (e.school_class_id, e.school_class.school_year.school_id, e.pupil_id)
            for e in enrolments
            if e.pupil_id in family_ids and e.school_class.school_year.is_current
        ]
    family_enrolments = [(c, s) for c, s, _p in rows]
    family_pupil_ids = [p for _c, _s, p in rows]
    family_classes = {c for c, _s in family_enrolments}
    family_schools = {s for _c, s in family_enrolments}
    child_ids = set(roles.child_ids)
    guardian_schools = {
        s
        for (_c, s), pupil_id in zip(family_enrolments, family_pupil_ids, strict=True)
        if pupil_id in child_ids
    }
    staff_schools = set(roles.staff_school_ids)
    classes = family_classes | roles.homeroom_class_ids | roles.taught_class_ids
    A = Announcement.Audience
    condition = Q(author=user)
    condition |= Q(audience=A.SCHOOL, school_id__in=family_schools | staff_schools)
    condition |= Q(audience=A.CLASSES, classes__in=classes)
    condition |= Q(audience=A.GUARDIANS, school_id__in=guardian_schools)
    condition |= Q(audience=A.STAFF, school_id__in=staff_schools)
    # School admins oversee every announcement of their school.
    condition |= Q(school_id__in=roles.schools(Role.SCHOOL_ADMIN))
    if roles.is_superuser:
        condition = Q()
    return Announcement.objects.filter(pk__in=Announcement.objects.filter(condition).values("pk"))


def unread_announcements(user: User, enrolments: list | None = None):
    """What the user has not read yet of `addressed_announcements` (no read counts)."""
    return addressed_announcements(user, enrolments).filter(
        ~Q(pk__in=AnnouncementRead.objects.filter(user=user).values("announcement"))
    )


# --- Week view and calendar --------------------------------------------------------------


def pupil_assignments_filter(pupil_id: int, class_id: int) -> Q:
    """The assignments a pupil attends: the class's whole-class ones and their groups'."""
    groups = TeachingGroup.pupils.through.objects.filter(user_id=pupil_id).values(
        "teachinggroup_id"
    )
    return Q(school_class_id=class_id) & (Q(group__isnull=True) | Q(group_id__in=groups))


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


_WEEK_MARKS = Statement(
    Attendance,
    lambda pupil_id, lesson_ids: Attendance.objects.filter(
        pupil_id=pupil_id, lesson_id__in=lesson_ids
    ).values_list("lesson_id", "status", "minutes_late"),
)


def _assignments_dated(model, date_field: str, *columns: str) -> Statement:
    """Rows of `model` of some assignments between two dates, by date and id."""
    return Statement(
        model,
        lambda ids, start, end: (
            model.objects.filter(
                assignment_id__in=ids, **{f"{date_field}__gte": start, f"{date_field}__lte": end}
            )
            .order_by(date_field, "pk")
            .values_list(*columns)
        ),
    )


_WEEK_HOMEWORK = _assignments_dated(
    Homework, "due_date", "pk", "assignment_id", "due_date", "description", "attachment"
)
_WEEK_TESTS = _assignments_dated(
    PlannedTest, "date", "pk", "assignment_id", "date", "kind", "scope"
)


def pupil_week(pupil: User, school_class: SchoolClass, monday: datetime.date, viewer: User):
    """A pupil's week: lessons with topics and their own attendance, homework due,
    tests coming, recent remarks and announcements. A fixed number of queries."""
    sunday = monday + datetime.timedelta(days=6)
    assignments = week_assignments(pupil, school_class)
    assignment_ids = list(assignments)
    slots = week_slots(assignments, monday, min(sunday, monday + datetime.timedelta(days=4)))
    lesson_ids = [s.lesson.pk for s in slots if s.lesson]
    labels = dict(Attendance.Status.choices)
    marks = {
        lesson_id: WeekMark(status, minutes_late, labels.get(status, status))
        for lesson_id, status, minutes_late in _WEEK_MARKS.rows(pupil.pk, lesson_ids)
    }
    days = []
    for offset in range(5):
        day = monday + datetime.timedelta(days=offset)
        day_slots = [s for s in slots if s.date == day]
        for s in day_slots:
            s.mark = marks.get(s.lesson.pk) if s.lesson else None
        days.append({"date": day, "iso": day.isoformat(), "slots": day_slots})
    homework = [
        WeekHomework(pk, due, description, attachment, assignments[assignment_id])
        for pk, assignment_id, due, description, attachment in _WEEK_HOMEWORK.rows(
            assignment_ids, monday, sunday
        )
    ]
    kinds = dict(PlannedTest.Kind.choices)
    tests = [
        WeekTest(pk, day, kind, scope, assignments[assignment_id], kinds.get(kind, kind))
        for pk, assignment_id, day, kind, scope in _WEEK_TESTS.rows(
            assignment_ids, monday, sunday + datetime.timedelta(days=14)
        )
    ]
    remarks = list(
        Remark.objects.filter(pupil=pupil).select_related("author").order_by("-created_at")[:10]
    )
    return {
        "days": days,
        "homework": homework,
        "tests": tests,
        "remarks": remarks,
        "monday": monday,
        "previous": monday - datetime.timedelta(days=7),
        "next": monday + datetime.timedelta(days=7),
    }


def calendar_items(user: User, *, today=None):
    """Homework and tests of the user's family (or the pupil themself) for the feed."""
    from portal.selectors import current_class_of

    from .permissions import family_pupils

    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=30)
    condition = Q(pk__in=[])
    for pupil in family_pupils(user):
        school_class = current_class_of(pupil)
        if school_class:
            condition |= pupil_assignments_filter(pupil.pk, school_class.pk)
    assignment_ids = list(TeachingAssignment.objects.filter(condition).values_list("pk", flat=True))
    homework = (
        Homework.objects.filter(assignment_id__in=assignment_ids, due_date__gte=since)
        .select_related("assignment__subject", "assignment__school_class")
        .order_by("due_date")
    )
    tests = (
        PlannedTest.objects.filter(assignment_id__in=assignment_ids, date__gte=since)
        .select_related("assignment__subject", "assignment__school_class")
        .order_by("date")
    )
    return list(homework), list(tests)


# --- History -----------------------------------------------------------------------------

HISTORY_ACTIONS = {
    "create": gettext_lazy("lesson entered"),
    "topic": gettext_lazy("topic"),
    "substitute": gettext_lazy("substitution"),
    "attendance": gettext_lazy("attendance"),
    "excused": gettext_lazy("absence excused"),
}


def attendance_words(state) -> str:
    """An attendance mark as a person says it: "spóźnienie 5 min"."""
    if not isinstance(state, dict) or not state.get("status"):
        return EMPTY
    label = str(dict(Attendance.Status.choices).get(state["status"], state["status"]))
    if state.get("minutes_late"):
        return _("%(mark)s %(minutes)s min") % {"mark": label, "minutes": state["minutes_late"]}
    return label


def lesson_history(lesson: Lesson):
    """The changes of a lesson and of its attendance, newest first."""
    attendance_ids = lesson.attendances.values("pk")
    return (
        RegisterChange.objects.filter(content_type__model="lesson", object_id=lesson.pk)
        | RegisterChange.objects.filter(
            content_type__model="attendance", object_id__in=attendance_ids
        )
    ).select_related("actor", "content_type")


def describe_lesson_changes(lesson: Lesson, changes) -> list:
    """A page of lesson history in words: what happened, to whom, and each
    changed field as "before → after" with names instead of codes."""
    changes = describe(changes, model_of=lambda c: c.content_type.model_class())
    pupils = {
        a.pk: a.pupil for a in Attendance.objects.filter(lesson=lesson).select_related("pupil")
    }
    for change in changes:
        change.what = HISTORY_ACTIONS.get(change.action, change.action)
        change.pupil = None
        if change.content_type.model == "attendance":
            change.pupil = pupils.get(change.object_id)
            change.changes = [
                (_("attendance"), attendance_words(change.before), attendance_words(change.after))
            ]
    return changes


# --- Timetable ---------------------------------------------------------------------------


@dataclass
class SlotClashes:
    """Other slots at the same weekday and lesson, in force on a common day."""

    school_class: list = field(default_factory=list)  # blocks: a class is in one place
    teacher: list = field(default_factory=list)  # warns: may be a planned exception
    room: list = field(default_factory=list)  # warns


def timetable_clashes(entry: TimetableEntry) -> SlotClashes:
    """What a (new or changed) slot collides with. Two different groups of one
    class may have lessons at the same time; the whole class and a group may not."""
    assignment = entry.assignment
    same_slot = TimetableEntry.objects.filter(weekday=entry.weekday, number=entry.number).exclude(
        pk=entry.pk
    )
    by_class_or_teacher = Q(assignment__school_class=assignment.school_class_id) | Q(
        assignment__teacher=assignment.teacher_id
    )
    if entry.room.strip():
        by_class_or_teacher |= Q(
            room__iexact=entry.room.strip(),
            assignment__school_class__school_year__school=assignment.school_class.school_year.school_id,
        )
    clashes = SlotClashes()
    others = same_slot.filter(by_class_or_teacher).select_related(
        "assignment__subject",
        "assignment__teacher",
        "assignment__school_class__school_year__school",
    )
    for other in others:
        if not entry.overlaps(other):
            continue
        theirs = other.assignment
        if theirs.school_class_id == assignment.school_class_id and not (
            theirs.group_id and assignment.group_id and theirs.group_id != assignment.group_id
        ):
            clashes.school_class.append(other)
        if theirs.teacher_id == assignment.teacher_id:
            clashes.teacher.append(other)
        if entry.room.strip() and other.room.strip().lower() == entry.room.strip().lower():
            clashes.room.append(other)
    return clashes


# --- A week's timetable with the bell schedule ---------------------------------------------


def bell_schedule(school_id: int) -> dict[int, tuple]:
    """{lesson number: (start, end)} of a school; empty when none is set."""
    return {
        h.number: (h.start, h.end)
        for h in LessonHour.objects.filter(school_id=school_id).order_by("number")
    }


def _weekly(entries: list[TimetableEntry], hours: dict) -> dict:
    """The same week twice: a table (lesson number × weekday) for wide screens and a
    list of days for a phone. `hours` is {(school id, number): (start, end)}; each
    entry gets its `hours` (or None) and a row gets the school's when there is one school."""
    schools = {e.assignment.school_class.school_year.school_id for e in entries}
    only_school = next(iter(schools)) if len(schools) == 1 else None
    by_slot: dict[tuple, list] = defaultdict(list)
    for entry in entries:
        school_id = entry.assignment.school_class.school_year.school_id
        entry.hours = hours.get((school_id, entry.number))
        by_slot[(entry.number, entry.weekday)].append(entry)
    numbers = sorted({number for number, _day in by_slot})
    if numbers and only_school is not None:
        # Show the free lessons between the first and the last too.
        numbers = list(range(numbers[0], numbers[-1] + 1))
    weekdays = TimetableEntry._meta.get_field("weekday").choices
    rows = [
        {
            "number": n,
            "hours": hours.get((only_school, n)),
            "days": [by_slot.get((n, day), []) for day, _label in weekdays],
        }
        for n in numbers
    ]
    days = [
        {
            "label": label,
            "slots": [
                {"number": n, "hours": hours.get((only_school, n)), "entries": by_slot[(n, day)]}
                for n in numbers
                if by_slot.get((n, day))
            ],
        }
        for day, label in weekdays
    ]
    return {"rows": rows, "days": days, "weekdays": [label for _d, label in weekdays]}


def timetable_in_force(day: datetime.date) -> Q:
    """Timetable entries in force on `day` (an entry without dates always is):
    the register's timetable and the municipal analytics' count of lessons."""
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=day)
    )


def _timetable(entries_filter: Q, day: datetime.date) -> dict:
    entries = list(
        TimetableEntry.objects.filter(entries_filter, timetable_in_force(day))
        .select_related(
            "assignment__subject",
            "assignment__teacher",
            "assignment__group",
            "assignment__school_class__school_year",
        )
        .order_by("weekday", "number", "assignment__subject__name")
    )
    school_ids = {e.assignment.school_class.school_year.school_id for e in entries}
    hours = {
        (h.school_id, h.number): (h.start, h.end)
        for h in LessonHour.objects.filter(school_id__in=school_ids)
    }
    return _weekly(entries, hours)


def pupil_timetable(pupil: User, school_class: SchoolClass, day: datetime.date) -> dict:
    """A pupil's weekly lessons in force on `day`: the class's and their groups', with
    the school's lesson hours. Three queries."""
    assignments = TeachingAssignment.objects.filter(
        pupil_assignments_filter(pupil.pk, school_class.pk)
    )
    return _timetable(Q(assignment__in=assignments), day)


def teacher_timetable(teacher: User, day: datetime.date) -> dict:
    """A teacher's weekly lessons in force on `day` in the current school years."""
    return _timetable(
        Q(assignment__in=TeachingAssignment.objects.current().filter(teacher=teacher)), day
    )
