"""Each measure against values worked out by hand on a small school."""

import datetime
from decimal import Decimal

from analytics import measures
from analytics.models import ClassMonth, SubjectMonth
from analytics.selectors import municipal_overview, subject_level_figures
from analytics.services import analytics_compute
from gradebook.models import GradingSettings
from gradebook.register.models import RegisterSettings

from .conftest import NOVEMBER, OCTOBER, S, build_school, column, grade, lesson, mark


def school_row(school):
    return next(r for r in municipal_overview()["schools"] if r.school == school)


def test_attendance_with_every_category_lateness_present(small):
    analytics_compute(full=True)
    row = SubjectMonth.objects.get(month=OCTOBER)
    assert (row.present, row.late, row.school_reasons) == (3, 2, 1)
    assert (row.excused, row.unexcused, row.released) == (2, 1, 1)
    figures = school_row(small.school)
    # present = 3 + 2 late + 1 school reasons = 6; absent = 2 + 1 = 3; released: neither
    assert figures.figures["attendance"].shown == 66.7
    assert figures.by_month[OCTOBER].shown == 66.7
    # unexcused ÷ (excused + unexcused) = 1 ÷ 3
    assert figures.figures["unexcused"].shown == 33.3


def test_attendance_when_lateness_is_an_absence(small):
    RegisterSettings.objects.create(school=small.school, late_counts_as_present=False)
    analytics_compute(full=True)
    # present = 3 + 1 = 4; absent = 2 + 1 + 2 late = 5 → 4 ÷ 9
    assert school_row(small.school).figures["attendance"].shown == 44.4


def test_weighted_average_and_failing_share(small):
    analytics_compute(full=True)
    row = SubjectMonth.objects.get(month=OCTOBER)
    assert row.weighted_sum == small.expected_sum
    assert row.weight_sum == small.expected_weights
    # np and the column that does not count are left out: 6 grades, one of them 1
    assert (row.grade_count, row.failing_count) == (6, 1)
    figures = school_row(small.school).figures
    assert figures["grade_average"].shown == Decimal("3.05")  # 48.75 ÷ 16 = 3.046875
    assert figures["failing"].shown == 16.7  # 1 ÷ 6


def test_an_improvement_in_a_later_month_replaces_the_original(small):
    retake = column(small.assignment, datetime.date(2030, 11, 5), 3)
    grade(retake, small.pupils[1], "3", improves=small.grades["1"])
    analytics_compute(full=True)
    october = SubjectMonth.objects.get(month=OCTOBER)
    november = SubjectMonth.objects.get(month=NOVEMBER)
    # the 1 (weight 3) no longer counts in October: (48.75 − 3) ÷ 13
    assert (october.weighted_sum, october.weight_sum) == (Decimal("45.75"), Decimal(13))
    assert october.failing_count == 0
    assert measures.grade_average(
        {"weighted_sum": november.weighted_sum, "weight_sum": november.weight_sum}
    ) == Decimal("3.00")


def test_the_original_counts_when_the_school_keeps_it(small):
    GradingSettings.objects.create(school=small.school, improvement_replaces=False)
    retake = column(small.assignment, datetime.date(2030, 11, 5), 3)
    grade(retake, small.pupils[1], "3", improves=small.grades["1"])
    analytics_compute(full=True)
    assert SubjectMonth.objects.get(month=OCTOBER).weighted_sum == Decimal("48.75")


def test_the_schools_plus_and_minus_values(small):
    GradingSettings.objects.create(
        school=small.school, plus_value=Decimal("0.33"), minus_value=Decimal("0.33")
    )
    analytics_compute(full=True)
    # 4+ = 4.33 (weight 1), 3− = 2.67 (weight 3): 15 + 3 + 8.01 + 12 + 6 + 4.33
    assert SubjectMonth.objects.get(month=OCTOBER).weighted_sum == Decimal("48.34")


def test_head_counts_and_class_size(small):
    other = build_school("SP 2", pupils=0)
    from tests.factories import SchoolClassFactory

    SchoolClassFactory(school_year=small.year, name="5a", level=5)
    analytics_compute(full=True)
    figures = school_row(small.school).figures
    assert figures["pupils"].shown == 5
    assert figures["classes"].shown == 2
    assert figures["class_size"].shown == 2.5
    assert school_row(small.school).pupils_by_level == {4: 5, 5: 0}
    assert school_row(other.school).figures["class_size"].shown == 0.0


def test_guardians_who_signed_in_this_month(small):
    from django.utils import timezone

    from tests.factories import GuardianLinkFactory, UserFactory

    now = timezone.now()
    for i, pupil in enumerate(small.pupils):
        last = now - datetime.timedelta(days=3 if i < 2 else 40)
        GuardianLinkFactory(pupil=pupil, guardian=UserFactory(last_login=last))
    analytics_compute(full=True)
    # 2 of 5 guardians signed in since 1 November
    assert school_row(small.school).figures["guardians_signed_in"].shown == 40.0


def test_fewer_than_five_pupils_are_hidden(small):
    tiny = build_school("SP 3", pupils=4)
    day = lesson(tiny.assignment, datetime.date(2030, 10, 7))
    for pupil in tiny.pupils:
        mark(day, pupil, S.PRESENT)
    test = column(tiny.assignment, datetime.date(2030, 10, 9), 1)
    for pupil in tiny.pupils:
        grade(test, pupil, "5")
    analytics_compute(full=True)
    assert ClassMonth.objects.get(school_class=tiny.school_class).attendance_pupils == 4
    figures = school_row(tiny.school)
    for key in ("attendance", "unexcused", "grade_average", "failing"):
        assert figures.figures[key].suppressed and figures.figures[key].shown is None
    assert figures.by_month[OCTOBER].suppressed
    _levels, subjects = subject_level_figures(school=tiny.school)
    cells = [f for _name, row in subjects for f in row if f]
    assert cells and all(f.suppressed and f.shown is None for f in cells)
    # five pupils are enough
    assert not school_row(small.school).figures["attendance"].suppressed
