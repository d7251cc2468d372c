import pytest

from tests.factories.register import LessonFactory, last_school_day


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
