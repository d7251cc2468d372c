"""Daily reminders: who gets them, switched off per kind, never twice."""

import datetime

from django.core.management import call_command

from library.circulation import services
from library.circulation.models import SentNotification
from library.circulation.reminders import send_reminders
from tests.factories.circulation import card

from .conftest import MONDAY


def lend(world, reader, copy, today=MONDAY):
    return services.loan_checkout(
        user=world.a.librarian,
        school=world.a.school,
        card_number=card(reader),
        barcode=copy.barcode,
        today=today,
    )


def test_due_soon_goes_to_guardian_of_pupil_once(world, library, mailoutbox):
    world.a.guardian.email = "rodzic@example.com"
    world.a.guardian.save()
    loan = lend(world, world.a.pupil, library["copy"])
    day = loan.due_on - datetime.timedelta(days=2)
    assert send_reminders(day) == 1
    assert mailoutbox[0].to == ["rodzic@example.com"]
    assert "Pan Tadeusz" in mailoutbox[0].body
    assert send_reminders(day) == 0
    assert len(mailoutbox) == 1
    assert SentNotification.objects.get().kind == "due_soon"


def test_overdue_to_teacher_himself_and_switch_off(world, library, mailoutbox):
    world.a.teacher.email = "n@example.com"
    world.a.teacher.save()
    loan = lend(world, world.a.teacher, library["copy"])
    after = loan.due_on + datetime.timedelta(days=1)
    services.reader_settings_update(reader=world.a.teacher, notify_overdue=False)
    assert send_reminders(after) == 0
    services.reader_settings_update(reader=world.a.teacher, notify_overdue=True)
    assert send_reminders(after) == 1
    assert send_reminders(after + datetime.timedelta(days=1)) == 0  # same event
    assert mailoutbox[0].to == ["n@example.com"]


def test_hold_ready_reminder(world, library, mailoutbox):
    world.a.teacher.email = "n@example.com"
    world.a.teacher.save()
    first = lend(world, world.a.pupil, library["copy"])
    lend(world, world.a.librarian, library["copy2"])
    services.hold_place(
        user=world.a.teacher,
        reader=world.a.teacher,
        record=library["record"],
        school=world.a.school,
    )
    services.loan_return(user=world.a.librarian, school=world.a.school, barcode=first.copy.barcode)
    assert send_reminders(MONDAY) == 1
    assert "czeka" in mailoutbox[0].subject


def test_daily_command_runs_the_task(world, library, mailoutbox):
    world.a.teacher.email = "n@example.com"
    world.a.teacher.save()
    loan = lend(world, world.a.teacher, library["copy"])
    day = (loan.due_on + datetime.timedelta(days=3)).isoformat()
    call_command("circulation_daily", date=day)
    call_command("circulation_daily", date=day)
    assert len(mailoutbox) == 1
