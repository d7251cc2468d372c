"""A finished school year is read-only: every write service of register data for
one of its classes refuses with code "year_closed" and a Polish message; once a
school admin reopens the year (with a reason) the same write goes through."""

import datetime

import pytest

from django.utils import timezone

from gradebook import services as grade_services
from gradebook.models import Assessment
from gradebook.register import services as register_services
from gradebook.register.models import Excuse, Remark, TimetableEntry
from gradebook.yearend import rollover
from portal import services as portal_services
from portal.errors import ServiceError
from portal.models import Term
from tests.factories import UserFactory
from tests.factories.gradebook import AssessmentFactory
from tests.factories.register import AttendanceFactory, LessonFactory


@pytest.fixture
def closed(world, on_a_school_day):
    a = world.a
    a.term = Term.objects.filter(school_year=a.year).order_by("number").first()
    a.day = a.term.start + datetime.timedelta(days=14)
    while a.day.weekday() >= 5:
        a.day += datetime.timedelta(days=1)
    a.assessment = AssessmentFactory(assignment=a.assignment, term=a.term)
    a.year.closed_at = timezone.now()
    a.year.save()
    return a


def _refused(call):
    with pytest.raises(ServiceError) as refused:
        call()
    assert refused.value.code == "year_closed"
    assert "jest zakończony i tylko do odczytu" in refused.value.message
    return refused.value


WRITES = {
    "grade": lambda a: grade_services.sheet_save(
        assignment=a.assignment,
        user=a.teacher,
        cells=[grade_services.CellInput(a.assessment.pk, a.pupil.pk, "5", "")],
        day=a.day,
    ),
    "assessment": lambda a: grade_services.assessment_save(
        assessment=Assessment(
            assignment=a.assignment,
            term=a.term,
            name="Kartkówka",
            category=a.assessment.category,
            weight=1,
            date=a.day,
            created_by=a.teacher,
        ),
        user=a.teacher,
    ),
    "term_grade": lambda a: grade_services.term_grades_save(
        assignment=a.assignment,
        term=a.term,
        user=a.teacher,
        entries=[grade_services.TermGradeInput(a.pupil.pk, "proposed", 4)],
    ),
    "behaviour": lambda a: grade_services.behaviour_grades_save(
        school_class=a.class_a, term=a.term, user=a.homeroom, entries=[]
    ),
    "lesson": lambda a: register_services.lesson_materialise(
        assignment=a.assignment, date=a.day, number=1, user=a.teacher
    ),
    "remark": lambda a: register_services.remark_create(
        author=a.teacher,
        pupil=a.pupil,
        school_class=a.class_a,
        kind=Remark.Kind.NEGATIVE,
        text="Rozmowy",
    ),
    "homework": lambda a: register_services.homework_create(
        assignment=a.assignment, due_date=a.day, description="Zad. 1", user=a.teacher
    ),
    "test": lambda a: register_services.test_plan(
        assignment=a.assignment, date=a.day, kind="test", scope="Ułamki", user=a.teacher
    ),
    "timetable": lambda a: register_services.timetable_entry_save(
        entry=TimetableEntry(assignment=a.assignment, weekday=0, number=5), user=a.admin
    ),
    "enrolment": lambda a: portal_services.enrolment_create(
        pupil=UserFactory(), school_class=a.class_a, start_date=a.day
    ),
}


@pytest.mark.parametrize("kind", sorted(WRITES))
def test_a_write_into_a_finished_year_is_refused(closed, kind):
    _refused(lambda: WRITES[kind](closed))


def test_the_lesson_page_s_refusal_names_the_finished_year(closed):
    refusal = register_services.entry_refusal(assignment=closed.assignment, day=closed.day)
    assert refusal is not None and refusal.code == "year_closed"


def test_attendance_of_a_finished_year_is_refused(closed):
    a = closed
    lesson = LessonFactory(assignment=a.assignment, date=a.day)
    _refused(
        lambda: register_services.lesson_record(
            lesson=lesson, user=a.teacher, topic="Nowy temat", marks={}, pupil_ids=[]
        )
    )


def test_excuses_of_a_finished_year_are_refused(closed):
    a = closed
    absence = AttendanceFactory(
        lesson=LessonFactory(assignment=a.assignment, date=a.day),
        pupil=a.pupil,
        status="n",
    )
    _refused(
        lambda: register_services.excuse_submit(
            guardian=a.guardian, pupil=a.pupil, attendance_ids=[absence.pk], reason="Choroba"
        )
    )
    excuse = Excuse.objects.create(
        pupil=a.pupil, school_class=a.class_a, submitted_by=a.guardian, reason="Choroba"
    )
    _refused(lambda: register_services.excuse_decide(excuse=excuse, user=a.homeroom, accept=True))


def test_reopening_lifts_the_refusal_and_closing_again_restores_it(closed):
    a = closed
    a.year.is_current = False
    a.year.save()
    rollover.school_year_reopen(school_year=a.year, user=a.admin, reason="Korekta uwagi")
    a.class_a.school_year.refresh_from_db()
    WRITES["remark"](a)
    assert Remark.objects.filter(pupil=a.pupil).count() == 1
    rollover.school_year_close(school_year=a.year, user=a.admin)
    a.class_a.school_year.refresh_from_db()
    _refused(lambda: WRITES["remark"](a))


def test_reopening_is_for_the_school_s_year_end_runners(closed, world):
    with pytest.raises(ServiceError) as refused:
        rollover.school_year_reopen(school_year=closed.year, user=world.b.admin, reason="x")
    assert refused.value.code == "not_allowed"
    with pytest.raises(ServiceError):
        rollover.school_year_reopen(school_year=closed.year, user=closed.teacher, reason="x")
