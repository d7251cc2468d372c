"""E-mail (now or in the daily digest) and push, by each user's preferences per
kind and channel; quiet hours hold them; nothing is sent twice."""

import datetime
import zoneinfo

import pytest
import time_machine

from django.core import mail

from notifications import delivery
from notifications.models import Digest, Kind, Notification, Preferences
from notifications.services import notify
from notifications.tasks import deliver, flush
from tests.factories import UserFactory
from tests.factories.webpush import subscription_create

pytestmark = pytest.mark.django_db
WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")


def at(hour, minute=0, day=14):
    return datetime.datetime(2031, 10, day, hour, minute, tzinfo=WARSAW)


def make(user, key="remark:1", kind=Kind.REMARK, title="Nowa uwaga"):
    ids = notify(recipients=[user], kind=kind, title=title, key=key, url="/dziennik/uwagi/")
    deliver.call(ids)
    return Notification.objects.get(pk=ids[0]) if ids else None


@pytest.fixture
def parent(db):
    user = UserFactory(username="mama", email="mama@example.org")
    subscription_create(user, "https://fcm.googleapis.com/fcm/send/mama-phone")
    return user


def prefs(user, **fields):
    base = Preferences.default_for(user.pk)
    for name, value in fields.items():
        setattr(base, name, value)
    base.save()
    return base


def test_by_default_an_item_is_e_mailed_and_pushed_at_once(parent, pushes):
    with time_machine.travel(at(12), tick=False):
        item = make(parent)
    assert [m.to for m in mail.outbox] == [["mama@example.org"]]
    assert "Nowa uwaga" in mail.outbox[0].subject
    assert f"/powiadomienia/{item.pk}/" in mail.outbox[0].body  # opening marks it read
    assert pushes == [
        (
            parent.pk,
            {
                "title": "Nowa uwaga",
                "body": "",
                "url": f"/powiadomienia/{item.pk}/",
                "tag": f"notification-{item.pk}",
            },
        )
    ]
    assert (item.mail_status, item.push_status) == ("sent", "sent")


def test_channels_are_chosen_per_kind(parent, pushes):
    prefs(parent, email_kinds=[Kind.GRADE], push_kinds=[Kind.REMARK])
    with time_machine.travel(at(12), tick=False):
        remark = make(parent, key="remark:1", kind=Kind.REMARK)
        grade = make(parent, key="grade:1", kind=Kind.GRADE, title="Nowa ocena")
    assert [m.subject for m in mail.outbox] == ["Nowa ocena"]
    assert [p[1]["title"] for p in pushes] == ["Nowa uwaga"]
    assert (remark.mail_status, remark.push_status) == ("", "sent")
    assert (grade.mail_status, grade.push_status) == ("sent", "")


def test_everything_off_still_shows_in_the_portal(parent, pushes):
    prefs(parent, email_kinds=[], push_kinds=[])
    item = make(parent)
    assert not mail.outbox and not pushes
    assert item.read_at is None


def test_library_reminders_are_never_e_mailed_twice_by_the_centre(parent, pushes):
    make(parent, key="library:due", kind=Kind.LIBRARY, title="Biblioteka")
    assert not mail.outbox  # the library's own reminder e-mail does that
    assert len(pushes) == 1


def test_a_retried_delivery_sends_nothing_twice(parent, pushes):
    item = make(parent)
    for _ in range(3):
        deliver.call([item.pk])
        flush.call()
    notify(recipients=[parent], kind=Kind.REMARK, title="Nowa uwaga", key="remark:1")
    assert len(mail.outbox) == 1 and len(pushes) == 1


@pytest.mark.parametrize(
    ("start", "end", "made_at", "held_until"),
    [
        (datetime.time(13, 0), datetime.time(15, 0), at(14), at(15)),
        # across midnight: before it and after it
        (datetime.time(22, 0), datetime.time(7, 0), at(23, 30), at(7, day=15)),
        (datetime.time(22, 0), datetime.time(7, 0), at(6, 59, day=15), at(7, day=15)),
    ],
)
def test_quiet_hours_hold_e_mail_and_push_until_they_end(
    parent, pushes, start, end, made_at, held_until
):
    prefs(parent, quiet_start=start, quiet_end=end)
    with time_machine.travel(made_at, tick=False):
        item = make(parent)
        flush.call()
    item.refresh_from_db()
    assert not mail.outbox and not pushes
    assert item.push_status == "waiting" and item.push_due_at == held_until
    assert item.mail_due_at == held_until
    with time_machine.travel(held_until - datetime.timedelta(minutes=1), tick=False):
        flush.call()
    assert not mail.outbox and not pushes
    with time_machine.travel(held_until + datetime.timedelta(minutes=2), tick=False):
        flush.call()
        flush.call()
    item.refresh_from_db()
    assert len(mail.outbox) == 1 and len(pushes) == 1
    assert (item.mail_status, item.push_status) == ("sent", "sent")


def test_outside_quiet_hours_across_midnight_nothing_waits(parent, pushes):
    prefs(parent, quiet_start=datetime.time(22, 0), quiet_end=datetime.time(7, 0))
    with time_machine.travel(at(7, 0), tick=False):
        make(parent)
    assert len(mail.outbox) == 1 and len(pushes) == 1


def test_a_failed_push_is_recorded(parent, monkeypatch):
    monkeypatch.setattr(delivery, "_push_to_user", lambda user_id, payload: 0)
    item = make(parent)
    item.refresh_from_db()
    assert item.push_status == "failed"


def test_the_daily_digest_lists_the_items_once_a_day_at_the_chosen_time(parent, pushes):
    prefs(parent, email_mode="digest", digest_time=datetime.time(18, 30))
    with time_machine.travel(at(9), tick=False):
        make(parent, key="remark:1", title="Uwaga o Zosi")
        make(parent, key="grade:1", kind=Kind.GRADE, title="Nowa ocena z matematyki")
        flush.call()
    assert not mail.outbox, "nothing before the chosen time"
    assert len(pushes) == 2, "push does not wait for the digest"
    with time_machine.travel(at(18, 29), tick=False):
        flush.call()
    assert not mail.outbox
    with time_machine.travel(at(18, 35), tick=False):
        flush.call()
        flush.call()
        make(parent, key="remark:2", title="Druga uwaga")  # after today's digest
        flush.call()
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert "(2)" in digest.subject
    assert "Uwaga o Zosi" in digest.body and "Nowa ocena z matematyki" in digest.body
    assert "Druga uwaga" not in digest.body
    assert Digest.objects.get().items.count() == 2
    # The next day: only what came since the previous digest.
    with time_machine.travel(at(19, day=15), tick=False):
        flush.call()
    assert len(mail.outbox) == 2
    assert "Druga uwaga" in mail.outbox[1].body and "Uwaga o Zosi" not in mail.outbox[1].body
    assert Digest.objects.count() == 2


def test_an_empty_day_sends_no_digest_and_later_items_wait_for_tomorrow(parent, pushes):
    prefs(parent, email_mode="digest", digest_time=datetime.time(8, 0))
    with time_machine.travel(at(8, 5), tick=False):
        flush.call()
    with time_machine.travel(at(10), tick=False):
        make(parent)
        flush.call()
    assert not mail.outbox
    with time_machine.travel(at(8, 1, day=15), tick=False):
        flush.call()
    assert len(mail.outbox) == 1


def test_no_push_is_planned_for_a_user_without_a_device(pushes):
    grandma = UserFactory(username="babcia", email="babcia@example.org")
    item = make(grandma)
    assert not pushes
    assert (item.mail_status, item.push_status) == ("sent", "")
