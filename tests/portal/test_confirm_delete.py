"""The one "Usuń" pattern (portal/confirm.py): the first press of every delete
button only asks; the confirmation repeats the request and deletes."""

import datetime

import pytest

from django.urls import reverse

from gradebook.models import GradeCategory
from gradebook.register.models import FreeDay, TimetableEntry
from library.circulation.models import ClosedPeriod, LoanRule
from tests.factories.register import TimetableEntryFactory


def ask_then_confirm(client, url, data, still_there):
    asked = client.post(url, data)
    assert asked.status_code == 200
    text = asked.content.decode()
    assert "Usunąć na stałe?" in text and 'name="confirm" value="1"' in text
    assert still_there(), "the first press must not delete"
    for name, value in data.items():  # the confirmation repeats the request
        assert f'name="{name}" value="{value}"' in text
    done = client.post(url, {**data, "confirm": "1"})
    assert done.status_code == 302
    assert not still_there()


def test_timetable_slot(world, login):
    a = world.a
    entry = TimetableEntryFactory(assignment=a.assignment, weekday=0, number=1)
    url = reverse("register:timetable", args=[a.class_a.pk])
    exists = TimetableEntry.objects.filter(pk=entry.pk).exists
    ask_then_confirm(login(a.admin), url, {"delete": str(entry.pk)}, exists)


def test_free_day(world, login):
    a = world.a
    day = FreeDay.objects.create(
        school=a.school,
        start=datetime.date(2026, 12, 24),
        end=datetime.date(2026, 12, 24),
        name="Wigilia",
    )
    url = reverse("register:settings", args=[a.school.pk])
    exists = FreeDay.objects.filter(pk=day.pk).exists
    ask_then_confirm(login(a.admin), url, {"delete": str(day.pk)}, exists)


def test_grade_category(world, login):
    a = world.a
    category = GradeCategory.objects.create(school=a.school, name="Projekt", weight=2)
    url = reverse("gradebook:category_delete", args=[a.school.pk, category.pk])
    exists = GradeCategory.objects.filter(pk=category.pk).exists
    ask_then_confirm(login(a.admin), url, {}, exists)


@pytest.mark.parametrize("kind", ["delete_rule", "delete_closed"])
def test_library_rules_and_closed_days(world, login, kind):
    a = world.a
    if kind == "delete_rule":
        obj = LoanRule.objects.create(school=a.school, loan_days=14)
    else:
        obj = ClosedPeriod.objects.create(
            school=a.school,
            name="Ferie",
            start=datetime.date(2027, 1, 18),
            end=datetime.date(2027, 1, 29),
        )
    url = reverse("circulation:rules", args=[a.school.pk])
    exists = type(obj).objects.filter(pk=obj.pk).exists
    ask_then_confirm(login(a.librarian), url, {"action": kind, "pk": str(obj.pk)}, exists)
