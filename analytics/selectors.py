"""What the officer's pages read: the summary tables only, never raw grades or
attendance, in a fixed number of queries however many schools, classes, months
and grades there are."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gradebook.register.models import RegisterSettings
from portal.models import School

from . import measures
from .measures import MEASURES
from .models import (
    AggregationRun,
    ClassMonth,
    ClassSnapshot,
    ClassYear,
    SchoolMonth,
    SubjectMonth,
)

SUMMED = (
    *measures.ATTENDANCE_FIELDS.values(),
    "grade_count",
    "weighted_sum",
    "weight_sum",
    "failing_count",
)


@dataclass(frozen=True)
class Figure:
    """One number as the officer sees it: its value, or hidden because it was
    computed from fewer people than its measure allows."""

    measure: str
    value: object = None
    population: int = 0

    @property
    def suppressed(self) -> bool:
        # Nobody counted and nothing computed: "no data", not a hidden figure.
        if self.value is None and not self.population:
            return False
        return MEASURES[self.measure].suppressed(self.population)

    @property
    def shown(self):
        return None if self.suppressed else self.value


@dataclass
class SchoolFigures:
    school: School
    late_counts_as_present: bool = True
    pupils: int = 0
    classes: int = 0
    pupils_by_level: dict = field(default_factory=dict)
    figures: dict = field(default_factory=dict)  # measure key -> Figure
    by_month: dict = field(default_factory=dict)  # month -> Figure (attendance)
    computed_at: datetime.datetime | None = None

    # Filled in for the template, in the order of the tables' columns.
    month_list: list = field(default_factory=list)
    level_list: list = field(default_factory=list)
    behaviour_list: list = field(default_factory=list)  # a Figure per behaviour grade


#: Measures of a class's school year (`ClassYear`), one figure each.
YEARLY = (
    "midyear_average",
    "annual_average",
    "midyear_failing",
    "annual_failing",
    "annual_unclassified",
    "excuse_days",
    "behaviour_poor",
    "honours",
    "not_promoted",
    "loans_per_reader",
    "active_readers",
)
#: Counts of the timetable in force on the day of computation (no pupils behind them).
TIMETABLE = ("teachers", "weekly_lessons", "lessons_per_teacher")
#: Measures of a school's month (`SchoolMonth`): the month's last computation.
SCHOOL_MONTHLY = ("guardians_signed_in", *TIMETABLE)
#: The measures with one figure per school: the columns of the overview.
SINGLE = {k: m for k, m in MEASURES.items() if m.single}
#: The overview's schools side by side, as a few tables of one theme each (one
#: table of every measure was 24 columns wide and scrolled on any screen).
#: Every measure of `SINGLE` is in exactly one (tested).
OVERVIEW_GROUPS = (
    (
        "people",
        _("Pupils, classes and teachers"),
        ("pupils", "classes", "class_size", "teachers", "weekly_lessons", "lessons_per_teacher"),
    ),
    ("attendance", _("Attendance"), ("attendance", "lateness", "unexcused", "excuse_days")),
    (
        "grades",
        _("Grades and classification"),
        (
            "grade_average",
            "failing",
            "midyear_average",
            "annual_average",
            "midyear_failing",
            "annual_failing",
            "annual_unclassified",
        ),
    ),
    (
        "more",
        _("Behaviour, promotion, the library and the e-register"),
        (
            "behaviour_poor",
            "honours",
            "not_promoted",
            "loans_per_reader",
            "active_readers",
            "guardians_signed_in",
        ),
    ),
)


def grouped(queryset, by: tuple[str, ...], sums: dict) -> list[dict]:
    """Sums per group of `by`; with no fields, the one total."""
    if by:
        return list(queryset.values(*by).annotate(**sums))
    return [queryset.aggregate(**sums)]


def year_figures(*, by: tuple[str, ...], where: dict) -> dict:
    """{group: {measure: Figure}} of `YEARLY` and the behaviour distribution
    ("behaviour": {grade value: Figure}), from the yearly class summaries
    summed over the fields `by`. One query."""
    sums = {name: Sum(name) for name in measures.YEAR_FIELDS}
    queryset = ClassYear.objects.filter(**where)
    result = {}
    for row in grouped(queryset, by, sums):
        if row["pupils"] is None:
            continue
        graded, decided = row["behaviour_graded"], row["decided"]
        result[tuple(row[k] for k in by)] = {
            "behaviour": {
                value: Figure("behaviour", figure, graded)
                for value, figure in measures.behaviour_shares(row).items()
            },
            **{
                f"{c}_average": Figure(
                    f"{c}_average", measures.classification_average(row, c), row[f"{c}_graded"]
                )
                for c in measures.CLASSIFICATIONS
            },
            **{
                f"{c}_failing": Figure(
                    f"{c}_failing",
                    measures.classification_failing_share(row, c),
                    row[f"{c}_graded"],
                )
                for c in measures.CLASSIFICATIONS
            },
            "annual_unclassified": Figure(
                "annual_unclassified", measures.unclassified_share(row), row["annual_classified"]
            ),
            "excuse_days": Figure("excuse_days", measures.excuse_days(row), row["excused_pupils"]),
            "behaviour_poor": Figure("behaviour_poor", measures.behaviour_poor_share(row), graded),
            "honours": Figure("honours", measures.honours_share(row), decided),
            "not_promoted": Figure("not_promoted", measures.not_promoted_share(row), decided),
            "loans_per_reader": Figure(
                "loans_per_reader", measures.loans_per_reader(row), row["readers"]
            ),
            "active_readers": Figure(
                "active_readers", measures.active_readers_share(row), row["pupils"]
            ),
        }
    return result


def timetable_figures(*, teachers: int | None, lessons: int | None) -> dict[str, Figure]:
    """The figures of `TIMETABLE` from counted teachers and weekly lessons; no
    data without a lesson in the timetable (the school keeps it elsewhere). Staff
    and lessons, not pupils: never hidden (their measures' minimum is 0)."""
    if not lessons:
        return {key: Figure(key) for key in TIMETABLE}
    return {
        "teachers": Figure("teachers", teachers, teachers),
        "weekly_lessons": Figure("weekly_lessons", lessons, lessons),
        "lessons_per_teacher": Figure(
            "lessons_per_teacher", measures.lessons_per_teacher(lessons, teachers), teachers
        ),
    }


def school_month_figures(row: dict) -> dict[str, Figure]:
    """The figures of `SCHOOL_MONTHLY` from (summed) school-month fields."""
    return {
        "guardians_signed_in": Figure(
            "guardians_signed_in",
            measures.share(row["guardians_signed_in"] or 0, row["guardians"] or 0),
            row["guardians"] or 0,
        ),
        **timetable_figures(teachers=row["teachers"], lessons=row["weekly_lessons"]),
    }


#: Fields of `SchoolMonth` that `school_month_figures` reads.
SCHOOL_MONTH_FIELDS = ("guardians", "guardians_signed_in", "teachers", "weekly_lessons")


def _sums(queryset, *keys):
    return queryset.values(*keys).annotate(
        **{name: Sum(name) for name in SUMMED}, computed=Max("computed_at")
    )


def _add(into: dict, row: dict) -> None:
    for name in SUMMED:
        into[name] = into.get(name, 0) + (row[name] or 0)


def subject_level_figures(*, school: School) -> tuple[list[int], list[tuple[str, list]]]:
    """Grade averages of one school's current year by subject and level
    (classes of one level together): the levels, and a row per subject with a
    `Figure` per level (None where the subject is not taught at that level)."""
    cells = {}  # (subject, level) -> sums
    for row in (
        SubjectMonth.objects.filter(school=school, school_year__is_current=True, grade_count__gt=0)
        .values("school_class_id", "subject__name", "level")
        .annotate(
            **{name: Sum(name) for name in SUMMED}, most=Max("pupils"), computed=Max("computed_at")
        )
    ):
        cell = cells.setdefault((row["subject__name"], row["level"]), {})
        _add(cell, row)
        cell["population"] = cell.get("population", 0) + row["most"]
    levels = sorted({level for _name, level in cells})
    names = sorted({name for name, _level in cells})
    return levels, [
        (
            name,
            [
                Figure(
                    "grade_average",
                    measures.grade_average(cells[(name, level)]),
                    cells[(name, level)]["population"],
                )
                if (name, level) in cells
                else None
                for level in levels
            ],
        )
        for name in names
    ]


def municipal_overview(*, today: datetime.date | None = None) -> dict:
    """Schools side by side with every measure of `MEASURES`, attendance by
    month and behaviour, for the current school years (a school's subjects are
    on its own page: `subject_level_figures`)."""
    today = today or timezone.localdate()
    schools = list(School.objects.active().order_by("name"))
    ids = [s.pk for s in schools]
    late = dict(
        RegisterSettings.objects.filter(school_id__in=ids).values_list(
            "school_id", "late_counts_as_present"
        )
    )
    rows = {
        s.pk: SchoolFigures(school=s, late_counts_as_present=late.get(s.pk, True)) for s in schools
    }
    current = {"school_id__in": ids, "school_year__is_current": True}

    for row in (
        ClassSnapshot.objects.filter(**current)
        .values("school_id", "level")
        .annotate(pupils=Sum("pupils"), classes=Count("pk"), computed=Max("computed_at"))
    ):
        school = rows[row["school_id"]]
        school.pupils += row["pupils"]
        school.classes += row["classes"]
        school.pupils_by_level[row["level"]] = row["pupils"]
        school.computed_at = max(filter(None, [school.computed_at, row["computed"]]), default=None)

    populations = defaultdict(dict)  # school -> month -> (attended, graded)
    for row in (
        ClassMonth.objects.filter(**current)
        .values("school_id", "month")
        .annotate(attended=Sum("attendance_pupils"), graded=Sum("graded_pupils"))
    ):
        populations[row["school_id"]][row["month"]] = (row["attended"], row["graded"])

    months = set()
    totals = defaultdict(dict)
    for row in _sums(SubjectMonth.objects.filter(**current), "school_id", "month"):
        school = rows[row["school_id"]]
        months.add(row["month"])
        attended, _graded = populations[school.school.pk].get(row["month"], (0, 0))
        school.by_month[row["month"]] = Figure(
            "attendance",
            measures.attendance(row, late_counts_as_present=school.late_counts_as_present),
            attended,
        )
        _add(totals[school.school.pk], row)
        school.computed_at = max(filter(None, [school.computed_at, row["computed"]]), default=None)

    for school_id, school in rows.items():
        total = totals.get(school_id, {})
        # A pupil counts once a month; over the year the largest month is the
        # population (a lower bound of the distinct pupils, so on the safe side).
        attended = max((p[0] for p in populations[school_id].values()), default=0)
        graded = max((p[1] for p in populations[school_id].values()), default=0)
        school.figures = {
            "pupils": Figure("pupils", school.pupils, school.pupils),
            "classes": Figure("classes", school.classes, school.pupils),
            "class_size": Figure(
                "class_size", measures.class_size(school.pupils, school.classes), school.pupils
            ),
            "attendance": Figure(
                "attendance",
                measures.attendance(total, late_counts_as_present=school.late_counts_as_present),
                attended,
            ),
            "lateness": Figure("lateness", measures.lateness_share(total), attended),
            "unexcused": Figure("unexcused", measures.unexcused_share(total), attended),
            "grade_average": Figure("grade_average", measures.grade_average(total), graded),
            "failing": Figure("failing", measures.failing_share(total), graded),
            **{key: Figure(key) for key in (*SCHOOL_MONTHLY, *YEARLY)},
        }

    for (school_id,), figures in year_figures(by=("school_id",), where=current).items():
        rows[school_id].figures.update({k: figures[k] for k in YEARLY})
        rows[school_id].behaviour_list = list(figures["behaviour"].values())

    month = today.replace(day=1)
    for row in SchoolMonth.objects.filter(school_id__in=ids, month=month).values(
        "school_id", *SCHOOL_MONTH_FIELDS
    ):
        rows[row["school_id"]].figures.update(school_month_figures(row))

    school_rows = list(rows.values())
    levels = sorted({level for s in school_rows for level in s.pupils_by_level})
    months = sorted(months)
    for school in school_rows:
        school.month_list = [school.by_month.get(month) for month in months]
        school.level_list = [school.pupils_by_level.get(level) for level in levels]
    return {
        "schools": school_rows,
        "months": months,
        "levels": levels,
        "totals": {
            "pupils": sum(s.pupils for s in school_rows),
            "classes": sum(s.classes for s in school_rows),
        },
        "measures": SINGLE,
        "groups": [
            {
                "slug": slug,
                "title": title,
                "measures": [MEASURES[key] for key in keys],
                "rows": [(school, [school.figures[key] for key in keys]) for school in school_rows],
            }
            for slug, title, keys in OVERVIEW_GROUPS
        ],
        "behaviour": MEASURES["behaviour"],
        "behaviour_grades": [value.label for value in measures.BEHAVIOUR_FIELDS],
        "school_types": sorted(
            {(s.school.school_type, s.school.get_school_type_display()) for s in school_rows}
        ),
        "run": latest_run(),
        "min_population": measures.MIN_POPULATION,
    }


def latest_run() -> AggregationRun | None:
    return AggregationRun.objects.select_related("requested_by").first()
