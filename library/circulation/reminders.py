"""Daily reminders: due in two days, overdue, hold ready. A pupil's reminders
go to their guardians (to the pupil when no guardian has an e-mail address);
everyone else's to themselves. Each kind can be switched off by the reader.
A reminder is recorded in `SentNotification` under a unique key before it
leaves, so running the day twice never sends it twice. An address that fails
(an SMTP refusal) is logged and kept on its row, never stops the run, and the
next run sends that reminder again while it still applies (the loan is still
open, the hold still waits)."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.producers import announce
from portal.background.mail import mail_claim_retry, mail_retryable, mail_send
from portal.models import GuardianLink

from .models import Hold, Loan, ReaderProfile, SentNotification

Kind = SentNotification.Kind
Status = SentNotification.MailStatus


def _recipients(readers) -> dict[int, list]:
    """reader id -> people to write to."""
    guardians = defaultdict(list)
    for link in GuardianLink.objects.filter(pupil__in=readers).select_related("guardian"):
        if link.guardian.email and link.guardian.is_active:
            guardians[link.pupil_id].append(link.guardian)
    out = {}
    for reader in readers:
        out[reader.pk] = guardians.get(reader.pk) or ([reader] if reader.email else [])
    return out


def _events(today: datetime.date):
    soon = today + datetime.timedelta(days=2)
    for loan in Loan.objects.open().filter(due_on=soon).select_related("reader", "copy__record"):
        yield Kind.DUE_SOON, f"due_soon:loan:{loan.pk}:{loan.due_on}", loan.reader, loan
    for loan in Loan.objects.overdue(today).select_related("reader", "copy__record"):
        yield Kind.OVERDUE, f"overdue:loan:{loan.pk}:{loan.due_on}", loan.reader, loan
    for hold in Hold.objects.filter(status=Hold.Status.READY).select_related("reader", "record"):
        yield (
            Kind.HOLD_READY,
            f"hold_ready:hold:{hold.pk}:{hold.ready_at:%Y%m%d}",
            hold.reader,
            hold,
        )


def _message(kind, reader, obj) -> tuple[str, str]:
    if kind == Kind.DUE_SOON:
        return (
            _("Library: a book is due soon"),
            _("%(reader)s should return “%(title)s” by %(date)s (or renew it on the portal).")
            % {"reader": reader, "title": obj.copy.record.title, "date": obj.due_on},
        )
    if kind == Kind.OVERDUE:
        return (
            _("Library: an overdue book"),
            _("%(reader)s should have returned “%(title)s” by %(date)s.")
            % {"reader": reader, "title": obj.copy.record.title, "date": obj.due_on},
        )
    return (
        _("Library: a held book is waiting"),
        _("“%(title)s” is waiting for %(reader)s at the library until %(date)s.")
        % {"reader": reader, "title": obj.record.title, "date": obj.pickup_by},
    )


PREF = {
    Kind.DUE_SOON: "notify_due_soon",
    Kind.OVERDUE: "notify_overdue",
    Kind.HOLD_READY: "notify_hold_ready",
}


def _failed_events(today: datetime.date, known_keys: set[str]):
    """The reminders that failed on an earlier day and still apply, as events."""
    failed = mail_retryable(SentNotification.objects.exclude(key__in=known_keys))
    keys = set(failed.values_list("key", flat=True))
    ids = {"loan": set(), "hold": set()}
    for key in keys:
        parts = key.split(":")
        if len(parts) >= 3 and parts[1] in ids and parts[2].isdigit():
            ids[parts[1]].add(int(parts[2]))
    loans = Loan.objects.open().filter(pk__in=ids["loan"]).select_related("reader", "copy__record")
    for loan in loans:
        for kind in (Kind.DUE_SOON, Kind.OVERDUE):
            key = f"{kind}:loan:{loan.pk}:{loan.due_on}"
            still = loan.due_on >= today if kind == Kind.DUE_SOON else loan.due_on < today
            if key in keys and still:
                yield kind, key, loan.reader, loan
    holds = Hold.objects.filter(pk__in=ids["hold"], status=Hold.Status.READY)
    for hold in holds.select_related("reader", "record"):
        key = f"hold_ready:hold:{hold.pk}:{hold.ready_at:%Y%m%d}"
        if key in keys:
            yield Kind.HOLD_READY, key, hold.reader, hold


def _claim(kind, key, person, row) -> SentNotification | None:
    """The row to send this reminder on, claimed for this run; None when it was
    sent (or is being sent) already."""
    if row is not None:
        return row if row.mail_status == Status.FAILED and mail_claim_retry(row) else None
    try:
        with transaction.atomic():
            return SentNotification.objects.create(
                kind=kind, key=key, recipient=person, mail_status=Status.SENDING
            )
    except IntegrityError:
        return None  # another run got there first


def send_reminders(today: datetime.date | None = None) -> int:
    """Send the day's reminders, and again those that failed before; returns
    how many e-mails left. A failed address never stops the run."""
    return reminders_run(today)[0]


def reminders_run(today: datetime.date | None = None) -> tuple[int, int]:
    """`send_reminders`, returning (e-mails sent, e-mails that failed)."""
    today = today or timezone.localdate()
    events = list(_events(today))
    events += list(_failed_events(today, {e[1] for e in events}))
    return _deliver(events)


def overdue_reminders_send(loan_ids, today: datetime.date | None = None) -> tuple[int, int]:
    """The overdue reminders a librarian asked for at the desk, now, for these
    loans only (those still open and overdue): the daily run's e-mail, under a
    key of the day, so a second click the same day sends nothing again.
    Returns (e-mails sent, e-mails that failed)."""
    today = today or timezone.localdate()
    loans = (
        Loan.objects.overdue(today)
        .filter(pk__in=list(loan_ids))
        .select_related("reader", "copy__record")
        .order_by("pk")
    )
    events = [
        (Kind.OVERDUE, f"overdue_desk:loan:{loan.pk}:{today}", loan.reader, loan) for loan in loans
    ]
    return _deliver(events)


def _deliver(events) -> tuple[int, int]:
    """Send each (kind, key, reader, object) event to the reader's recipients,
    unless the reader switched that kind off or it was sent under its key."""
    readers = {e[2].pk: e[2] for e in events}
    prefs = {p.user_id: p for p in ReaderProfile.objects.filter(user_id__in=readers)}
    recipients = _recipients(list(readers.values()))
    keys = {e[1] for e in events}
    rows = {
        (row.key, row.recipient_id): row
        for row in SentNotification.objects.filter(key__in=keys).only(
            "pk", "key", "recipient_id", "mail_status", "mail_attempts"
        )
    }
    count = failed = 0
    told = []  # for the notification centre (in the portal and by push)
    with translation.override(settings.LANGUAGE_CODE):
        for kind, key, reader, obj in events:
            profile = prefs.get(reader.pk)
            if profile is not None and not getattr(profile, PREF[kind]):
                continue
            told.append([kind, key, reader.pk, obj.school_id, *_message(kind, reader, obj)])
            for person in recipients.get(reader.pk, []):
                row = _claim(kind, key, person, rows.get((key, person.pk)))
                if row is None:
                    continue
                subject, body = _message(kind, reader, obj)
                if mail_send(row, subject=subject, body=body, to=person.email):
                    count += 1
                else:
                    failed += 1
    announce("library", [], events=told)
    return count, failed
