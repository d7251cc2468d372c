"""One refused address never stops the daily reminders: the others get theirs,
the failure is recorded and sent by a later run, and nobody gets one twice."""

import datetime

from django.core.management import call_command

from library.circulation import services
from library.circulation.models import SentNotification
from library.circulation.reminders import send_reminders
from tests.factories.circulation import card, copy_create
from tests.mailfail import refusing

from .conftest import MONDAY


def three_loans(world, library):
    readers = [world.a.teacher, world.a.homeroom, world.a.librarian]
    copies = [library["copy"], library["copy2"], copy_create(library["record"], world.a.school)]
    loans = []
    for n, (reader, copy) in enumerate(zip(readers, copies, strict=True)):
        reader.email = f"czytelnik{n}@example.org"
        reader.save()
        loans.append(
            services.loan_checkout(
                user=world.a.librarian,
                school=world.a.school,
                card_number=card(reader),
                barcode=copy.barcode,
                today=MONDAY,
            )
        )
    return loans


def sent_to(mailoutbox):
    return sorted(address for message in mailoutbox for address in message.to)


def test_a_refused_address_is_recorded_and_sent_by_the_next_run(world, library, mailoutbox):
    loans = three_loans(world, library)
    due_soon = loans[0].due_on - datetime.timedelta(days=2)
    with refusing("czytelnik1@example.org"):
        assert send_reminders(due_soon) == 2
    assert sent_to(mailoutbox) == ["czytelnik0@example.org", "czytelnik2@example.org"]
    failed = SentNotification.objects.get(recipient=world.a.homeroom)
    assert failed.mail_status == "failed" and failed.mail_attempts == 1
    assert (
        "SMTPRecipientsRefused" in failed.mail_error and "Mailbox unavailable" in failed.mail_error
    )

    # The next day the loan is no longer "due in two days": the failed reminder
    # is sent all the same, and nobody else's again.
    assert send_reminders(due_soon + datetime.timedelta(days=1)) == 1
    assert sent_to(mailoutbox) == [f"czytelnik{n}@example.org" for n in range(3)]
    assert "Pan Tadeusz" in mailoutbox[-1].body
    failed.refresh_from_db()
    assert failed.mail_status == "sent" and failed.mail_attempts == 2 and not failed.mail_error
    assert send_reminders(due_soon + datetime.timedelta(days=1)) == 0
    assert len(mailoutbox) == 3


def test_the_daily_task_survives_a_refusal_and_reports_it(world, library, mailoutbox):
    loans = three_loans(world, library)
    overdue = (loans[0].due_on + datetime.timedelta(days=1)).isoformat()
    with refusing("czytelnik2@example.org"):
        call_command("circulation_daily", date=overdue)
    assert sent_to(mailoutbox) == ["czytelnik0@example.org", "czytelnik1@example.org"]
    call_command("circulation_daily", date=overdue)
    call_command("circulation_daily", date=overdue)
    assert sent_to(mailoutbox) == [f"czytelnik{n}@example.org" for n in range(3)]


def test_a_reminder_that_no_longer_applies_is_not_sent_late(world, library, mailoutbox):
    loans = three_loans(world, library)
    due_soon = loans[0].due_on - datetime.timedelta(days=2)
    with refusing("czytelnik0@example.org"):
        send_reminders(due_soon)
    services.loan_return(
        user=world.a.librarian, school=world.a.school, barcode=loans[0].copy.barcode
    )
    assert send_reminders(due_soon + datetime.timedelta(days=1)) == 0
    assert "czytelnik0@example.org" not in sent_to(mailoutbox)
