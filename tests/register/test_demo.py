"""The register's demo seed: realistic content, and a second run changes nothing."""

import io

import pytest

from django.core.management import call_command

from gradebook.register.models import (
    Announcement,
    Attendance,
    Excuse,
    Homework,
    Lesson,
    PlannedTest,
    Remark,
    TimetableEntry,
)
from gradebook.register.selectors import missing_entries
from portal.models import User

pytestmark = pytest.mark.django_db

MODELS = (TimetableEntry, Lesson, Attendance, Excuse, Remark, Homework, PlannedTest, Announcement)


def test_seed_fills_the_register_and_is_idempotent():
    call_command("seed_demo", stdout=io.StringIO())
    counts = {m: m.objects.count() for m in MODELS}
    assert all(counts.values()), counts
    statuses = set(Attendance.objects.values_list("status", flat=True))
    assert statuses == set(Attendance.Status.values)
    absent = Attendance.objects.filter(status__in=["u", "n"]).count()
    assert 0.02 < absent / counts[Attendance] < 0.2  # realistic absence rate
    assert Excuse.objects.filter(status=Excuse.Status.PENDING).exists()
    assert Excuse.objects.exclude(status=Excuse.Status.PENDING).exists()
    assert not Lesson.objects.filter(topic="").exists()
    teacher = User.objects.get(username="demo-teacher")
    assert len(missing_entries(teacher)) < 20
    call_command("seed_demo", stdout=io.StringIO())
    assert {m: m.objects.count() for m in MODELS} == counts
