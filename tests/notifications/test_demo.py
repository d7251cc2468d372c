"""`seed_demo`'s notifications: one unread item of every kind for demo-parent, once."""

import datetime
from types import SimpleNamespace

import pytest

from notifications.demo import seed_notifications
from notifications.models import Kind, Notification
from portal.models import GuardianLink
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_demo_parent_gets_an_unread_item_of_every_kind_once(world):
    parent = UserFactory(username="demo-parent")
    GuardianLink.objects.create(guardian=parent, pupil=world.a.pupil)
    ctx = SimpleNamespace(today=datetime.date(2031, 10, 15), log=lambda text: None)
    seed_notifications(ctx)
    seed_notifications(ctx)
    items = Notification.objects.filter(recipient=parent, read_at__isnull=True)
    assert sorted(items.values_list("kind", flat=True)) == sorted(Kind.values)
    assert all(item.url for item in items)
