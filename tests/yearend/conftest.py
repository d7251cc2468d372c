"""A small hand-built class for the year-end summaries, at the end of a school
year whose dates do not depend on the day the tests run."""

import datetime
from types import SimpleNamespace

import pytest
import time_machine

from gradebook.models import BehaviourGrade, TermGrade
from gradebook.register.models import Attendance
from portal.models import Role, Term
from tests.conftest import build_school_world
from tests.factories import (
    RoleFactory,
    SchoolClassFactory,
    SubjectFactory,
    TeachingAssignmentFactory,
    UserFactory,
    make_pupil,
)
from tests.factories.gradebook import TermGradeFactory
from tests.factories.register import LessonFactory

# A Monday near the end of the second term of 2026/2027 (term 2: 1 Feb – 26 Jun).
END_OF_YEAR = "2027-06-21 10:00:00+02:00"


@pytest.fixture
def june():
    with time_machine.travel(END_OF_YEAR, tick=False):
        yield


def final(pupil, assignment, term, grade=None, description="", kind=TermGrade.Kind.FINAL):
    return TermGradeFactory(
        pupil=pupil,
        assignment=assignment,
        term=term,
        kind=kind,
        grade=grade,
        description=description,
    )


def behaviour(pupil, school_class, term, value, kind=BehaviourGrade.Kind.FINAL):
    return BehaviourGrade.objects.create(
        pupil=pupil,
        school_class=school_class,
        term=term,
        kind=kind,
        value=value,
        teacher=school_class.homeroom_teacher or UserFactory(),
    )


def lessons_with(assignment, start, attendance):
    """One lesson a day from `start`, as many as the statuses of `attendance`
    ({pupil: [status, ...]}), each pupil's attendance marked in order."""
    days = max(len(statuses) for statuses in attendance.values())
    for i in range(days):
        lesson = LessonFactory(
            assignment=assignment, date=start + datetime.timedelta(days=i), number=1
        )
        for pupil, statuses in attendance.items():
            if i < len(statuses):
                Attendance.objects.create(lesson=lesson, pupil=pupil, status=statuses[i])


def build_year_end(name):
    side = build_school_world(name)
    side.headteacher = RoleFactory(
        school=side.school, role=Role.HEADTEACHER, user=UserFactory(username=f"{name}-head")
    ).user
    side.terms = list(Term.objects.filter(school_year=side.year).order_by("number"))
    side.term1, side.term2 = side.terms
    cls, term = side.class_a, side.term2
    side.maths = side.assignment
    side.polish_subject = SubjectFactory(school=side.school, name="Język polski")
    side.polish = TeachingAssignmentFactory(school_class=cls, subject=side.polish_subject)
    side.pupil.first_name, side.pupil.last_name = "Anna", "Adamska"
    side.pupil.save()
    side.honours = make_pupil(
        cls, username=f"{name}-honours", first_name="Barbara", last_name="Bąk"
    )
    side.failing = make_pupil(cls, username=f"{name}-failing", first_name="Cezary", last_name="Cis")
    side.unclassified = make_pupil(
        cls, username=f"{name}-uncl", first_name="Dawid", last_name="Dąb"
    )
    # Anna: 4 and 3, good behaviour: promoted.
    final(side.pupil, side.maths, term, 4)
    final(side.pupil, side.polish, term, 3)
    behaviour(side.pupil, cls, term, "dobre")
    # Barbara: 5 and 5 (4.75 needs 5, 5, 4, 5 — here 5.00), exemplary: honours.
    final(side.honours, side.maths, term, 5)
    final(side.honours, side.polish, term, 5)
    behaviour(side.honours, cls, term, "wzorowe")
    # Cezary: a failing grade in maths: at risk, retake exam, not promoted.
    final(side.failing, side.maths, term, 1)
    final(side.failing, side.polish, term, 3)
    behaviour(side.failing, cls, term, "poprawne")
    # Dawid: no final grade in Polish (only a proposed 2), absent from most maths lessons.
    final(side.unclassified, side.maths, term, 2)
    final(side.unclassified, side.polish, term, 2, kind=TermGrade.Kind.PROPOSED)
    behaviour(side.unclassified, cls, term, "dobre")
    start = datetime.date(2027, 3, 1)
    s = Attendance.Status
    lessons_with(
        side.maths,
        start,
        {
            side.unclassified: [s.UNEXCUSED, s.EXCUSED, s.EXCUSED, s.PRESENT],
            side.pupil: [s.PRESENT, s.LATE, s.PRESENT, s.EXCUSED],
        },
    )
    # Class 2a: descriptive assessment.
    side.class_2 = SchoolClassFactory(school_year=side.year, name="2a", level=2)
    side.reading = TeachingAssignmentFactory(school_class=side.class_2, subject=side.polish_subject)
    side.small = make_pupil(
        side.class_2, username=f"{name}-small", first_name="Ewa", last_name="Ek"
    )
    final(side.small, side.reading, term, description="Czyta płynnie i ze zrozumieniem.")
    return side


@pytest.fixture
def ye(june, db):
    a = build_year_end("a")
    b = build_year_end("b")
    return SimpleNamespace(a=a, b=b)
