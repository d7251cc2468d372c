"""Trends beside the previous year, comparisons with the gmina's average, the
drill-down of a school, and lateness: against values worked out by hand."""

import datetime
from decimal import Decimal

from analytics import reports
from analytics.services import analytics_compute
from gradebook.register.models import RegisterSettings
from portal.models import School
from tests.factories import (
    SchoolClassFactory,
    SchoolYearFactory,
    TeachingAssignmentFactory,
)

from .conftest import NOW, S, build_school, column, grade, lesson, mark, pupils_of


def cells(table, label):
    row = next(r for r in [*table.rows, *table.foot] if r[0] == label)
    return [c.shown if hasattr(c, "shown") else c for c in row[1:]]


def column_of(table, key):
    return [c.measure for c in table.columns].index(key)


def past_year(s, start_year, *, statuses, prefix):
    """A class of an earlier school year in the same school: in October five
    pupils, marked at one lesson a day with each of `statuses`."""
    year = SchoolYearFactory(
        school=s.school,
        start=datetime.date(start_year, 9, 1),
        end=datetime.date(start_year + 1, 8, 31),
        is_current=False,
        terms=False,
    )
    school_class = SchoolClassFactory(school_year=year, name="3a", level=3)
    assignment = TeachingAssignmentFactory(school_class=school_class, subject=s.subject)
    days = [lesson(assignment, datetime.date(start_year, 10, 8 + i)) for i in range(len(statuses))]
    for pupil in pupils_of(school_class, 5, prefix):
        for day, status in zip(days, statuses, strict=True):
            mark(day, pupil, status)


def previous_year(s):
    """Class 3a of 2029/2030: each pupil present once and absent unexcused once (50 %)."""
    past_year(s, 2029, statuses=[S.PRESENT, S.UNEXCUSED], prefix="dawny")


def test_lateness_share(small):
    analytics_compute(full=True)
    # late ÷ (present + late + school reasons) = 2 ÷ (3 + 2 + 1)
    figures = reports.register_figures(by=("school_id",), where={})[(small.school.pk,)]
    assert figures["lateness"].shown == 33.3


def test_a_trend_shows_each_month_beside_the_same_month_a_year_before(small):
    previous_year(small)
    analytics_compute(full=True)
    months, years = reports.measure_trend(key="attendance", today=NOW.date())
    assert [c.label for c in months.columns][1:] == ["2030/2031", "2029/2030"]
    assert cells(months, "Październik") == [66.7, 50.0]
    # September has no data in either year; December is still to come this year
    assert cells(months, "Wrzesień") == [None, None]
    assert "Grudzień" not in [r[0] for r in months.rows]
    assert [r[0] for r in years.rows] == ["2029/2030", "2030/2031"]
    assert cells(years, "2029/2030") == [50.0]
    # one school only: the same, since the gmina has one school
    only = reports.measure_trend(key="unexcused", today=NOW.date(), school=small.school)
    assert cells(only[0], "Październik") == [33.3, 100.0]


def test_a_trend_pools_schools_with_their_own_lateness_setting(small):
    other = build_school("SP 2")
    RegisterSettings.objects.create(school=other.school, late_counts_as_present=False)
    day = lesson(other.assignment, datetime.date(2030, 10, 7))
    for pupil in other.pupils:
        mark(day, pupil, S.LATE)
    analytics_compute(full=True)
    months, _years = reports.measure_trend(key="attendance", today=NOW.date())
    # SP 1: present 6, absent 3; SP 2: its 5 late arrivals are absences → 6 ÷ 14
    assert cells(months, "Październik")[0] == 42.9


def test_schools_of_one_type_beside_the_gmina_average(small):
    other = build_school("SP 2", pupils=6)
    day = lesson(other.assignment, datetime.date(2030, 10, 7))
    test = column(other.assignment, datetime.date(2030, 10, 9), 1)
    for pupil in other.pupils:
        mark(day, pupil, S.PRESENT)
        grade(test, pupil, "6")
    lyceum = build_school("LO 1")
    School.objects.filter(pk=lyceum.school.pk).update(school_type=School.Type.LYCEUM)
    analytics_compute(full=True)
    (table,) = reports.school_comparison(school_type=School.Type.PRIMARY, today=NOW.date())
    assert [r[0] for r in table.rows] == ["SP 1", "SP 2"]
    att, avg = column_of(table, "attendance") - 1, column_of(table, "grade_average") - 1
    pupils = column_of(table, "pupils") - 1
    assert cells(table, "SP 2")[att] == 100.0
    assert len(table.foot) == 1
    average = cells(table, table.foot[0][0])
    # pooled: present 6 + 6, absent 3 → 12 ÷ 15; grades (48.75 + 6·6) ÷ (16 + 6)
    assert average[att] == 80.0
    assert str(average[avg]) == "3.85"
    assert average[pupils] == 5.5  # (5 + 6) ÷ 2 schools


def test_a_school_drilled_down_to_classes_and_subjects_hides_small_groups(small):
    small_class = SchoolClassFactory(school_year=small.year, name="4b", level=4)
    assignment = TeachingAssignmentFactory(school_class=small_class, subject=small.subject)
    day = lesson(assignment, datetime.date(2030, 10, 7))
    for pupil in pupils_of(small_class, 3, "mala"):
        mark(day, pupil, S.UNEXCUSED)
    analytics_compute(full=True)
    tables = reports.school_drilldown(school=small.school)
    by_class, _behaviour, by_subject, by_level, by_month = tables
    att = column_of(by_class, "attendance") - 1
    assert cells(by_class, "4a")[att] == 66.7
    assert cells(by_class, "4b")[att] is None  # 3 pupils: hidden
    assert cells(by_class, "4b")[0] == 3  # a head count is shown
    # the subject pools both classes: 8 pupils; present 6, absent 3 + 3
    assert cells(by_subject, "Matematyka")[0] == 50.0
    assert [r[0] for r in by_month.rows] == ["Październik 2030"]
    # grade averages by subject and level: only 4a has grades, 48.75 ÷ 16
    assert [c.label for c in by_level.columns] == ["Przedmiot", "klasa 4"]
    assert cells(by_level, "Matematyka") == [Decimal("3.05")]


def test_open_data_per_school_and_year(small):
    previous_year(small)
    analytics_compute(full=True)
    table = reports.open_data()
    assert [r[3] for r in table.rows] == ["2029/2030", "2030/2031"]
    assert table.rows[0][4].shown == 50.0 and table.rows[1][4].shown == 66.7


def test_a_full_computation_covers_the_previous_year_but_not_older_ones(small):
    previous_year(small)
    past_year(small, 2027, statuses=[S.PRESENT], prefix="stary")
    analytics_compute(full=True)
    years = [r[3] for r in reports.open_data().rows]
    assert years == ["2029/2030", "2030/2031"]
