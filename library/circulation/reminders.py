"""Daily reminders: due in two days, overdue, hold ready. A pupil's reminders
go to their guardians (to the pupil when no guardian has an e-mail address);
everyone else's to themselves. Each kind can be switched off by the reader.
A reminder is recorded in `SentNotification` under a unique key before it
leaves, so running the day twice never sends it twice."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.models import GuardianLink

from .models import Hold, Loan, ReaderProfile, SentNotification

Kind = SentNotification.Kind


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
            _("Library: a book is due in two days"),
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


def send_reminders(today: datetime.date | None = None) -> int:
    """Send the day's reminders; returns how many e-mails left."""
    today = today or timezone.localdate()
    events = list(_events(today))
    readers = {e[2].pk: e[2] for e in events}
    prefs = {p.user_id: p for p in ReaderProfile.objects.filter(user_id__in=readers)}
    recipients = _recipients(list(readers.values()))
    keys = {e[1] for e in events}
    sent = set(SentNotification.objects.filter(key__in=keys).values_list("key", "recipient_id"))
    count = 0
    with translation.override(settings.LANGUAGE_CODE):
        for kind, key, reader, obj in events:
            profile = prefs.get(reader.pk)
            if profile is not None and not getattr(profile, PREF[kind]):
                continue
            for person in recipients.get(reader.pk, []):
                if (key, person.pk) in sent:
                    continue
                try:
                    with transaction.atomic():
                        SentNotification.objects.create(kind=kind, key=key, recipient=person)
                        subject, body = _message(kind, reader, obj)
                        send_mail(subject, body, None, [person.email])
                except IntegrityError:
                    continue  # another run got there first
                count += 1
    return count
