"""Behaviour grades, honours and pupils not promoted, library loans per reader
and active readers: each against values counted by hand on the small school
(class 4a of five pupils, see conftest), with the suppression below 5."""

import datetime

import pytest

from analytics import reports
from analytics.models import ClassYear
from analytics.selectors import municipal_overview
from analytics.services import analytics_compute
from gradebook.models import BehaviourGrade
from gradebook.register.models import Attendance, Excuse, ExcuseDay
from gradebook.yearend.models import PromotionDecision, PromotionOutcome
from library.circulation.models import Loan
from portal.models import School, Term
from tests.factories import SchoolFactory
from tests.factories.circulation import copy_create, record_create

from .conftest import NOW

B = BehaviourGrade.Value
Outcome = PromotionOutcome


def figures_of(school):
    return next(r for r in municipal_overview()["schools"] if r.school == school).figures


def behaviour(s, pupil, value, *, term=1, kind=BehaviourGrade.Kind.FINAL):
    return BehaviourGrade.objects.create(
        pupil=pupil,
        school_class=s.school_class,
        term=Term.objects.get(school_year=s.year, number=term),
        kind=kind,
        value=value,
        teacher=s.teacher,
    )


def decide(s, pupil, outcome, *, confirmed=True):
    return PromotionDecision.objects.create(
        pupil=pupil,
        school_class=s.school_class,
        outcome=outcome,
        homeroom_confirmed_at=NOW if confirmed else None,
        admin_confirmed_at=NOW if confirmed else None,
    )


def loan(school, pupil, day):
    at = datetime.datetime.combine(day, datetime.time(10), tzinfo=datetime.UTC)
    return Loan.objects.create(
        copy=copy_create(record_create(), school),
        school=school,
        reader=pupil,
        checked_out_at=at,
        due_on=day + datetime.timedelta(days=30),
    )


@pytest.fixture
def behaviour_graded(small):
    p = small.pupils
    for pupil, value in zip(
        p, [B.EXEMPLARY, B.REPREHENSIBLE, B.GOOD, B.CORRECT, B.VERY_GOOD], strict=True
    ):
        behaviour(small, pupil, value)
    # The annual grade replaces the mid-year one; a proposal is no grade.
    behaviour(small, p[1], B.INADEQUATE, term=2)
    behaviour(small, p[2], B.REPREHENSIBLE, term=2, kind=BehaviourGrade.Kind.PROPOSED)
    return small


def test_behaviour_distribution_and_poor_share(behaviour_graded):
    s = behaviour_graded
    analytics_compute(full=True)
    row = ClassYear.objects.get(school_class=s.school_class)
    assert row.behaviour_graded == 5
    assert (row.behaviour_exemplary, row.behaviour_very_good, row.behaviour_good) == (1, 1, 1)
    assert (row.behaviour_correct, row.behaviour_inadequate, row.behaviour_reprehensible) == (
        1,
        1,
        0,
    )
    # inadequate + reprehensible = 1 of 5 pupils
    assert figures_of(s.school)["behaviour_poor"].shown == 20.0
    classes, distribution, *_rest = reports.school_drilldown(school=s.school)
    assert distribution.slug.endswith("-behaviour")
    assert [f.shown for f in distribution.rows[0][1:]] == [20.0, 20.0, 20.0, 20.0, 20.0, 0.0]
    assert distribution.rows[0][0] == "4a"
    assert [f.shown for f in distribution.foot[0][1:]] == [20.0, 20.0, 20.0, 20.0, 20.0, 0.0]
    assert all(c.measure == "behaviour" for c in distribution.columns[1:])
    keys = classes.measure_keys
    assert classes.rows[0][1 + keys.index("behaviour_poor")].shown == 20.0


def test_behaviour_of_four_pupils_is_hidden(small):
    for pupil in small.pupils[:4]:
        behaviour(small, pupil, B.GOOD)
    analytics_compute(full=True)
    figure = figures_of(small.school)["behaviour_poor"]
    assert figure.value == 0.0 and figure.suppressed and figure.shown is None


def test_honours_and_not_promoted(small):
    p = small.pupils
    decide(small, p[0], Outcome.PROMOTED_WITH_HONOURS)
    decide(small, p[1], Outcome.NOT_PROMOTED)
    decide(small, p[2], Outcome.PROMOTED)
    decide(small, p[3], Outcome.PROMOTED, confirmed=False)
    decide(small, p[4], Outcome.GRADUATED_WITH_HONOURS)
    analytics_compute(full=True)
    # Four confirmed decisions: too few to show.
    figures = figures_of(small.school)
    assert figures["honours"].value == 50.0 and figures["honours"].shown is None
    assert figures["not_promoted"].shown is None
    PromotionDecision.objects.filter(pupil=p[3]).update(
        homeroom_confirmed_at=NOW, admin_confirmed_at=NOW
    )
    # Not in the change logs, yet every run (incremental too) counts the year again.
    analytics_compute(since=NOW)
    row = ClassYear.objects.get(school_class=small.school_class)
    assert (row.decided, row.honours, row.not_promoted) == (5, 2, 1)
    figures = figures_of(small.school)
    assert figures["honours"].shown == 40.0  # 2 ÷ 5
    assert figures["not_promoted"].shown == 20.0  # 1 ÷ 5


def test_loans_per_reader_and_active_readers(small):
    p = small.pupils
    school = small.school
    elsewhere = SchoolFactory(short_name="SP 9")
    for day in (datetime.date(2030, 9, 10), datetime.date(2030, 10, 1), datetime.date(2030, 11, 2)):
        loan(school, p[0], day)
    loan(school, p[1], datetime.date(2030, 10, 5))
    loan(school, p[2], datetime.date(2030, 9, 20))
    loan(school, p[2], datetime.date(2030, 10, 20))
    loan(elsewhere, p[3], datetime.date(2030, 10, 5))  # another school's library
    loan(school, p[4], datetime.date(2030, 8, 20))  # before the school year
    analytics_compute(full=True)
    row = ClassYear.objects.get(school_class=small.school_class)
    assert (row.pupils, row.loans, row.readers) == (5, 6, 3)
    figures = figures_of(school)
    assert figures["active_readers"].shown == 60.0  # 3 readers ÷ 5 pupils
    # 6 loans ÷ 3 readers = 2.0, but from 3 readers: hidden
    assert figures["loans_per_reader"].value == 2.0
    assert figures["loans_per_reader"].shown is None
    loan(school, p[3], datetime.date(2030, 11, 3))
    loan(school, p[4], datetime.date(2030, 11, 4))
    analytics_compute(since=NOW)
    figures = figures_of(school)
    assert figures["loans_per_reader"].shown == 1.6  # 8 ÷ 5
    assert figures["active_readers"].shown == 100.0


def test_new_measures_in_comparison_trend_and_open_data(behaviour_graded):
    s = behaviour_graded
    for pupil in s.pupils:
        decide(s, pupil, Outcome.PROMOTED)
    analytics_compute(full=True)
    (table,) = reports.school_comparison(school_type=s.school.school_type, today=NOW.date())
    keys = table.measure_keys
    assert "behaviour" not in keys  # a distribution, not one figure
    assert table.rows[0][1 + keys.index("behaviour_poor")].shown == 20.0
    assert table.foot[0][1 + keys.index("not_promoted")].shown == 0.0
    assert "honours" in reports.TRENDS
    (years,) = reports.measure_trend(key="behaviour_poor", today=NOW.date())
    assert years.rows == [["2030/2031", years.rows[0][1]]]
    assert years.rows[0][1].shown == 20.0
    data = reports.open_data()
    keys = data.measure_keys
    assert data.rows[0][4 + keys.index("behaviour_poor")].shown == 20.0
    overview = municipal_overview()
    assert "behaviour" not in overview["measures"]
    # the schools side by side, in tables by theme: every measure in exactly one
    shown = [m.key for group in overview["groups"] for m in group["measures"]]
    assert sorted(shown) == sorted(overview["measures"]) and len(shown) == len(set(shown))
    for group in overview["groups"]:
        assert all(len(cells) == len(group["measures"]) for _s, cells in group["rows"])
    assert School.objects.count() == 1


def excuse(s, pupil, days, decided=None, *, absences=()):
    status = Excuse.Status.ACCEPTED if decided else Excuse.Status.PENDING
    item = Excuse.objects.create(
        pupil=pupil,
        school_class=s.school_class,
        submitted_by=pupil,
        reason="choroba",
        status=status,
        decided_by=s.teacher if decided else None,
        decided_at=datetime.datetime.combine(decided, datetime.time(10), tzinfo=datetime.UTC)
        if decided
        else None,
    )
    for day in days:
        ExcuseDay.objects.create(excuse=item, date=day)
    item.attendances.add(*absences)
    return item


def test_days_from_absence_to_excuse_decision(small):
    p = small.pupils
    d = datetime.date
    excuse(small, p[0], [d(2030, 10, 7)], d(2030, 10, 10))  # 3 days
    # the marked absence of 8 October is earlier than the day it names: 1 day
    absence = Attendance.objects.get(pupil=p[1], lesson__date=d(2030, 10, 8))
    excuse(small, p[1], [d(2030, 10, 9)], d(2030, 10, 9), absences=[absence])
    excuse(small, p[2], [d(2030, 10, 15), d(2030, 10, 14)], d(2030, 10, 20))  # 6 days
    excuse(small, p[3], [d(2030, 10, 30)], d(2030, 10, 25))  # advance notice: 0 days
    late = excuse(small, p[4], [d(2030, 10, 21)])  # still pending
    excuse(small, p[0], [d(2030, 11, 3)])  # pending: not counted
    analytics_compute(full=True)
    figure = figures_of(small.school)["excuse_days"]
    # (3 + 1 + 6 + 0) ÷ 4, from 4 pupils: hidden
    assert figure.value == 2.5 and figure.shown is None
    late.decided_at = datetime.datetime(2030, 10, 26, 10, tzinfo=datetime.UTC)  # 5 days
    late.status = Excuse.Status.REJECTED
    late.save()
    analytics_compute(since=NOW)
    row = ClassYear.objects.get(school_class=small.school_class)
    assert (row.excuses_decided, row.excuse_days, row.excused_pupils) == (5, 15, 5)
    assert figures_of(small.school)["excuse_days"].shown == 3.0  # 15 ÷ 5


def test_no_data_is_not_marked_hidden(small):
    analytics_compute(full=True)
    figures = figures_of(small.school)
    # no behaviour grade, decision or loan yet: nothing counted, nothing hidden
    for key in ("behaviour_poor", "honours", "loans_per_reader", "active_readers"):
        assert figures[key].value is None and not figures[key].suppressed
    assert figures["attendance"].shown == 66.7
