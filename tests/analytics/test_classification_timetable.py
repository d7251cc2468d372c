"""The mid-year and annual classification (final term grades) and the teachers
and weekly lessons of the timetable: each against values counted by hand on the
small school (class 4a of five pupils, see conftest), with the suppression
below 5 pupils for the first and none for the second (no pupils behind them)."""

import datetime
from decimal import Decimal

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analytics import reports
from analytics.models import ClassSnapshot, ClassYear, SchoolMonth
from analytics.selectors import municipal_overview
from analytics.services import analytics_compute, class_years_compute, snapshots_compute
from gradebook.models import TermGrade, TermStatus
from portal.models import School, Term
from tests.factories import (
    SchoolClassFactory,
    SchoolYearFactory,
    SubjectFactory,
    TeachingAssignmentFactory,
    TeachingGroupFactory,
)

from .conftest import NOW, build_school, final, pupils_of, slot


def figures_of(school):
    return next(r for r in municipal_overview()["schools"] if r.school == school).figures


def close_annual(s):
    term = Term.objects.get(school_year=s.year, number=2)
    return TermStatus.objects.create(term=term, is_closed=True)


@pytest.fixture
def classified(small):
    """4a: Matematyka and Język polski for the whole class, Język angielski for
    a group of the first three pupils.

    Mid-year (term 1): Matematyka 5 1 3 4 2, Język polski 6 2 2 1 3, and a
    proposed 1 that is no final grade: Σ 29 over 10 grades; failing: p1, p3.
    Annual (term 2): Matematyka 4 2 3 5 1, Język polski 5 2 3 4 – (p4 has
    none), Język angielski 6 – 4 (p1 has none): Σ 39 over 11; failing: p4;
    unclassified once the term is closed: p1 (English) and p4 (Polish)."""
    s = small
    p = s.pupils
    polish = TeachingAssignmentFactory(
        school_class=s.school_class, subject=SubjectFactory(school=s.school, name="Język polski")
    )
    group = TeachingGroupFactory(school_class=s.school_class)
    group.pupils.add(*p[:3])
    english = TeachingAssignmentFactory(
        school_class=s.school_class,
        group=group,
        subject=SubjectFactory(school=s.school, name="Język angielski"),
    )
    for pupil, maths, pol in zip(p, [5, 1, 3, 4, 2], [6, 2, 2, 1, 3], strict=True):
        final(s.assignment, pupil, maths)
        final(polish, pupil, pol)
    final(polish, p[4], 1, kind=TermGrade.Kind.PROPOSED)
    for pupil, maths, pol in zip(p, [4, 2, 3, 5, 1], [5, 2, 3, 4, None], strict=True):
        final(s.assignment, pupil, maths, term=2)
        if pol:
            final(polish, pupil, pol, term=2)
    final(english, p[0], 6, term=2)
    final(english, p[2], 4, term=2)
    final(english, p[3], 3, term=2, kind=TermGrade.Kind.PROPOSED)
    s.polish, s.english = polish, english
    return s


def test_mid_year_and_annual_classification(classified):
    s = classified
    analytics_compute(full=True)
    row = ClassYear.objects.get(school_class=s.school_class)
    assert (row.midyear_graded, row.midyear_grade_sum, row.midyear_grade_count) == (5, 29, 10)
    assert (row.annual_graded, row.annual_grade_sum, row.annual_grade_count) == (5, 39, 11)
    assert (row.midyear_failing, row.annual_failing) == (2, 1)
    # The annual classification is not closed: a missing grade may be still to come.
    assert (row.annual_classified, row.annual_unclassified) == (0, 0)
    figures = figures_of(s.school)
    assert figures["midyear_average"].shown == Decimal("2.90")  # 29 ÷ 10
    assert figures["annual_average"].shown == Decimal("3.55")  # 39 ÷ 11 = 3.545…
    assert figures["midyear_failing"].shown == 40.0  # 2 ÷ 5
    assert figures["annual_failing"].shown == 20.0  # 1 ÷ 5
    unclassified = figures["annual_unclassified"]
    assert unclassified.value is None and not unclassified.suppressed  # no data yet
    # Closing the term is in no change log, yet every run counts the year again.
    close_annual(s)
    analytics_compute(since=NOW)
    row = ClassYear.objects.get(school_class=s.school_class)
    assert (row.annual_classified, row.annual_unclassified) == (5, 2)
    assert figures_of(s.school)["annual_unclassified"].shown == 40.0  # p1 and p4 of 5


def test_unclassified_counts_every_pupil_as_the_schools_summary_does(classified):
    """A pupil with no final grade at all is unclassified too, and the figure for
    the class equals the school's own classification summary (one rule: the pupils
    in the class on the sheet day, `rules.is_unclassified` per subject taught)."""
    from gradebook.yearend.selectors import class_classification

    s = classified
    (newcomer,) = pupils_of(s.school_class, 1, "bezocen")
    close_annual(s)
    analytics_compute(full=True)
    row = ClassYear.objects.get(school_class=s.school_class)
    term = Term.objects.get(school_year=s.year, number=2)
    summary = class_classification(school_class=s.school_class, term=term).totals
    assert (row.annual_classified, row.annual_unclassified) == (6, 3)  # p1, p4, the newcomer
    assert (summary.pupils, summary.unclassified) == (6, 3)
    assert newcomer.pk not in {p.pk for p in s.pupils}


def test_descriptive_assessments_are_classified_but_not_averaged(classified):
    s = classified
    second = SchoolClassFactory(school_year=s.year, name="2a", level=2)
    teaching = TeachingAssignmentFactory(school_class=second, subject=s.subject)
    for pupil in pupils_of(second, 5, "opisowy"):
        final(teaching, pupil, description="Liczy w zakresie 100.")
        final(teaching, pupil, description="Liczy w zakresie 1000.", term=2)
    close_annual(s)
    analytics_compute(full=True)
    row = ClassYear.objects.get(school_class=second)
    assert (row.midyear_graded, row.annual_graded, row.annual_grade_count) == (0, 0, 0)
    assert (row.annual_classified, row.annual_unclassified) == (5, 0)
    figures = figures_of(s.school)
    assert figures["annual_average"].shown == Decimal("3.55")  # 4a's grades only
    assert figures["annual_unclassified"].shown == 20.0  # 2 of 10 pupils
    (by_class, *_rest) = reports.school_drilldown(school=s.school)
    keys = by_class.measure_keys
    second_row = next(r for r in by_class.rows if r[0] == "2a")
    assert second_row[1 + keys.index("annual_unclassified")].shown == 0.0
    assert second_row[1 + keys.index("annual_average")].value is None
    fourth = next(r for r in by_class.rows if r[0] == "4a")
    assert fourth[1 + keys.index("annual_unclassified")].shown == 40.0


def test_classification_of_four_pupils_is_hidden(small):
    for pupil in small.pupils[:4]:
        final(small.assignment, pupil, 1)
        final(small.assignment, pupil, 2, term=2)
    close_annual(small)
    analytics_compute(full=True)
    figures = figures_of(small.school)
    for key, value in [
        ("midyear_average", Decimal("1.00")),
        ("annual_average", Decimal("2.00")),
        ("midyear_failing", 100.0),
        ("annual_failing", 0.0),
    ]:
        assert figures[key].value == value, key
        assert figures[key].suppressed and figures[key].shown is None, key
    # The fifth pupil, with no final grade, is unclassified: one of five pupils in
    # the class on the sheet day, so this share is shown.
    assert figures["annual_unclassified"].shown == 20.0


def test_classification_in_comparison_trend_and_open_data(classified):
    analytics_compute(full=True)
    s = classified
    (table,) = reports.school_comparison(school_type=s.school.school_type, today=NOW.date())
    keys = table.measure_keys
    assert table.rows[0][1 + keys.index("annual_average")].shown == Decimal("3.55")
    assert table.foot[0][1 + keys.index("midyear_failing")].shown == 40.0
    (years,) = reports.measure_trend(key="midyear_average", today=NOW.date())
    assert [r[0] for r in years.rows] == ["2030/2031"]
    assert years.rows[0][1].shown == Decimal("2.90")
    data = reports.open_data()
    keys = data.measure_keys
    assert data.rows[0][4 + keys.index("annual_failing")].shown == 20.0


@pytest.fixture
def timetabled(small):
    """SP 1 in force on 14 November 2030:
    4a – Matematyka (teacher A) Mon 1, Tue 2, Wed 3; Język polski (B) Mon 2,
    Fri 1 from 1 November (Thu 1 ended 31 October, Thu 3 starts in December);
    two English groups at the same time, Tue 1 (C and D): 7 lessons, 4 teachers.
    5a – Matematyka (A again) Mon 4, Thu 2, Fri 2: 3 lessons, 1 teacher.
    The school: 10 lessons, 4 teachers. SP 2: one lesson of one teacher. SP 3:
    no timetable. A class of last year with a timetable does not count."""
    s = small
    maths = s.assignment
    slot(maths, 0, 1)
    slot(maths, 1, 2)
    slot(maths, 2, 3)
    polish = TeachingAssignmentFactory(school_class=s.school_class)
    slot(polish, 0, 2)
    slot(polish, 3, 1, valid_until=datetime.date(2030, 10, 31))
    slot(polish, 4, 1, valid_from=datetime.date(2030, 11, 1))
    slot(polish, 3, 3, valid_from=datetime.date(2030, 12, 1))
    english = SubjectFactory(school=s.school, name="Język angielski")
    for half in ("gr. 1", "gr. 2"):
        group = TeachingGroupFactory(school_class=s.school_class, name=half)
        slot(
            TeachingAssignmentFactory(school_class=s.school_class, group=group, subject=english),
            1,
            1,
        )
    fifth = SchoolClassFactory(school_year=s.year, name="5a", level=5)
    other_maths = TeachingAssignmentFactory(
        school_class=fifth, subject=s.subject, teacher=s.teacher
    )
    for weekday, number in ((0, 4), (3, 2), (4, 2)):
        slot(other_maths, weekday, number)
    past = SchoolYearFactory(
        school=s.school,
        start=datetime.date(2029, 9, 1),
        end=datetime.date(2030, 6, 26),
        is_current=False,
        terms=False,
    )
    slot(TeachingAssignmentFactory(school_class=SchoolClassFactory(school_year=past)), 0, 5)
    s.other = build_school("SP 2")
    slot(s.other.assignment, 2, 2)
    s.without = build_school("SP 3")
    return s


def test_teachers_and_weekly_lessons_of_the_timetable(timetabled):
    s = timetabled
    analytics_compute(full=True)
    snapshot = ClassSnapshot.objects.get(school_class=s.school_class)
    assert (snapshot.weekly_lessons, snapshot.teachers) == (7, 4)
    month = SchoolMonth.objects.get(school=s.school)
    assert (month.weekly_lessons, month.teachers) == (10, 4)
    figures = figures_of(s.school)
    assert figures["teachers"].shown == 4  # fewer than 5, yet shown: no pupils
    assert figures["weekly_lessons"].shown == 10
    assert figures["lessons_per_teacher"].shown == 2.5  # 10 ÷ 4
    assert figures_of(s.other.school)["lessons_per_teacher"].shown == 1.0
    # No timetable in the portal: no data, not 0 teachers.
    for key in ("teachers", "weekly_lessons", "lessons_per_teacher"):
        figure = figures_of(s.without.school)[key]
        assert figure.value is None and not figure.suppressed
    by_class, *_rest = reports.school_drilldown(school=s.school)
    keys = by_class.measure_keys
    rows = {r[0]: r for r in by_class.rows}
    assert [rows["4a"][1 + keys.index(k)].shown for k in ("weekly_lessons", "teachers")] == [7, 4]
    assert [rows["5a"][1 + keys.index(k)].shown for k in ("weekly_lessons", "teachers")] == [3, 1]


def test_timetable_in_comparison_trend_and_open_data(timetabled, clock):
    s = timetabled
    analytics_compute(full=True)
    (table,) = reports.school_comparison(school_type=School.Type.PRIMARY, today=NOW.date())
    keys = table.measure_keys
    foot = table.foot[0]
    # the mean of the schools with a timetable: (4 + 1) ÷ 2 teachers, (10 + 1) ÷ 2 lessons
    assert foot[1 + keys.index("teachers")].shown == 2.5
    assert foot[1 + keys.index("weekly_lessons")].shown == 5.5
    assert foot[1 + keys.index("lessons_per_teacher")].shown == 2.2  # 11 ÷ 5, pooled
    sp3 = next(r for r in table.rows if r[0] == "SP 3")
    assert sp3[1 + keys.index("teachers")].value is None
    # A December computation: November keeps its figure, December has its own.
    clock.move_to(datetime.datetime(2030, 12, 3, 10, tzinfo=datetime.UTC))
    analytics_compute(since=NOW)
    months, years = reports.measure_trend(key="weekly_lessons", today=datetime.date(2030, 12, 3))
    by_month = {r[0]: r[1] for r in months.rows}
    assert by_month["Listopad"].shown == 11
    assert by_month["Grudzień"].shown == 12  # Thu 3 of Język polski from 1 December
    assert years.rows[0][0] == "2030/2031" and years.rows[0][1].shown == 12
    data = reports.open_data()
    keys = data.measure_keys
    sp1 = next(r for r in data.rows if r[0] == s.school.name)
    assert sp1[4 + keys.index("teachers")].shown == 4
    assert sp1[4 + keys.index("weekly_lessons")].shown == 11


def test_the_yearly_and_daily_counts_take_the_same_queries_however_many_pupils(classified):
    """Grouped queries, never one per pupil, class or teacher."""
    s = classified
    close_annual(s)
    slot(s.assignment, 0, 1)

    def counted():
        with CaptureQueriesContext(connection) as queries:
            class_years_compute(now=timezone.now())
            snapshots_compute(now=timezone.now())
        return len(queries.captured_queries)

    few = counted()
    for name in ("4b", "5a"):
        school_class = SchoolClassFactory(school_year=s.year, name=name)
        group = TeachingGroupFactory(school_class=school_class)
        pupils = pupils_of(school_class, 6, f"wiecej{name}")
        group.pupils.add(*pupils[:3])
        teachings = [
            TeachingAssignmentFactory(school_class=school_class),
            TeachingAssignmentFactory(school_class=school_class, group=group),
        ]
        for number, teaching in enumerate(teachings, start=1):
            slot(teaching, 2, number)
            for pupil in pupils[:3]:
                final(teaching, pupil, 2)
                final(teaching, pupil, 3, term=2)
    build_school("SP 2")
    assert counted() == few
    fifth = ClassYear.objects.get(school_class__name="5a")
    assert (fifth.annual_classified, fifth.annual_unclassified) == (6, 3)  # 3 without grades
