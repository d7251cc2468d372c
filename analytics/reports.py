"""The officer's tables beyond the overview: trends of a measure, schools of one
type compared with the gmina's average, one school drilled down to its classes
and subjects, the open data set and the whole year's workbook.

Every page, export and printout is built from `Table`s made here, so a figure
is computed once and shown, downloaded (CSV, XLSX), printed (PDF) and charted
(`charts.py`) from the same numbers. Like `selectors.py`, everything reads the
summary tables only, in a fixed number of queries.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Sum
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gradebook.register.models import RegisterSettings
from portal.models import School

from . import measures
from .measures import MEASURES
from .models import ClassMonth, ClassSnapshot, SchoolMonth, SubjectMonth
from .selectors import (
    SCHOOL_MONTH_FIELDS,
    SCHOOL_MONTHLY,
    SINGLE,
    SUMMED,
    TIMETABLE,
    YEARLY,
    Figure,
    grouped,
    school_month_figures,
    subject_level_figures,
    timetable_figures,
    year_figures,
)

#: Measures computed from the register and the grade sheets month by month.
MONTHLY = ("attendance", "lateness", "unexcused", "grade_average", "failing")
#: Head counts of the day of computation (no history).
HEAD_COUNTS = ("pupils", "classes", "class_size")
#: Every measure with a trend, in the order of `MEASURES`: by month, or (the
#: measures of a class's school year, `YEARLY`) by school year only.
TRENDS = tuple(k for k in MEASURES if k in MONTHLY or k in YEARLY or k in SCHOOL_MONTHLY)
#: The columns of the open data, after the school and the year.
OPEN_DATA = (*MONTHLY, *YEARLY, *TIMETABLE)


@dataclass(frozen=True)
class Column:
    label: str
    measure: str | None = None  # its definition is the column's tooltip

    @property
    def definition(self):
        return MEASURES[self.measure].definition if self.measure else ""


@dataclass
class Table:
    """One table of figures: a header of columns, rows whose first cell is the
    row's label (a school, class, subject or month, never a person) and whose
    other cells are `Figure`s, numbers or text."""

    slug: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    # Rows set apart at the foot (the gmina's average).
    foot: list[list] = field(default_factory=list)

    @property
    def measure_keys(self) -> list[str]:
        return [c.measure for c in self.columns if c.measure]


def school_year_label(start: datetime.date) -> str:
    return f"{start.year}/{start.year + 1}"


def school_year_start(day: datetime.date) -> int:
    """The calendar year in which the school year of `day` began (1 September)."""
    return day.year if day.month >= 9 else day.year - 1


def _late_settings() -> dict[int, bool]:
    return dict(RegisterSettings.objects.values_list("school_id", "late_counts_as_present"))


def _pool(into: dict, row: dict, *, late_counts_as_present: bool) -> None:
    for name in SUMMED:
        into[name] = into.get(name, 0) + (row[name] or 0)
    present, absent = measures.attendance_parts(row, late_counts_as_present=late_counts_as_present)
    into["counted_present"] = into.get("counted_present", 0) + present
    into["counted_absent"] = into.get("counted_absent", 0) + absent


def monthly_figures(pool: dict, *, attended: int, graded: int) -> dict[str, Figure]:
    """The figures of `MONTHLY` from pooled sums and the populations behind them."""
    return {
        "attendance": Figure("attendance", measures.attendance_pooled(pool), attended),
        "lateness": Figure("lateness", measures.lateness_share(pool), attended),
        "unexcused": Figure("unexcused", measures.unexcused_share(pool), attended),
        "grade_average": Figure("grade_average", measures.grade_average(pool), graded),
        "failing": Figure("failing", measures.failing_share(pool), graded),
    }


def register_figures(*, by: tuple[str, ...], where: dict, per_subject: bool = False) -> dict:
    """{group: {measure: Figure}} of `MONTHLY`, grouping the summaries by the
    fields `by` (e.g. ("school_id",), ("school_class_id",), ("month",)).

    Schools are pooled with their own lateness setting. The population of a
    group is its pupils in a month, at most over its months (a pupil counts
    once a month; the largest month is a lower bound of the distinct pupils,
    so on the safe side). Two queries."""
    late = _late_settings()
    pools: dict = defaultdict(dict)
    for row in (
        SubjectMonth.objects.filter(**where)
        .values("school_id", "month", *by)
        .annotate(**{name: Sum(name) for name in SUMMED})
    ):
        key = tuple(row[k] for k in by)
        _pool(pools[key], row, late_counts_as_present=late.get(row["school_id"], True))
    monthly: dict = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    if per_subject:
        # Pupils of one class and subject; a pupil is in one class, so classes add up.
        population = SubjectMonth.objects.filter(**where).values("month", *by)
        population = population.annotate(a=Sum("pupils"), g=Sum("pupils"))
    else:
        population = ClassMonth.objects.filter(**where).values("month", *by)
        population = population.annotate(a=Sum("attendance_pupils"), g=Sum("graded_pupils"))
    for row in population:
        entry = monthly[tuple(row[k] for k in by)][row["month"]]
        entry[0] += row["a"]
        entry[1] += row["g"]
    return {
        key: monthly_figures(
            pool,
            attended=max((m[0] for m in monthly[key].values()), default=0),
            graded=max((m[1] for m in monthly[key].values()), default=0),
        )
        for key, pool in pools.items()
    }


def month_figures(*, by: tuple[str, ...], where: dict) -> dict:
    """{group: {measure: Figure}} of `SCHOOL_MONTHLY` (guardians who signed in,
    the timetable's teachers and lessons), pooled over schools. One query."""
    result = {}
    sums = {name: Sum(name) for name in SCHOOL_MONTH_FIELDS}
    for row in grouped(SchoolMonth.objects.filter(**where), by, sums):
        if row["guardians"] is not None:
            result[tuple(row[k] for k in by)] = school_month_figures(row)
    return result


def head_counts(*, by: tuple[str, ...], where: dict) -> dict:
    """{group: {pupils, classes, class_size: Figure}} of the day's class sizes."""
    result = {}
    sums = {"pupils": Sum("pupils"), "classes": Count("pk")}
    for row in grouped(ClassSnapshot.objects.filter(**where), by, sums):
        pupils, classes = row["pupils"] or 0, row["classes"]
        if not classes:
            continue
        result[tuple(row[k] for k in by)] = {
            "pupils": Figure("pupils", pupils, pupils),
            "classes": Figure("classes", classes, pupils),
            "class_size": Figure("class_size", measures.class_size(pupils, classes), pupils),
        }
    return result


def computed_at() -> datetime.datetime | None:
    """When the figures shown were computed (the latest summary row)."""
    return max(
        filter(
            None,
            [
                SubjectMonth.objects.aggregate(at=Max("computed_at"))["at"],
                ClassSnapshot.objects.aggregate(at=Max("computed_at"))["at"],
            ],
        ),
        default=None,
    )


def _measure_columns(keys) -> list[Column]:
    return [Column(str(MEASURES[k].label), k) for k in keys]


def _current_month(today: datetime.date) -> datetime.date:
    return today.replace(day=1)


# --- Trends -------------------------------------------------------------------------------


def school_year_months(start_year: int) -> list[datetime.date]:
    return [datetime.date(start_year + (m < 9), m, 1) for m in (*range(9, 13), *range(1, 9))]


def measure_trend(*, key: str, today: datetime.date, school: School | None = None) -> list[Table]:
    """A measure month by month through this school year with the same month of
    the previous year beside it, and year by year (the gmina, or one school)."""
    measure = MEASURES[key]
    year = school_year_start(today)
    where = {"school__is_active": True}
    if school is not None:
        where["school"] = school
    this_year, last_year = (
        school_year_label(datetime.date(year, 9, 1)),
        school_year_label(datetime.date(year - 1, 9, 1)),
    )
    if key in YEARLY:
        # Counted once a year: no months, the years side by side.
        years_rows = year_figures(
            by=("school_year__start",),
            where={**where, "school_year__start__gte": datetime.date(year - 4, 9, 1)},
        )
        return [
            Table(
                f"{key}-years",
                _("%(measure)s by school year") % {"measure": measure.label},
                [Column(_("School year")), Column(str(measure.label), key)],
                rows=[
                    [school_year_label(start), figures[key]]
                    for (start,), figures in sorted(years_rows.items())
                ],
            )
        ]
    if key in SCHOOL_MONTHLY:
        by_month = {k[0]: v[key] for k, v in month_figures(by=("month",), where=where).items()}
        by_year = defaultdict(list)
        for month, figure in sorted(by_month.items()):
            by_year[school_year_start(month)].append(figure)
        # A year's figure: its months' shares averaged would hide the population;
        # the year shows its latest month, the last computed state of the year.
        years = {y: figures[-1] for y, figures in sorted(by_year.items())}
    else:
        rows = register_figures(by=("month",), where=where)
        by_month = {k[0]: v[key] for k, v in rows.items()}
        years_rows = register_figures(
            by=("school_year__start",),
            where={**where, "month__gte": datetime.date(year - 4, 9, 1)},
        )
        years = {k[0].year: v[key] for k, v in sorted(years_rows.items())}
    months = Table(
        f"{key}-months",
        _("%(measure)s by month") % {"measure": measure.label},
        [Column(_("Month")), Column(this_year, key), Column(last_year, key)],
    )
    for month in school_year_months(year):
        if month > _current_month(today) and month.replace(year=month.year - 1) not in by_month:
            continue
        months.rows.append(
            [
                date_format(month, "F"),
                by_month.get(month),
                by_month.get(month.replace(year=month.year - 1)),
            ]
        )
    per_year = Table(
        f"{key}-years",
        _("%(measure)s by school year") % {"measure": measure.label},
        [Column(_("School year")), Column(str(measure.label), key)],
        rows=[[school_year_label(datetime.date(y, 9, 1)), f] for y, f in years.items()],
    )
    return [months, per_year]


# --- Comparisons and drill-down ---------------------------------------------------------------


def compared_keys() -> list[str]:
    return list(SINGLE)


def _figure_row(label, keys, *sources) -> list:
    merged = {}
    for source in sources:
        merged.update(source or {})
    return [label, *[merged.get(k) for k in keys]]


def school_comparison(*, school_type: str, today: datetime.date) -> list[Table]:
    """The active schools of one type side by side, every measure, with the
    average of the gmina's schools of that type (their pupils pooled; head
    counts as the mean per school)."""
    keys = compared_keys()
    current = {"school_year__is_current": True, "school__school_type": school_type}
    current["school__is_active"] = True
    schools = list(School.objects.active().filter(school_type=school_type).order_by("name"))
    figures = register_figures(by=("school_id",), where=current)
    average = register_figures(by=(), where=current).get(())
    yearly = year_figures(by=("school_id",), where=current)
    yearly_all = year_figures(by=(), where=current).get(())
    heads = head_counts(by=("school_id",), where=current)
    month = {"month": _current_month(today), "school__school_type": school_type}
    month["school__is_active"] = True
    monthly = month_figures(by=("school_id",), where=month)
    monthly_all = month_figures(by=(), where=month).get(())
    table = Table(
        f"{school_type}-schools",
        _("Schools of one type side by side: %(type)s") % {"type": School.Type(school_type).label},
        [Column(_("School")), *_measure_columns(keys)],
    )
    for school in schools:
        k = (school.pk,)
        table.rows.append(
            _figure_row(
                # The short name: it fits the chart's labels and tells the schools apart.
                school.short_name or school.name,
                keys,
                heads.get(k),
                figures.get(k),
                yearly.get(k),
                monthly.get(k),
            )
        )
    if schools:
        total = head_counts(by=(), where=current).get(())
        mean = None
        if total:
            n = len(schools)
            pupils, classes = total["pupils"].value, total["classes"].value
            mean = {
                "pupils": Figure("pupils", round(pupils / n, 1), pupils),
                "classes": Figure("classes", round(classes / n, 1), pupils),
                "class_size": total["class_size"],
            }
        table.foot.append(
            _figure_row(
                _("Average of the gmina"),
                keys,
                mean,
                average,
                yearly_all,
                monthly_all,
                _timetable_mean(monthly.values()),
            )
        )
    return [table]


def _timetable_mean(schools) -> dict[str, Figure]:
    """Teachers and weekly lessons as the mean per school with a timetable (like
    the head counts); lessons per teacher stays pooled (`month_figures`)."""
    mean = {}
    for key in ("teachers", "weekly_lessons"):
        values = [f[key].value for f in schools if f[key].value is not None]
        if values:
            mean[key] = Figure(key, round(sum(values) / len(values), 1), sum(values))
    return mean


def school_drilldown(*, school: School) -> list[Table]:
    """One school down to its classes and its subjects, never below a class."""
    current = {"school": school, "school_year__is_current": True}
    keys = ["pupils", "weekly_lessons", "teachers", *MONTHLY, *YEARLY]
    classes = list(
        ClassSnapshot.objects.filter(**current)
        .select_related("school_class")
        .order_by("level", "school_class__name")
    )
    figures = register_figures(by=("school_class_id",), where=current)
    yearly = year_figures(by=("school_class_id",), where=current)
    by_class = Table(
        f"school-{school.pk}-classes",
        _("%(school)s: classes") % {"school": school.short_name or school.name},
        [Column(_("Class")), *_measure_columns(keys)],
    )
    for snapshot in classes:
        by_class.rows.append(
            _figure_row(
                snapshot.school_class.name,
                keys,
                {"pupils": Figure("pupils", snapshot.pupils, snapshot.pupils)},
                timetable_figures(teachers=snapshot.teachers, lessons=snapshot.weekly_lessons),
                figures.get((snapshot.school_class_id,)),
                yearly.get((snapshot.school_class_id,)),
            )
        )
    behaviour = behaviour_table(
        f"school-{school.pk}-behaviour",
        _("%(school)s: behaviour grades") % {"school": school.short_name or school.name},
        [
            (snapshot.school_class.name, yearly.get((snapshot.school_class_id,)))
            for snapshot in classes
        ],
        total=year_figures(by=(), where=current).get(()),
    )
    subject_keys = list(MONTHLY)
    subjects = register_figures(by=("subject__name",), where=current, per_subject=True)
    by_subject = Table(
        f"school-{school.pk}-subjects",
        _("%(school)s: subjects") % {"school": school.short_name or school.name},
        [Column(_("Subject")), *_measure_columns(subject_keys)],
        rows=[
            _figure_row(name, subject_keys, subjects[(name,)])
            for (name,) in sorted(subjects, key=lambda k: k[0] or "")
        ],
    )
    levels, subject_rows = subject_level_figures(school=school)
    by_level = Table(
        f"school-{school.pk}-subject-levels",
        _("%(school)s: %(measure)s by subject and level")
        % {"school": school.short_name or school.name, "measure": MEASURES["grade_average"].label},
        [
            Column(_("Subject")),
            *[Column(_("level %(level)s") % {"level": level}, "grade_average") for level in levels],
        ],
        rows=[[name, *figures] for name, figures in subject_rows],
    )
    months = register_figures(by=("month",), where=current)
    by_month = Table(
        f"school-{school.pk}-months",
        _("%(school)s: by month") % {"school": school.short_name or school.name},
        [Column(_("Month")), *_measure_columns(MONTHLY)],
        rows=[
            _figure_row(date_format(month, "F Y"), MONTHLY, months[(month,)])
            for (month,) in sorted(months)
        ],
    )
    return [by_class, behaviour, by_subject, by_level, by_month]


def behaviour_table(slug: str, title: str, rows, *, total=None) -> Table:
    """The distribution of behaviour grades: a row per class (or school), a
    column per grade, each a share of the pupils with a behaviour grade."""
    values = list(measures.BEHAVIOUR_FIELDS)
    table = Table(
        slug, title, [Column(_("Class")), *[Column(str(v.label), "behaviour") for v in values]]
    )
    for label, figures in rows:
        shares = (figures or {}).get("behaviour", {})
        table.rows.append([label, *[shares.get(v) for v in values]])
    if total:
        table.foot.append([_("School"), *[total["behaviour"][v] for v in values]])
    return table


# --- Open data and the whole year ---------------------------------------------------------------


def open_data() -> Table:
    """Per school and school year, every monthly measure, suppressed as on the
    officer's pages: for the gmina's public information bulletin."""
    schools = {s.pk: s for s in School.objects.active()}
    figures = register_figures(
        by=("school_id", "school_year__start"), where={"school__is_active": True}
    )
    yearly = year_figures(by=("school_id", "school_year__start"), where={"school__is_active": True})
    # The timetable of a school year: its latest computed month.
    timetable = {}
    for (school_id, month), row in sorted(
        month_figures(by=("school_id", "month"), where={"school__is_active": True}).items()
    ):
        timetable[(school_id, school_year_start(month))] = row
    table = Table(
        "open-data",
        _("Figures of the gmina's schools by school year"),
        [
            Column(_("School")),
            Column(_("RSPO number")),
            Column(_("Type")),
            Column(_("School year")),
            *_measure_columns(OPEN_DATA),
        ],
    )
    for (school_id, start), row in sorted(
        figures.items(), key=lambda i: (schools[i[0][0]].name, i[0][1])
    ):
        school = schools[school_id]
        table.rows.append(
            [
                school.name,
                school.rspo,
                school.get_school_type_display(),
                school_year_label(start),
                *_figure_row(
                    None,
                    OPEN_DATA,
                    row,
                    yearly.get((school_id, start)),
                    timetable.get((school_id, school_year_start(start))),
                )[1:],
            ]
        )
    return table


def year_tables(*, today: datetime.date) -> list[Table]:
    """Every table of the officer's pages for the current school year: the
    comparisons of each type, each school drilled down, each measure's trend."""
    tables = []
    types = School.objects.active().values_list("school_type", flat=True).distinct()
    for school_type in sorted(set(types)):
        tables += school_comparison(school_type=school_type, today=today)
    for key in TRENDS:
        tables += measure_trend(key=key, today=today)
    for school in School.objects.active().order_by("name"):
        tables += school_drilldown(school=school)
    return tables
