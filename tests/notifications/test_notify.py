"""`notify`: one item per event and recipient, grouping of a whole column."""

import pytest

from notifications.models import Kind, Notification
from notifications.services import notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_one_item_per_event_and_recipient_even_when_retried():
    mother, father = UserFactory(), UserFactory()
    args = {"kind": Kind.REMARK, "title": "Nowa uwaga", "key": "remark:7", "url": "/x/"}
    first = notify(recipients=[mother, father, mother.pk], **args)
    again = notify(recipients=[mother, father], **args)
    assert len(first) == 2
    assert again == []
    assert Notification.objects.filter(key="remark:7").count() == 2


def test_telling_a_whole_class_takes_the_same_queries_as_telling_three():
    """A message to a class's guardians or a circular to all staff: the rows are
    made together, not one transaction per recipient."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size, key in ((3, "announcement:1"), (30, "announcement:2")):
        people = UserFactory.create_batch(size)
        told_before = UserFactory()
        notify(recipients=[told_before], kind=Kind.ANNOUNCEMENT, title="x", key=key)
        with CaptureQueriesContext(connection) as queries:
            made = notify(
                recipients=[*people, told_before], kind=Kind.ANNOUNCEMENT, title="x", key=key
            )
        counts.append(len(queries))
        assert len(made) == size  # the one already told is skipped
        assert sorted(
            Notification.objects.filter(key=key)
            .exclude(recipient=told_before)
            .values_list("pk", flat=True)
        ) == sorted(made)
    assert counts[0] == counts[1]


def test_a_column_of_grades_is_one_growing_item_and_a_retry_does_not_count_twice():
    mother = UserFactory()
    for n in (1, 2, 3):
        notify(
            recipients=[mother],
            kind=Kind.GRADE,
            title="Nowa ocena",
            key=f"grade:{n}",
            group_key="column:5",
            group_title="Nowe oceny: %(count)s",
        )
    notify(
        recipients=[mother],
        kind=Kind.GRADE,
        title="Nowa ocena",
        key="grade:2",
        group_key="column:5",
        group_title="Nowe oceny: %(count)s",
    )
    item = Notification.objects.get(recipient=mother)
    assert item.count == 3
    assert item.title == "Nowe oceny: 3"


def test_a_read_group_item_is_not_grown_again():
    mother = UserFactory()
    args = {"kind": Kind.GRADE, "title": "Nowa ocena", "group_key": "column:5"}
    notify(recipients=[mother], key="grade:1", **args)
    Notification.objects.update(read_at="2026-01-01T10:00:00Z")
    notify(recipients=[mother], key="grade:2", **args)
    assert Notification.objects.filter(recipient=mother).count() == 2


def test_every_notification_is_delivered_once_its_transaction_commits(
    django_capture_on_commit_callbacks,
):
    from django.core import mail

    mother = UserFactory(email="mama@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[mother], kind=Kind.MESSAGE, title="Nowa wiadomość", key="message:1")
    assert [m.to for m in mail.outbox] == [["mama@example.org"]]
    assert Notification.objects.get(recipient=mother).mail_status == "sent"
