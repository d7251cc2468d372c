"""The attendance formula of the domain guide, every category and the lateness setting."""

import datetime

import pytest

from gradebook.register.models import Attendance, RegisterSettings
from gradebook.register.selectors import attendance_percent, class_attendance_stats
from tests.factories.register import LessonFactory

S = Attendance.Status


def test_only_present_is_100():
    assert attendance_percent({S.PRESENT: 10}) == 100.0


def test_excused_and_unexcused_count_as_absent():
    assert attendance_percent({S.PRESENT: 2, S.EXCUSED: 1, S.UNEXCUSED: 1}) == 50.0


def test_school_reasons_count_as_present():
    assert attendance_percent({S.SCHOOL: 3, S.UNEXCUSED: 1}) == 75.0


def test_released_counts_as_neither():
    assert attendance_percent({S.PRESENT: 3, S.UNEXCUSED: 1, S.RELEASED: 20}) == 75.0
    assert attendance_percent({S.RELEASED: 4}) is None


def test_late_counts_as_present_by_default():
    assert attendance_percent({S.LATE: 1, S.UNEXCUSED: 1}) == 50.0
    assert attendance_percent({S.LATE: 3, S.PRESENT: 1}) == 100.0


def test_late_counts_as_absent_when_school_says_so():
    assert attendance_percent({S.LATE: 3, S.PRESENT: 1}, late_counts_as_present=False) == 25.0


def test_nothing_recorded_is_none():
    assert attendance_percent({}) is None


@pytest.mark.django_db
def test_class_stats_use_school_setting_and_warn_near_half(world):
    a = world.a
    start = a.year.start
    statuses = [S.UNEXCUSED, S.EXCUSED, S.LATE, S.PRESENT, S.PRESENT]
    for number, status in enumerate(statuses, start=1):
        lesson = LessonFactory(assignment=a.assignment, date=start, number=number)
        Attendance.objects.create(lesson=lesson, pupil=a.pupil, status=status)
    end = start + datetime.timedelta(days=1)
    stats = class_attendance_stats(a.class_a, start=start, end=end)
    row = next(r for r in stats["rows"] if r.label == a.pupil.sort_name)
    assert row.percent == 60.0
    assert row.warn is True  # 40 % absent in maths reaches the default warning threshold
    assert stats["total"].percent == 60.0

    RegisterSettings.objects.create(school=a.school, late_counts_as_present=False)
    stats = class_attendance_stats(a.class_a, start=start, end=end)
    row = next(r for r in stats["rows"] if r.label == a.pupil.sort_name)
    assert row.percent == 40.0


@pytest.mark.django_db
def test_few_lessons_give_no_warning(world):
    a = world.a
    lesson = LessonFactory(assignment=a.assignment, date=a.year.start)
    Attendance.objects.create(lesson=lesson, pupil=a.pupil, status=S.UNEXCUSED)
    stats = class_attendance_stats(a.class_a, start=a.year.start, end=a.year.start)
    assert stats["warnings"] == []


@pytest.mark.django_db
def test_pupil_stats_per_subject_and_month(world, login):
    from django.urls import reverse

    a = world.a
    for number, status in enumerate([S.PRESENT, S.UNEXCUSED], start=1):
        lesson = LessonFactory(assignment=a.assignment, date=a.year.start, number=number)
        Attendance.objects.create(lesson=lesson, pupil=a.pupil, status=status)
    url = reverse("register:pupil_stats")
    page = login(a.guardian, mfa=False).get(url, {"pupil": a.pupil.pk, "term": 1})
    assert page.status_code == 200
    assert "50,0%" in page.text or "50.0%" in page.text
    assert login(a.pupil, mfa=False).get(url, {"pupil": a.pupil.pk}).status_code == 200
    assert login(world.b.guardian, mfa=False).get(url, {"pupil": a.pupil.pk}).status_code == 404
    assert login(world.b.teacher).get(url, {"pupil": a.pupil.pk}).status_code == 404
