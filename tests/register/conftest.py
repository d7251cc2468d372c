import pytest

from tests.factories.register import LessonFactory, last_school_day


@pytest.fixture(autouse=True)
def _school_day(on_a_school_day):
    """The class register is about school days: every test here runs on one
    (tests/conftest.py, `a_school_day`), whatever the date of the run."""
    return on_a_school_day


@pytest.fixture
def day():
    return last_school_day()


@pytest.fixture
def absence(world, day):
    """A taken lesson of school A in which the pupil was absent (unexcused)."""
    from gradebook.register.models import Attendance

    a = world.a
    lesson = LessonFactory(assignment=a.assignment, date=day)
    return Attendance.objects.create(
        lesson=lesson, pupil=a.pupil, status=Attendance.Status.UNEXCUSED
    )
