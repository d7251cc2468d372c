"""Before a term is closed: the report of what is missing, and closing with and
without gaps (services, the page, who may)."""

import datetime
from types import SimpleNamespace

import pytest
import time_machine

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gradebook import services
from gradebook.models import BehaviourGrade, TermGrade, TermStatus
from gradebook.register.models import Lesson, RegisterSettings, TimetableEntry
from gradebook.yearend.completeness import GAP_KINDS, term_completeness
from portal.models import AuditEvent, Enrolment, Role, TeachingAssignment, User
from tests.factories import (
    RoleFactory,
    SchoolClassFactory,
    SchoolFactory,
    SchoolYearFactory,
    SubjectFactory,
    TeachingGroupFactory,
    make_pupil,
    make_teacher,
)
from tests.yearend.conftest import behaviour as behaviour_grade
from tests.yearend.conftest import final

# Wednesday of the last full week of term 1 of 2026/2027 (1 Sep – 31 Jan).
TODAY = datetime.date(2027, 1, 20)
MONDAY = datetime.date(2027, 1, 18)


@pytest.fixture
def clock():
    with time_machine.travel(datetime.datetime(2027, 1, 20, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


def _school():
    school = SchoolFactory()
    year = SchoolYearFactory(school=school)
    admin = RoleFactory(school=school, role=Role.SCHOOL_ADMIN).user
    return SimpleNamespace(school=school, year=year, term=year.terms.get(number=1), admin=admin)


def _complete(s, school_class, assignment, pupil, behaviour=True):
    """Everything a pupil needs at the term's end, in one subject and behaviour."""
    for kind in TermGrade.Kind:
        final(pupil, assignment, s.term, 5, "Pracuje samodzielnie.", kind=kind)
        if behaviour:
            behaviour_grade(pupil, school_class, s.term, BehaviourGrade.Value.GOOD, kind=kind)


@pytest.fixture
def hand_built(clock, db):
    """A primary school with class 2a (descriptive) of three pupils in one subject
    and a group subject, each gap kind made on purpose."""
    s = _school()
    s.teacher = make_teacher(s.school, username="t-edu")
    s.klass = SchoolClassFactory(school_year=s.year, name="2a", level=2)
    s.p1 = make_pupil(s.klass, username="p1", last_name="Adamska")
    s.p2 = make_pupil(s.klass, username="p2", last_name="Borek")
    s.p3 = make_pupil(s.klass, username="p3", last_name="Cichy")
    s.edu = TeachingAssignment.objects.create(
        school_class=s.klass,
        subject=SubjectFactory(school=s.school, name="Edukacja wczesnoszkolna"),
        teacher=s.teacher,
    )
    group = TeachingGroupFactory(school_class=s.klass, name="angielski 1")
    group.pupils.add(s.p1)
    s.english = TeachingAssignment.objects.create(
        school_class=s.klass,
        subject=SubjectFactory(school=s.school, name="Język angielski"),
        teacher=s.teacher,
        group=group,
    )
    # p1 has everything; p2 lacks the final behaviour grade and the descriptive
    # text of the final grade; p3 has nothing at all.
    _complete(s, s.klass, s.edu, s.p1)
    _complete(s, s.klass, s.english, s.p1, behaviour=False)
    final(s.p2, s.edu, s.term, 4, kind=TermGrade.Kind.PROPOSED)
    final(s.p2, s.edu, s.term, 4)
    behaviour_grade(s.p2, s.klass, s.term, BehaviourGrade.Value.GOOD, kind=TermGrade.Kind.PROPOSED)
    # Lessons: one timetable slot never opened (no topic, no attendance), a lesson
    # with a topic but no attendance, one with attendance but no topic, a complete
    # one, and one after today (not missing yet).
    TimetableEntry.objects.create(
        assignment=s.edu, weekday=0, number=2, valid_from=MONDAY, valid_until=MONDAY
    )
    Lesson.objects.create(
        assignment=s.edu, date=datetime.date(2027, 1, 19), number=3, topic="Dodawanie"
    )
    Lesson.objects.create(
        assignment=s.edu, date=datetime.date(2027, 1, 12), number=1, attendance_taken=True
    )
    Lesson.objects.create(
        assignment=s.edu,
        date=datetime.date(2027, 1, 11),
        number=1,
        topic="Liczby",
        attendance_taken=True,
    )
    Lesson.objects.create(assignment=s.edu, date=datetime.date(2027, 1, 25), number=1)
    return s


def test_completeness_lists_each_kind_of_gap(hand_built):
    s = hand_built
    report = term_completeness(school=s.school, term=s.term)

    (klass,) = report.classes
    assert klass.descriptive and klass.pupil_count == 3
    assert klass.behaviour_proposed == [s.p3]
    assert klass.behaviour_final == [s.p2, s.p3]
    edu, english = klass.subjects
    assert (edu.assignment, english.assignment) == (s.edu, s.english)
    assert edu.proposed == [s.p3]
    assert edu.final == [s.p3]
    assert edu.descriptive == [s.p2, s.p3]  # p2's final grade has no text
    assert [(x.date.day, x.number) for x in edu.lessons_without_topic] == [(12, 1), (18, 2)]
    assert [(x.date.day, x.number) for x in edu.lessons_without_attendance] == [(18, 2), (19, 3)]
    # The group subject counts its own pupils only: p1, who has everything.
    assert english.pupil_count == 1 and not english.has_gaps
    assert klass.subjects_with_gaps == [edu]
    assert report.totals == {
        "proposed": 1,
        "final": 1,
        "descriptive": 2,
        "behaviour_proposed": 1,
        "behaviour_final": 2,
        "lesson_topic": 2,
        "lesson_attendance": 2,
    }
    assert list(report.totals) == list(GAP_KINDS)
    assert report.total == 11 and report.has_gaps
    assert report.lessons_until == TODAY


def test_lessons_before_the_registers_closed_date_are_not_gaps(hand_built):
    s = hand_built
    RegisterSettings.objects.create(school=s.school, closed_before=datetime.date(2027, 1, 19))
    edu = term_completeness(school=s.school, term=s.term).classes[0].subjects[0]
    assert [x.date.day for x in edu.lessons] == [19]


def test_from_class_4_no_descriptive_assessment_is_asked(clock, db):
    s = _school()
    klass = SchoolClassFactory(school_year=s.year, name="4a", level=4)
    pupil = make_pupil(klass)
    assignment = TeachingAssignment.objects.create(
        school_class=klass, subject=SubjectFactory(school=s.school), teacher=make_teacher(s.school)
    )
    final(pupil, assignment, s.term, 3, kind=TermGrade.Kind.PROPOSED)
    final(pupil, assignment, s.term, 3)
    report = term_completeness(school=s.school, term=s.term)
    assert report.totals["descriptive"] == 0 and report.totals["final"] == 0
    assert not report.classes[0].descriptive


def test_a_term_of_another_school_is_refused(hand_built):
    other = _school()
    with pytest.raises(ValueError):
        term_completeness(school=other.school, term=hand_built.term)


# --- Closing ---------------------------------------------------------------------------


@pytest.fixture
def complete_school(clock, db):
    s = _school()
    s.klass = SchoolClassFactory(school_year=s.year, name="5b", level=5)
    s.klass.homeroom_teacher = make_teacher(s.school)
    s.klass.save()
    s.pupil = make_pupil(s.klass)
    s.assignment = TeachingAssignment.objects.create(
        school_class=s.klass,
        subject=SubjectFactory(school=s.school),
        teacher=make_teacher(s.school),
    )
    _complete(s, s.klass, s.assignment, s.pupil)
    return s


def _term_events(term):
    return list(
        AuditEvent.objects.filter(category=AuditEvent.Category.TERM, target_id=term.pk).order_by(
            "id"
        )
    )


def test_a_term_without_gaps_closes_on_a_plain_confirmation(complete_school):
    s = complete_school
    assert not term_completeness(school=s.school, term=s.term).has_gaps
    services.term_set_closed(term=s.term, user=s.admin, closed=True)
    assert TermStatus.objects.get(term=s.term).is_closed
    (event,) = _term_events(s.term)
    assert (event.action, event.before, event.after) == (
        "term.close",
        {"is_closed": False},
        {"is_closed": True},
    )


def test_closing_with_gaps_needs_their_acceptance_which_is_recorded(hand_built):
    s = hand_built
    with pytest.raises(services.GradebookError) as refused:
        services.term_set_closed(term=s.term, user=s.admin, closed=True)
    assert refused.value.code == "term_incomplete"
    assert not TermStatus.objects.filter(term=s.term, is_closed=True).exists()
    assert _term_events(s.term) == []

    services.term_set_closed(term=s.term, user=s.admin, closed=True, accept_gaps=True)
    assert TermStatus.objects.get(term=s.term).is_closed
    (event,) = _term_events(s.term)
    assert event.action == "term.close" and event.actor == s.admin
    assert event.after == {
        "is_closed": True,
        "gaps_accepted": True,
        "gaps": {
            "proposed": 1,
            "final": 1,
            "descriptive": 2,
            "behaviour_proposed": 1,
            "behaviour_final": 2,
            "lesson_topic": 2,
            "lesson_attendance": 2,
        },
    }

    services.term_set_closed(term=s.term, user=s.admin, closed=False)
    reopened = _term_events(s.term)[-1]
    assert (reopened.action, reopened.after) == ("term.reopen", {"is_closed": False})


# --- The page ---------------------------------------------------------------------------


def _url(s):
    return reverse("gradebook:term_status", args=[s.school.pk, s.term.pk])


def test_the_admin_sees_the_report_then_closes_despite_the_gaps(hand_built, login):
    s = hand_built
    client = login(s.admin)
    page = client.get(_url(s))
    assert page.status_code == 200
    html = page.content.decode()
    assert "2a" in html and "Edukacja wczesnoszkolna" in html
    assert s.p3.sort_name in html and 'name="accept_gaps"' in html
    assert reverse("gradebook:term_grades", args=[s.edu.pk]) in html
    assert reverse("gradebook:behaviour", args=[s.klass.pk]) in html
    assert reverse("register:lesson", args=[s.edu.pk, "2027-01-18", 2]) in html

    refused = client.post(_url(s), {"closed": "1"})
    assert refused.status_code == 400 and 'role="alert"' in refused.content.decode()
    assert not TermStatus.objects.filter(term=s.term, is_closed=True).exists()

    done = client.post(_url(s), {"closed": "1", "accept_gaps": "1"})
    assert done.status_code == 302
    assert TermStatus.objects.get(term=s.term).is_closed
    assert _term_events(s.term)[0].after["gaps_accepted"] is True

    assert client.post(_url(s), {"closed": "0"}).status_code == 302
    assert not TermStatus.objects.get(term=s.term).is_closed
    assert [e.action for e in _term_events(s.term)] == ["term.close", "term.reopen"]


def test_the_page_puts_the_decision_before_the_details_of_each_class(hand_built, login):
    """An overview row per class with gaps links to that class's details, which
    are collapsed under the close form (a school's report ran to 12,000 px)."""
    s = hand_built
    html = login(s.admin).get(_url(s)).content.decode()
    overview = html.index("Braki według klas")
    decide = html.index('name="closed"')
    details = html.index('<details class="card gaps-class">')
    assert overview < decide < details
    anchor = f'href="#class-{s.klass.pk}"'
    assert anchor in html and f'id="class-{s.klass.pk}"' in html
    assert html.index(anchor) < decide
    assert "Klasa 2a (uczniów: 3)" in html


def test_without_gaps_the_page_asks_for_no_acceptance(complete_school, login):
    s = complete_school
    client = login(s.admin)
    page = client.get(_url(s))
    assert page.status_code == 200 and 'name="accept_gaps"' not in page.content.decode()
    assert client.post(_url(s), {"closed": "1"}).status_code == 302
    assert TermStatus.objects.get(term=s.term).is_closed


def test_only_the_schools_own_managers_see_the_report_or_close(hand_built, login):
    s = hand_built
    other = _school()
    for user in (other.admin, s.teacher, s.p1):
        client = login(user)
        assert client.get(_url(s)).status_code == 404
        assert client.post(_url(s), {"closed": "1", "accept_gaps": "1"}).status_code == 404
    assert not TermStatus.objects.filter(term=s.term).exists()
    assert login(other.admin).get(_url(other)).status_code == 200


# --- Queries ----------------------------------------------------------------------------


def _grow(s, classes: int, pupils: int):
    """Classes with pupils, two subjects each (one a group's), grades for half the
    pupils and a timetable slot a week."""
    teacher = make_teacher(s.school)
    for c in range(classes):
        klass = SchoolClassFactory(school_year=s.year, level=1 + c % 8)
        users = User.objects.bulk_create(
            User(username=f"q-{klass.pk}-{i}", last_name=f"N{i}", password="x")
            for i in range(pupils)
        )
        Enrolment.objects.bulk_create(
            Enrolment(pupil=u, school_class=klass, start_date=s.year.start) for u in users
        )
        group = TeachingGroupFactory(school_class=klass)
        group.pupils.add(*users[: pupils // 2])
        whole = TeachingAssignment.objects.create(
            school_class=klass,
            subject=SubjectFactory(school=s.school, name="Matematyka"),
            teacher=teacher,
        )
        TeachingAssignment.objects.create(
            school_class=klass,
            subject=SubjectFactory(school=s.school, name="Angielski"),
            teacher=teacher,
            group=group,
        )
        TimetableEntry.objects.create(assignment=whole, weekday=c % 5, number=1)
        TermGrade.objects.bulk_create(
            TermGrade(
                pupil=u, assignment=whole, term=s.term, kind="proposed", grade=4, teacher=teacher
            )
            for u in users[::2]
        )
        BehaviourGrade.objects.bulk_create(
            BehaviourGrade(
                pupil=u,
                school_class=klass,
                term=s.term,
                kind="final",
                value="dobre",
                teacher=teacher,
            )
            for u in users[::2]
        )


def _queries(fn):
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_queries_do_not_grow_with_classes_and_pupils(clock, db, login):
    s = _school()
    _grow(s, classes=2, pupils=3)
    client = login(s.admin)

    def report():
        return term_completeness(school=s.school, term=s.term)

    def page():
        assert client.get(_url(s)).status_code == 200

    page()  # the first visit of a session reads a little more
    small, small_page = _queries(report), _queries(page)
    assert report().totals["proposed"] > 0
    _grow(s, classes=5, pupils=12)
    assert _queries(report) == small
    assert _queries(page) == small_page
    assert len(report().classes) == 7
