"""A small school with hand-countable grades and attendance, on a fixed date."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine

from gradebook.models import Grade, TermGrade
from gradebook.register.models import Attendance
from portal.models import Role, Term
from tests.factories import (
    RoleFactory,
    SchoolClassFactory,
    SchoolFactory,
    SchoolYearFactory,
    SubjectFactory,
    TeachingAssignmentFactory,
    UserFactory,
    make_pupil,
)
from tests.factories.gradebook import AssessmentFactory, GradeCategoryFactory, TermGradeFactory
from tests.factories.register import AttendanceFactory, LessonFactory, TimetableEntryFactory

# A Thursday of the school year 2030/2031: the data below is of October.
NOW = datetime.datetime(2030, 11, 14, 10, 0, tzinfo=datetime.UTC)
OCTOBER = datetime.date(2030, 10, 1)
NOVEMBER = datetime.date(2030, 11, 1)
S = Attendance.Status


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def pupils_of(school_class, n, prefix):
    return [
        make_pupil(
            school_class,
            username=f"{prefix}{i}",
            first_name="Zenobia",
            last_name=f"{prefix.title()}ówna{i}",
        )
        for i in range(n)
    ]


def build_school(short_name, *, pupils=5):
    school = SchoolFactory(short_name=short_name, name=f"Szkoła {short_name}")
    year = SchoolYearFactory(school=school)
    school_class = SchoolClassFactory(school_year=year, name="4a", level=4)
    subject = SubjectFactory(school=school, name="Matematyka")
    assignment = TeachingAssignmentFactory(school_class=school_class, subject=subject)
    return SimpleNamespace(
        school=school,
        year=year,
        school_class=school_class,
        subject=subject,
        assignment=assignment,
        teacher=assignment.teacher,
        pupils=pupils_of(school_class, pupils, f"uczen{short_name.lower().replace(' ', '')}x"),
    )


def lesson(assignment, day, number=1):
    return LessonFactory(assignment=assignment, date=day, number=number)


def mark(lesson_, pupil, status):
    return AttendanceFactory(lesson=lesson_, pupil=pupil, status=status)


def column(assignment, day, weight, *, counts=True, term=None):
    category = GradeCategoryFactory(school=assignment.school_class.school_year.school)
    kwargs = {"term": term} if term else {}
    return AssessmentFactory(
        assignment=assignment,
        date=day,
        weight=weight,
        counts_to_average=counts,
        category=category,
        **kwargs,
    )


def grade(assessment, pupil, symbol, improves=None):
    return Grade.objects.create(
        assessment=assessment,
        pupil=pupil,
        symbol=symbol,
        teacher=assessment.assignment.teacher,
        improves=improves,
    )


def final(assignment, pupil, grade=None, *, term=1, description="", kind=TermGrade.Kind.FINAL):
    """A final (or proposed) grade of term 1 (mid-year) or 2 (annual)."""
    return TermGradeFactory(
        pupil=pupil,
        assignment=assignment,
        term=Term.objects.get(school_year=assignment.school_class.school_year, number=term),
        kind=kind,
        grade=grade,
        description=description,
    )


def slot(assignment, weekday, number, *, valid_from=None, valid_until=None):
    """A timetable entry: one lesson a week while in force."""
    return TimetableEntryFactory(
        assignment=assignment,
        weekday=weekday,
        number=number,
        valid_from=valid_from,
        valid_until=valid_until,
    )


@pytest.fixture
def small(db, clock):
    """School "SP 1": class 4a of five pupils, October attendance
    p=3, late=2, school reasons=1, excused=2, unexcused=1, released=1, and
    October grades of Matematyka worth Σ(value × weight) = 48.75 over Σ weight = 16."""
    s = build_school("SP 1")
    p = s.pupils
    first = lesson(s.assignment, datetime.date(2030, 10, 7))
    second = lesson(s.assignment, datetime.date(2030, 10, 8))
    for pupil, status in zip(p, [S.PRESENT, S.PRESENT, S.LATE, S.EXCUSED, S.RELEASED], strict=True):
        mark(first, pupil, status)
    for pupil, status in zip(p, [S.SCHOOL, S.UNEXCUSED, S.PRESENT, S.LATE, S.EXCUSED], strict=True):
        mark(second, pupil, status)
    test = column(s.assignment, datetime.date(2030, 10, 10), 3)
    answer = column(s.assignment, datetime.date(2030, 10, 20), 1)
    extra = column(s.assignment, datetime.date(2030, 10, 21), 2, counts=False)
    s.grades = {
        "5": grade(test, p[0], "5"),
        "1": grade(test, p[1], "1"),
        "3-": grade(test, p[2], "3-"),
        "4": grade(test, p[3], "4"),
        "2": grade(test, p[4], "2"),
        "4+": grade(answer, p[0], "4+"),
        "np": grade(answer, p[1], "np"),
        "6": grade(extra, p[0], "6"),
    }
    s.expected_sum = Decimal("48.75")  # 5·3 + 1·3 + 2.75·3 + 4·3 + 2·3 + 4.5·1
    s.expected_weights = Decimal(16)
    s.officer = RoleFactory(
        role=Role.OFFICER, school=None, user=UserFactory(username="urzednik")
    ).user
    return s
