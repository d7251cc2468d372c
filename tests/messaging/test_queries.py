"""The inbox and a thread render in the same number of queries whatever their
size (a teacher with 10,000 messages gets the query count of one with 20)."""

import pytest

from django.urls import reverse

from messaging.models import Delivery, Message, MessagingSettings, Participant, Thread
from messaging.permissions import Group
from tests.factories import GuardianLinkFactory, UserFactory, make_pupil
from tests.factories.messaging import reply, send


def _threads(teacher, guardian, school, count):
    """`count` threads between them, each with a message each way (bulk, as
    the delivery task would leave them)."""
    from django.utils import timezone

    now = timezone.now()
    threads = Thread.objects.bulk_create(
        [
            Thread(subject=f"Wątek {n}", school=school, created_by=guardian, last_message_at=now)
            for n in range(count)
        ]
    )
    Participant.objects.bulk_create(
        [Participant(thread=t, user=u, has_sent=True) for t in threads for u in (teacher, guardian)]
    )
    messages = Message.objects.bulk_create(
        [
            Message(thread=t, sender=s, body="Treść", recipient_ids=[r.pk], recipient_count=1)
            for t in threads
            for s, r in ((guardian, teacher), (teacher, guardian))
        ]
    )
    Delivery.objects.bulk_create(
        [
            Delivery(message=m, thread_id=m.thread_id, recipient_id=m.recipient_ids[0])
            for m in messages
        ]
    )


def _count(django_assert_max_num_queries, client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_name", ["messaging:inbox", "messaging:sent"])
def test_inbox_queries_do_not_grow_with_the_messages(world, login, url_name):
    a = world.a
    client = login(a.teacher)
    _threads(a.teacher, a.guardian, a.school, 20)
    url = reverse(url_name)
    client.get(url)  # warm the caches of the first request
    small = _count(None, client, url)
    _threads(a.teacher, a.guardian, a.school, 180)
    large = _count(None, client, url)
    assert small == large
    assert "Wątek" in client.get(url).content.decode()


def test_search_queries_do_not_grow(world, login):
    a = world.a
    client = login(a.teacher)
    send(a.teacher, a.guardian, school=a.school, subject="Zółw")
    url = reverse("messaging:inbox") + "?q=zolw"
    client.get(url)
    small = _count(None, client, url)
    for _n in range(30):
        send(a.teacher, a.guardian, school=a.school, subject="Żółw")
    assert _count(None, client, url) == small


def test_thread_page_queries_do_not_grow(world, login):
    a = world.a
    MessagingSettings.objects.create(school=a.school, family_hourly_limit=200)
    for n in range(4):
        GuardianLinkFactory(guardian=UserFactory(), pupil=make_pupil(a.class_a, username=f"p{n}"))
    thread = send(a.homeroom, Group("class_guardians", a.class_a.pk), subject="Zebranie")
    reply(thread, a.guardian, "Pytanie")
    url = reverse("messaging:thread", args=[thread.pk])
    for user in (a.homeroom, a.guardian):
        client = login(user)
        client.get(url)
        small = _count(None, client, url)
        for n in range(10):
            reply(thread, a.homeroom, f"Uzupełnienie {n}")
            reply(thread, a.guardian, f"Dziękuję {n}")
        assert _count(None, client, url) == small
