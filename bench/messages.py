"""Median server time of sending a message to the guardians of a 30-pupil class.

Builds a throw-away test database (SQLite by default, PostgreSQL with
DATABASE_URL=postgres://...), a class of 30 pupils with two guardians each, and
times with Django's test client the homeroom teacher's POST of the compose form
to "Guardians of class 4a" (60 recipients). The request resolves the recipients
and stores the thread and message; the deliveries and notifications fan out in
the background task, which is queued (dummy backend) and timed on its own.
Aim: the request under 200 ms.

    .venv/bin/python bench/messages.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/messages.py
"""

from __future__ import annotations

import itertools
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
os.environ.setdefault("TEST_DB_NAME", "bench_messages")

import django  # noqa: E402
from django.conf import settings  # noqa: E402

# The fan-out is queued, as with the worker in production, and timed apart.
settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "30"))


def build():
    from tests.conftest import build_school_world, enable_mfa
    from tests.factories import GuardianLinkFactory, UserFactory, make_pupil

    world = build_school_world("bench")
    pupils = [world.pupil] + [make_pupil(world.class_a, username=f"b{i}") for i in range(29)]
    GuardianLinkFactory(guardian=UserFactory(username="g-extra"), pupil=world.pupil)
    for i, pupil in enumerate(pupils[1:]):
        for n in (1, 2):
            GuardianLinkFactory(guardian=UserFactory(username=f"g{i}-{n}"), pupil=pupil)
    enable_mfa(world.homeroom)
    return world


def median_ms(func) -> float:
    func()
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        func()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main():
    from django.test import Client
    from django.urls import reverse

    from messaging.models import Delivery, Message
    from messaging.tasks import deliver_message

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        world = build()
        teacher = Client()
        teacher.force_login(world.homeroom)
        url = reverse("messaging:compose")
        counter = itertools.count()
        data = {"to": f"class_guardians:{world.class_a.pk}", "body": "Zebranie w czwartek."}

        def send():
            response = teacher.post(url, {**data, "subject": f"Zebranie {next(counter)}"})
            assert response.status_code == 302, response.content[:500]

        request_ms = median_ms(send)
        messages = list(Message.objects.order_by("pk").values_list("pk", flat=True))
        recipients = Message.objects.get(pk=messages[0]).recipient_count
        assert recipients == 60, recipients
        pending = iter(messages)

        def fan_out():
            deliver_message.call(next(pending))

        fan_out_ms = median_ms(fan_out)
        assert Delivery.objects.filter(message_id=messages[0]).count() == 60
        print(f"database: {connection.vendor}, runs: {RUNS}")
        print(f"  {'send to class guardians (60)':34} median {request_ms:7.1f} ms (request)")
        print(f"  {'fan-out task (60 deliveries)':34} median {fan_out_ms:7.1f} ms (background)")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
