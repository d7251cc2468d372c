"""Computing the summary tables of the municipal analytics.

Incremental by design: a run recomputes only the months of a class that changed.
Which months changed is read from the change logs the register keeps anyway
(every grade, attendance mark and grade sheet column is recorded with its time,
§ 21 ust. 3 of the regulation), from the previous successful run's start on:

- grade history (`GradeHistory`): the month of the grade's column, and the month
  of the grade an improvement replaces;
- register history (`RegisterChange`) of attendance marks and lessons: the month
  of the lesson;
- audit trail of grade sheet columns (`AuditEvent`, category gradebook): every
  month of the column's class (a column's date or weight may have moved);
- grading settings changed (their audit trail): every month of the school.

Those months become `DirtyMonth` markers (anything else may mark one too), and
the run recomputes each marked class month from raw data, replacing its rows.
The first run, and a run asked for with `full=True`, recompute every month of
the current school years. Pupils per class and guardians' sign-ins are a
snapshot of the day, computed in a few grouped queries on every run.

Behaviour grades, year-end promotion decisions, library loans and the
decisions on excuses (an excuse's own time, not a register change) are not in
those change logs; their yearly class summary (`ClassYear`) is therefore
recomputed whole, for the current and the previous school year, by every run
(the nightly one included), in a few grouped queries.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from gradebook import scale as grade_scale
from gradebook.models import (
    Assessment,
    BehaviourGrade,
    Grade,
    GradeHistory,
    GradingSettings,
    TermGrade,
)
from gradebook.register.models import (
    Attendance,
    Excuse,
    ExcuseDay,
    Lesson,
    RegisterChange,
    TimetableEntry,
)
from gradebook.register.selectors import timetable_in_force
from gradebook.selectors import sheet_day
from gradebook.yearend.models import PromotionDecision, PromotionOutcome
from gradebook.yearend.rules import FAILING, is_unclassified
from library.circulation.models import Loan
from portal.audit import audit_record
from portal.models import (
    AuditEvent,
    Enrolment,
    SchoolClass,
    TeachingAssignment,
    TeachingGroup,
    Term,
)

from . import measures
from .models import (
    AggregationRun,
    ClassMonth,
    ClassSnapshot,
    ClassYear,
    DirtyMonth,
    SchoolMonth,
    SubjectMonth,
)
from .permissions import can_view_analytics

logger = logging.getLogger(__name__)


class AnalyticsError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1)


def months_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    months, month = [], month_start(start)
    while month <= end:
        months.append(month)
        month = next_month(month)
    return months


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


# --- Which months changed ----------------------------------------------------------------


def _year_months(class_ids, today: datetime.date) -> set[tuple[int, datetime.date]]:
    """Every month of these classes' school years, up to today."""
    pairs = set()
    for class_id, start, end in SchoolClass.objects.filter(pk__in=class_ids).values_list(
        "pk", "school_year__start", "school_year__end"
    ):
        pairs.update((class_id, m) for m in months_between(start, min(end, today)))
    return pairs


def trend_classes(today: datetime.date):
    """Classes of the current school years and of the year before, whose months a
    full computation covers: trends show this year beside the previous one."""
    return SchoolClass.objects.filter(
        school_year__end__gte=today - datetime.timedelta(days=400)
    ).filter(school_year__start__lte=today)


def changed_class_months(
    *, since: datetime.datetime, today: datetime.date
) -> set[tuple[int, datetime.date]]:
    """(class id, month) pairs whose grades or attendance changed since `since`."""
    pairs: set[tuple[int, datetime.date]] = set()
    whole_classes: set[int] = set()

    grade_changes = GradeHistory.objects.filter(at__gte=since, kind=GradeHistory.Kind.GRADE)
    for class_id, day, assignment_class_id in grade_changes.values_list(
        "assessment__assignment__school_class_id",
        "assessment__date",
        "assignment__school_class_id",
    ).distinct():
        if class_id and day:
            pairs.add((class_id, month_start(day)))
        elif assignment_class_id:  # the column is gone: its date is unknown
            whole_classes.add(assignment_class_id)
    # An improvement changes the month of the grade it replaces too.
    for class_id, day in Grade.objects.filter(
        pk__in=grade_changes.values("object_id"), improves__isnull=False
    ).values_list(
        "improves__assessment__assignment__school_class_id", "improves__assessment__date"
    ):
        pairs.add((class_id, month_start(day)))

    register = RegisterChange.objects.filter(at__gte=since)
    attendance_type = ContentType.objects.get_for_model(Attendance)
    lesson_type = ContentType.objects.get_for_model(Lesson)
    for class_id, month in (
        Attendance.objects.filter(
            pk__in=register.filter(content_type=attendance_type).values("object_id")
        )
        .annotate(month=TruncMonth("lesson__date"))
        .values_list("lesson__assignment__school_class_id", "month")
        .distinct()
    ):
        pairs.add((class_id, _as_date(month)))
    for class_id, day in Lesson.objects.filter(
        pk__in=register.filter(content_type=lesson_type).values("object_id")
    ).values_list("assignment__school_class_id", "date"):
        pairs.add((class_id, month_start(day)))

    columns = AuditEvent.objects.filter(
        at__gte=since,
        category=AuditEvent.Category.GRADEBOOK,
        target_type=ContentType.objects.get_for_model(Assessment),
    )
    whole_classes.update(
        Assessment.objects.filter(pk__in=columns.values("target_id")).values_list(
            "assignment__school_class_id", flat=True
        )
    )
    gone_columns = columns.exclude(target_id__in=Assessment.objects.values("pk")).values_list(
        "school_id", flat=True
    )
    # Changed grading rules (audited by `grading_settings_update`); a settings row
    # made with the defaults on first use is no change.
    changed_schools = set(gone_columns) | set(
        AuditEvent.objects.filter(
            at__gte=since, action__startswith="grading_settings."
        ).values_list("school_id", flat=True)
    )
    if changed_schools:
        whole_classes.update(
            SchoolClass.objects.current()
            .filter(school_year__school_id__in=changed_schools)
            .values_list("pk", flat=True)
        )
    pairs |= _year_months(whole_classes, today)
    return pairs


def mark_dirty(pairs) -> None:
    DirtyMonth.objects.bulk_create(
        [DirtyMonth(school_class_id=c, month=m) for c, m in pairs], ignore_conflicts=True
    )


# --- Recomputing one class's months ------------------------------------------------------


def _grade_rows(school_class, months: set[datetime.date], scale) -> dict:
    """{(subject id, month): {sums, failing, pupils}} of the class's grades in
    these months, averaged as the grade sheet does (`grade_scale.counted_marks`)."""
    first, last = min(months), next_month(max(months))
    grades = list(
        Grade.objects.filter(
            assessment__assignment__school_class=school_class,
            assessment__date__gte=first,
            assessment__date__lt=last,
        ).values_list(
            "pk",
            "pupil_id",
            "symbol",
            "improves_id",
            "assessment__date",
            "assessment__weight",
            "assessment__counts_to_average",
            "assessment__assignment__subject_id",
        )
    )
    # Improvements entered in another month still replace these grades.
    improvements = Grade.objects.filter(improves_id__in=[g[0] for g in grades]).values_list(
        "pk", "symbol", "improves_id"
    )
    marks = defaultdict(list)
    symbols = {}
    pupils = defaultdict(set)
    for pk, pupil_id, symbol, improves_id, day, weight, counts, subject_id in grades:
        month = month_start(day)
        if month not in months:
            continue
        key = (subject_id, month)
        symbols[pk] = symbol
        marks[key].append(grade_scale.Mark(pk, scale.value_of(symbol), weight, counts, improves_id))
        pupils[key].add(pupil_id)
    by_original = {}
    for pk, symbol, improves_id in improvements:
        by_original[improves_id] = grade_scale.Mark(
            pk, scale.value_of(symbol), 0, False, improves_id
        )
    result = {}
    for key, rows in marks.items():
        here = {m.key for m in rows}
        extra = [by_original[m.key] for m in rows if m.key in by_original]
        extra = [m for m in extra if m.key not in here]  # from another month
        counted = [
            m for m in grade_scale.counted_marks([*rows, *extra], scale) if m.value is not None
        ]
        total, weights, count = grade_scale.weighted_totals((m.value, m.weight) for m in counted)
        failing = sum(1 for m in counted if m.weight and measures.is_failing(symbols[m.key]))
        result[key] = {
            "weighted_sum": total,
            "weight_sum": weights,
            "grade_count": count,
            "failing_count": failing,
            "pupils": pupils[key],
        }
    return result


def _attendance_rows(school_class, months: set[datetime.date]) -> dict:
    first, last = min(months), next_month(max(months))
    rows = (
        Attendance.objects.filter(
            lesson__assignment__school_class=school_class,
            lesson__date__gte=first,
            lesson__date__lt=last,
        )
        .annotate(month=TruncMonth("lesson__date"))
        .values_list("lesson__assignment__subject_id", "month", "pupil_id", "status")
        .annotate(n=Count("pk"))
    )
    result = defaultdict(lambda: {"counts": defaultdict(int), "pupils": set()})
    for subject_id, month, pupil_id, status, n in rows:
        month = _as_date(month)
        if month not in months:
            continue
        entry = result[(subject_id, month)]
        entry["counts"][status] += n
        entry["pupils"].add(pupil_id)
    return result


def class_months_recompute(
    school_class: SchoolClass, months: set[datetime.date], *, computed_at: datetime.datetime
) -> int:
    """Replace the summary rows of these months of one class by a computation
    from raw data. Returns how many months it computed."""
    if not months:
        return 0
    school_id = school_class.school_year.school_id
    # Read, not created: a settings row made here would look like a change to the next run.
    settings = GradingSettings.objects.filter(school_id=school_id).first()
    scale = (settings or GradingSettings(school_id=school_id)).to_scale()
    grades = _grade_rows(school_class, months, scale)
    attendance = _attendance_rows(school_class, months)
    common = {
        "school_id": school_id,
        "school_year_id": school_class.school_year_id,
        "school_class": school_class,
        "level": school_class.level,
        "computed_at": computed_at,
    }
    subject_rows = []
    class_pupils = defaultdict(lambda: (set(), set()))
    for key in sorted(set(grades) | set(attendance)):
        subject_id, month = key
        g = grades.get(key, {})
        a = attendance.get(key, {"counts": {}, "pupils": set()})
        fields = {
            field: a["counts"].get(code, 0) for code, field in measures.ATTENDANCE_FIELDS.items()
        }
        subject_rows.append(
            SubjectMonth(
                **common,
                subject_id=subject_id,
                month=month,
                **fields,
                grade_count=g.get("grade_count", 0),
                weighted_sum=g.get("weighted_sum", Decimal(0)),
                weight_sum=g.get("weight_sum", Decimal(0)),
                failing_count=g.get("failing_count", 0),
                pupils=len(g.get("pupils", set()) | a["pupils"]),
            )
        )
        attended, graded = class_pupils[month]
        attended |= a["pupils"]
        graded |= g.get("pupils", set())
    class_rows = [
        ClassMonth(
            **common, month=month, attendance_pupils=len(attended), graded_pupils=len(graded)
        )
        for month, (attended, graded) in sorted(class_pupils.items())
    ]
    with transaction.atomic():
        SubjectMonth.objects.filter(school_class=school_class, month__in=months).delete()
        ClassMonth.objects.filter(school_class=school_class, month__in=months).delete()
        SubjectMonth.objects.bulk_create(subject_rows)
        ClassMonth.objects.bulk_create(class_rows)
    return len(months)


# --- Snapshots of the day ------------------------------------------------------------------


def snapshots_compute(*, now: datetime.datetime) -> None:
    """Pupils per class of the current years, the timetable in force today (weekly
    lessons and teachers, per class and per school), and guardians' sign-ins this
    month."""
    today = timezone.localdate(now)
    classes = SchoolClass.objects.current().values_list(
        "pk", "level", "school_year_id", "school_year__school_id"
    )
    pupils = dict(
        Enrolment.objects.active_on(today)
        .filter(school_class__school_year__is_current=True)
        .values_list("school_class_id")
        .annotate(n=Count("pupil", distinct=True))
    )
    # Each entry in force today is one lesson a week of one teacher.
    timetable = TimetableEntry.objects.filter(
        timetable_in_force(today), assignment__school_class__school_year__is_current=True
    )
    lessons = {"lessons": Count("pk"), "teachers": Count("assignment__teacher", distinct=True)}
    class_lessons = {
        row[0]: row[1:]
        for row in timetable.values_list("assignment__school_class_id").annotate(**lessons)
    }
    school_lessons = {
        row[0]: row[1:]
        for row in timetable.values_list(
            "assignment__school_class__school_year__school_id"
        ).annotate(**lessons)
    }
    month = month_start(today)
    month_began = timezone.make_aware(datetime.datetime.combine(month, datetime.time.min))
    guardian = "pupil__guardian_links__guardian"
    guardians = {
        row[0]: row[1:]
        for row in Enrolment.objects.active_on(today)
        .filter(school_class__school_year__is_current=True)
        .values_list("school_class__school_year__school_id")
        .annotate(
            all=Count(guardian, distinct=True),
            signed_in=Count(
                guardian, distinct=True, filter=Q(**{f"{guardian}__last_login__gte": month_began})
            ),
        )
    }
    with transaction.atomic():
        ClassSnapshot.objects.all().delete()
        ClassSnapshot.objects.bulk_create(
            ClassSnapshot(
                school_id=school_id,
                school_year_id=year_id,
                school_class_id=class_id,
                level=level,
                pupils=pupils.get(class_id, 0),
                weekly_lessons=class_lessons.get(class_id, (0, 0))[0],
                teachers=class_lessons.get(class_id, (0, 0))[1],
                computed_at=now,
            )
            for class_id, level, year_id, school_id in classes
        )
        SchoolMonth.objects.filter(month=month).delete()
        SchoolMonth.objects.bulk_create(
            SchoolMonth(
                school_id=school_id,
                month=month,
                guardians=guardians.get(school_id, (0, 0))[0],
                guardians_signed_in=guardians.get(school_id, (0, 0))[1],
                weekly_lessons=school_lessons.get(school_id, (0, 0))[0],
                teachers=school_lessons.get(school_id, (0, 0))[1],
                computed_at=now,
            )
            for school_id in sorted(set(guardians) | set(school_lessons))
        )


# --- The school year of a class: behaviour, year-end decisions, library -------------------

HONOURS = (PromotionOutcome.PROMOTED_WITH_HONOURS, PromotionOutcome.GRADUATED_WITH_HONOURS)


def _excuses_count(classes: dict, counts) -> None:
    """Add to `counts` the excuses decided in each class's school year: how many,
    the days from the first absence each covers to its decision, and the pupils
    they are for."""
    excuses = {}
    for pk, class_id, pupil_id, decided_at in Excuse.objects.filter(
        school_class_id__in=classes, decided_at__isnull=False
    ).values_list("pk", "school_class_id", "pupil_id", "decided_at"):
        _pk, _level, _year, _school, start, end = classes[class_id]
        decided = timezone.localdate(decided_at)
        if start <= decided <= end:
            excuses[pk] = [class_id, pupil_id, decided, None]
    firsts = [
        *ExcuseDay.objects.filter(excuse_id__in=excuses).values_list("excuse_id", "date"),
        *Excuse.attendances.through.objects.filter(excuse_id__in=excuses).values_list(
            "excuse_id", "attendance__lesson__date"
        ),
    ]
    for excuse_id, day in firsts:
        entry = excuses[excuse_id]
        entry[3] = day if entry[3] is None else min(entry[3], day)
    pupils = defaultdict(set)
    for class_id, pupil_id, decided, first in excuses.values():
        if first is None:  # covers no day: nothing to measure from
            continue
        counts[class_id]["excuses_decided"] += 1
        counts[class_id]["excuse_days"] += max((decided - first).days, 0)
        pupils[class_id].add(pupil_id)
    for class_id, ids in pupils.items():
        counts[class_id]["excused_pupils"] = len(ids)


def _classification_count(classes: dict, counts, today: datetime.date) -> None:
    """Add to `counts` each class's mid-year (term 1) and annual (the year's last
    term) classification from the final term grades: per pupil in grouped
    queries, never a query per pupil. Unclassified pupils are counted the way the
    school's classification summary counts them (the pupils in the class on the
    term's sheet day; a subject of the class, or of the pupil's group, without a
    final grade or assessment: `rules.is_unclassified`), and only in years whose
    last term the school has closed."""
    years = {c[2] for c in classes.values()}
    terms = defaultdict(dict)  # year -> {number: term id}
    for pk, year_id, number in Term.objects.filter(school_year_id__in=years).values_list(
        "pk", "school_year_id", "number"
    ):
        terms[year_id][number] = pk
    which = {}  # term id -> "midyear" | "annual"
    for numbers in terms.values():
        last = max(numbers)
        which[numbers[last]] = "annual"
        if last > 1 and 1 in numbers:  # a year of one term has no mid-year classification
            which[numbers[1]] = "midyear"
    finals = TermGrade.objects.filter(
        assignment__school_class_id__in=classes, term_id__in=which, kind=TermGrade.Kind.FINAL
    )
    for class_id, term_id, _pupil, numeric, total, failing in (
        finals.values_list("assignment__school_class_id", "term_id", "pupil_id")
        .annotate(
            numeric=Count("grade"),
            total=Sum("grade"),
            failing=Count("pk", filter=Q(grade=FAILING)),
        )
        .order_by()
    ):
        if not numeric:  # descriptive assessments only (classes 1–3)
            continue
        row, prefix = counts[class_id], which[term_id]
        row[f"{prefix}_graded"] += 1
        row[f"{prefix}_grade_sum"] += total
        row[f"{prefix}_grade_count"] += numeric
        row[f"{prefix}_failing"] += failing > 0

    closed = {
        term.pk: term
        for term in Term.objects.filter(
            pk__in=[t for t, kind in which.items() if kind == "annual"],
            grading_status__is_closed=True,
        )
    }
    if not closed:
        return
    # Who is classified: the pupils in the class on the term's sheet day, as on the
    # school's classification summary (gradebook.yearend.selectors), including a
    # pupil who has no final grade at all.
    pupils = defaultdict(set)  # class -> pupils on its closed annual term's sheet day
    for term in closed.values():
        year_classes = [pk for pk, c in classes.items() if c[2] == term.school_year_id]
        for class_id, pupil_id in (
            Enrolment.objects.active_on(sheet_day(term, today))
            .filter(school_class_id__in=year_classes)
            .values_list("school_class_id", "pupil_id")
        ):
            pupils[class_id].add(pupil_id)
    graded = defaultdict(set)  # (class, pupil) -> subjects with an annual grade
    for class_id, pupil_id, subject_id, grade, description in finals.filter(
        term_id__in=closed
    ).values_list(
        "assignment__school_class_id",
        "pupil_id",
        "assignment__subject_id",
        "grade",
        "description",
    ):
        if not is_unclassified(grade=grade, description=description):
            graded[(class_id, pupil_id)].add(subject_id)
    whole_class = defaultdict(set)  # class -> subjects taught to the whole class
    by_group = defaultdict(set)  # (class, group) -> subjects taught to the group
    for class_id, subject_id, group_id in TeachingAssignment.objects.filter(
        school_class_id__in=pupils
    ).values_list("school_class_id", "subject_id", "group_id"):
        if group_id is None:
            whole_class[class_id].add(subject_id)
        else:
            by_group[(class_id, group_id)].add(subject_id)
    group_subjects = defaultdict(set)  # (class, pupil) -> subjects of their groups there
    groups = {group_id: class_id for class_id, group_id in by_group}
    for group_id, pupil_id in TeachingGroup.pupils.through.objects.filter(
        teachinggroup_id__in=groups
    ).values_list("teachinggroup_id", "user_id"):
        class_id = groups[group_id]
        group_subjects[(class_id, pupil_id)] |= by_group[(class_id, group_id)]
    for class_id, ids in pupils.items():
        for pupil_id in ids:
            attended = whole_class[class_id] | group_subjects[(class_id, pupil_id)]
            if not attended:  # taught nothing in this class: not classified here
                continue
            counts[class_id]["annual_classified"] += 1
            counts[class_id]["annual_unclassified"] += bool(attended - graded[(class_id, pupil_id)])


def class_years_compute(*, now: datetime.datetime) -> int:
    """Replace the yearly class summaries of the current and the previous school
    years by a computation from raw data. Returns how many classes."""
    today = timezone.localdate(now)
    classes = {
        c[0]: c
        for c in trend_classes(today).values_list(
            "pk",
            "level",
            "school_year_id",
            "school_year__school_id",
            "school_year__start",
            "school_year__end",
        )
    }
    counts = defaultdict(lambda: defaultdict(int))
    enrolled = defaultdict(set)  # class -> pupils
    periods = defaultdict(list)  # pupil -> [(class, school, from, until)]
    for class_id, pupil_id, start, end in Enrolment.objects.filter(
        school_class_id__in=classes
    ).values_list("school_class_id", "pupil_id", "start_date", "end_date"):
        _pk, _level, _year, school_id, year_start, year_end = classes[class_id]
        enrolled[class_id].add(pupil_id)
        periods[pupil_id].append(
            (class_id, school_id, max(start, year_start), min(end or year_end, year_end))
        )
    # Each pupil's latest final behaviour grade of the year (annual over mid-year).
    latest = {}
    for class_id, pupil_id, value in (
        BehaviourGrade.objects.filter(school_class_id__in=classes, kind=BehaviourGrade.Kind.FINAL)
        .order_by("term__number")
        .values_list("school_class_id", "pupil_id", "value")
    ):
        latest[(class_id, pupil_id)] = value
    for (class_id, _pupil), value in latest.items():
        counts[class_id]["behaviour_graded"] += 1
        counts[class_id][measures.BEHAVIOUR_FIELDS[value]] += 1
    for class_id, outcome, n in (
        PromotionDecision.objects.filter(
            school_class_id__in=classes,
            homeroom_confirmed_at__isnull=False,
            admin_confirmed_at__isnull=False,
        )
        .exclude(outcome="")
        .values_list("school_class_id", "outcome")
        .annotate(n=Count("pk"))
    ):
        counts[class_id]["decided"] += n
        if outcome in HONOURS:
            counts[class_id]["honours"] += n
        elif outcome == PromotionOutcome.NOT_PROMOTED:
            counts[class_id]["not_promoted"] += n
    _excuses_count(classes, counts)
    _classification_count(classes, counts, today)
    readers = defaultdict(set)
    if classes:
        first = min(c[4] for c in classes.values())
        for pupil_id, school_id, at in Loan.objects.filter(
            reader_id__in=periods, checked_out_at__date__gte=first
        ).values_list("reader_id", "school_id", "checked_out_at"):
            day = timezone.localdate(at)
            for class_id, class_school, since, until in periods[pupil_id]:
                if class_school == school_id and since <= day <= until:
                    counts[class_id]["loans"] += 1
                    readers[class_id].add(pupil_id)
                    break
    rows = []
    for class_id, (_pk, level, year_id, school_id, _start, _end) in classes.items():
        row = counts[class_id]
        row["pupils"] = len(enrolled[class_id])
        row["readers"] = len(readers[class_id])
        rows.append(
            ClassYear(
                school_id=school_id,
                school_year_id=year_id,
                school_class_id=class_id,
                level=level,
                computed_at=now,
                **{name: row[name] for name in measures.YEAR_FIELDS},
            )
        )
    with transaction.atomic():
        ClassYear.objects.filter(school_class_id__in=classes).delete()
        ClassYear.objects.bulk_create(rows)
    return len(rows)


# --- A run -----------------------------------------------------------------------------------


def analytics_compute(
    *, full: bool = False, since: datetime.datetime | None = None, now=None
) -> int:
    """Bring the summaries up to date: mark the class months changed since
    `since` (every month of the current years when `full` or no `since`), then
    recompute each marked month from raw data. Idempotent. Returns how many
    class months it computed."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if full or since is None:
        mark_dirty(_year_months(trend_classes(today).values("pk"), today))
    else:
        mark_dirty(changed_class_months(since=since, today=today))
    dirty = list(DirtyMonth.objects.values_list("pk", "school_class_id", "month"))
    by_class = defaultdict(set)
    for _pk, class_id, month in dirty:
        by_class[class_id].add(month)
    computed = 0
    for school_class in SchoolClass.objects.filter(pk__in=by_class).select_related("school_year"):
        computed += class_months_recompute(school_class, by_class[school_class.pk], computed_at=now)
    # Only the markers read above: a change marked meanwhile waits for the next run.
    DirtyMonth.objects.filter(pk__in=[pk for pk, _c, _m in dirty]).delete()
    snapshots_compute(now=now)
    class_years_compute(now=now)
    return computed


def _previous_start() -> datetime.datetime | None:
    last = (
        AggregationRun.objects.filter(status=AggregationRun.Status.SUCCEEDED)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    return last


def aggregation_run_execute(*, run_id: int) -> AggregationRun:
    """Carry out one queued run (the task's body); a finished run is left alone."""
    with transaction.atomic():
        run = AggregationRun.objects.select_for_update().get(pk=run_id)
        if run.status in (AggregationRun.Status.SUCCEEDED, AggregationRun.Status.FAILED):
            return run
        run.status = AggregationRun.Status.RUNNING
        run.started_at = timezone.now()
        run.changes_since = None if run.full else _previous_start()
        run.save(update_fields=["status", "started_at", "changes_since"])
    try:
        computed = analytics_compute(full=run.full, since=run.changes_since, now=run.started_at)
    except Exception as error:
        aggregation_run_fail(run_id=run.pk, reason=str(error)[:1000] or error.__class__.__name__)
        raise
    run.status = AggregationRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.months_computed = computed
    run.save(update_fields=["status", "finished_at", "months_computed"])
    return run


def aggregation_run_fail(*, run_id: int, reason: str) -> None:
    AggregationRun.objects.filter(pk=run_id).exclude(status=AggregationRun.Status.SUCCEEDED).update(
        status=AggregationRun.Status.FAILED, finished_at=timezone.now(), message=reason
    )


def aggregation_run_requeue(*, run_id: int) -> None:
    AggregationRun.objects.filter(pk=run_id, status=AggregationRun.Status.FAILED).update(
        status=AggregationRun.Status.QUEUED, message="", finished_at=None
    )


def aggregation_run_queue(*, user=None, full: bool = False) -> AggregationRun:
    """Queue a run; an officer's request is checked and audited. A run already
    waiting is reused, so repeated clicks queue nothing more."""
    from .tasks import compute_figures

    if user is not None and not can_view_analytics(user):
        raise AnalyticsError("not_allowed", _("You cannot compute the municipal figures."))
    waiting = AggregationRun.objects.filter(status=AggregationRun.Status.QUEUED, full=full).first()
    if waiting is not None:
        return waiting
    run = AggregationRun.objects.create(requested_by=user, full=full)
    if user is not None:
        audit_record(
            actor=user,
            category=AuditEvent.Category.TASKS,
            action="analytics.run",
            target=run,
            after={"full": full},
        )
    transaction.on_commit(lambda: compute_figures.enqueue(run.pk))
    return run


def queue_nightly():
    """The periodic job: one incremental run (see `PeriodicJob`); nothing when a
    run is already waiting for the worker."""
    from .tasks import compute_figures

    if AggregationRun.objects.filter(status=AggregationRun.Status.QUEUED).exists():
        return None
    run = AggregationRun.objects.create()
    return compute_figures.enqueue(run.pk)


def seed_figures(_context=None) -> AggregationRun:
    """The demo's figures computed once, so a fresh demo's /gmina/ is not empty
    (a full run, recorded like any other; idempotent)."""
    return aggregation_run_execute(run_id=AggregationRun.objects.create(full=True).pk)
