"""Teachers change and delete their own homework and planned tests: every change
is in the register's history, "Usuń" asks first, a test that moves or is taken
off tells the class's families, and nobody else's items can be reached."""

import datetime

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gradebook.register import services
from gradebook.register.models import Homework, PlannedTest, RegisterChange
from notifications.models import Notification
from portal.files import private_storage
from tests.factories.register import HomeworkFactory, PlannedTestFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 zadanie"


def test_a_teacher_edits_homework_and_the_change_is_in_the_history(world, login):
    homework = HomeworkFactory(assignment=world.a.assignment)
    client = login(world.a.teacher)
    listing = client.get(reverse("register:homework")).text
    url = reverse("register:homework_edit", args=[homework.pk])
    assert url in listing
    new_due = homework.due_date + datetime.timedelta(days=1)
    response = client.post(
        url, {"due_date": new_due.isoformat(), "description": "Zadania 1–8 ze strony 42."}
    )
    assert response.status_code == 302
    homework.refresh_from_db()
    assert homework.due_date == new_due and homework.description.startswith("Zadania 1–8")
    change = RegisterChange.objects.get(action="homework.update", object_id=homework.pk)
    assert change.actor == world.a.teacher
    assert change.before["description"] == "Zadania 1–5 ze strony 42."
    assert change.after["due_date"] == new_due.isoformat()


def test_replacing_and_removing_the_attachment_deletes_the_old_file(world, login, disk):
    homework = services.homework_create(
        assignment=world.a.assignment,
        due_date=timezone.localdate() + datetime.timedelta(days=3),
        description="Zadania",
        user=world.a.teacher,
        attachment=SimpleUploadedFile("stary.pdf", PDF, content_type="application/pdf"),
    )
    old = homework.attachment.name
    client = login(world.a.teacher)
    url = reverse("register:homework_edit", args=[homework.pk])
    data = {"due_date": homework.due_date.isoformat(), "description": "Zadania"}
    upload = SimpleUploadedFile("nowy.pdf", PDF, content_type="application/pdf")
    with django_capture_on_commit():
        assert client.post(url, {**data, "attachment": upload}).status_code == 302
    homework.refresh_from_db()
    assert homework.attachment_name == "nowy.pdf" and not private_storage().exists(old)
    newer = homework.attachment.name
    with django_capture_on_commit():
        client.post(url, {**data, "remove_attachment": "on"})
    homework.refresh_from_db()
    assert not homework.attachment and not private_storage().exists(newer)


def django_capture_on_commit():
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


def test_delete_asks_first_and_is_recorded(world, login):
    homework = HomeworkFactory(assignment=world.a.assignment)
    client = login(world.a.teacher)
    url = reverse("register:homework_edit", args=[homework.pk])
    asked = client.post(url, {"delete": "1"})
    assert asked.status_code == 200 and "Usunąć na stałe?" in asked.text
    assert Homework.objects.filter(pk=homework.pk).exists()
    assert client.post(url, {"delete": "1", "confirm": "1"}).status_code == 302
    assert not Homework.objects.filter(pk=homework.pk).exists()
    change = RegisterChange.objects.get(action="homework.delete", object_id=homework.pk)
    assert change.before["description"] == homework.description


def test_moving_a_test_tells_the_families_once(world, login):
    test = PlannedTestFactory(assignment=world.a.assignment)
    client = login(world.a.teacher)
    url = reverse("register:test_edit", args=[test.pk])
    assert url in client.get(reverse("register:tests")).text
    new_date = test.date + datetime.timedelta(days=7)
    data = {"date": new_date.isoformat(), "kind": "test", "scope": "Ułamki zwykłe"}
    with django_capture_on_commit():
        response = client.post(url, data)
    assert response.status_code == 302
    test.refresh_from_db()
    assert test.date == new_date
    notes = Notification.objects.filter(recipient=world.a.guardian, pupil=world.a.pupil)
    assert notes.count() == 1
    text = notes.get().title
    assert "Zmiana terminu" in text and new_date.strftime("%d.%m.%Y") in text
    change = RegisterChange.objects.get(action="test.update", object_id=test.pk)
    assert change.before["date"] != change.after["date"]
    # Saving again without a new date tells nobody anything new.
    with django_capture_on_commit():
        client.post(url, {**data, "scope": "Ułamki zwykłe i dziesiętne"})
    assert notes.count() == 1


def test_taking_a_test_off_tells_the_families(world, login):
    test = PlannedTestFactory(assignment=world.a.assignment)
    client = login(world.a.teacher)
    url = reverse("register:test_edit", args=[test.pk])
    with django_capture_on_commit():
        client.post(url, {"delete": "1", "confirm": "1"})
    assert not PlannedTest.objects.filter(pk=test.pk).exists()
    note = Notification.objects.get(recipient=world.a.guardian)
    assert note.title.startswith("Odwołano")
    assert RegisterChange.objects.filter(action="test.delete", object_id=test.pk).exists()


def test_a_move_that_breaks_the_limits_needs_confirming(world, login):
    first = PlannedTestFactory(assignment=world.a.assignment)
    other = PlannedTestFactory(
        assignment=world.a.assignment, date=first.date + datetime.timedelta(days=3)
    )
    client = login(world.a.teacher)
    url = reverse("register:test_edit", args=[other.pk])
    data = {"date": first.date.isoformat(), "kind": "test", "scope": "Ułamki"}
    warned = client.post(url, data)
    assert warned.status_code == 200 and "limit" in warned.text.lower()
    other.refresh_from_db()
    assert other.date != first.date
    # Saving a test on its own day does not count it against itself.
    same = {"date": first.date.isoformat(), "kind": "test", "scope": "Nowy zakres"}
    assert client.post(reverse("register:test_edit", args=[first.pk]), same).status_code == 302


def test_nobody_else_reaches_the_edit_screens(world, login):
    homework = HomeworkFactory(assignment=world.a.assignment)
    test = PlannedTestFactory(assignment=world.a.assignment)
    urls = [
        reverse("register:homework_edit", args=[homework.pk]),
        reverse("register:test_edit", args=[test.pk]),
    ]
    for user in (world.b.teacher, world.a.homeroom, world.a.guardian, world.a.pupil):
        client = login(user)
        for url in urls:
            assert client.get(url).status_code == 404
            assert client.post(url, {"delete": "1", "confirm": "1"}).status_code == 404
    assert Homework.objects.filter(pk=homework.pk).exists()
    assert PlannedTest.objects.filter(pk=test.pk).exists()
