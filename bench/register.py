"""Median server times of the class register's hot pages.

Builds a throw-away test database (SQLite by default, PostgreSQL with
DATABASE_URL=postgres://...), a class of 35 pupils with a full weekly timetable
and four weeks of taken lessons, then times with Django's test client:
the attendance screen (GET), saving it (POST), and a parent's week view.

    .venv/bin/python bench/register.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/register.py
"""

from __future__ import annotations

import datetime
import itertools
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
os.environ.setdefault("TEST_DB_NAME", "bench_register")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "30"))


def build():
    from django.utils import timezone

    from gradebook.register.models import Attendance, Lesson, TimetableEntry
    from tests.conftest import build_school_world, enable_mfa
    from tests.factories import SubjectFactory, TeachingAssignmentFactory, make_pupil
    from tests.factories.register import (
        HomeworkFactory,
        PlannedTestFactory,
        RemarkFactory,
        last_school_day,
    )

    world = build_school_world("bench")
    pupils = [world.pupil] + [make_pupil(world.class_a, username=f"b{i}") for i in range(34)]
    assignments = [world.assignment] + [
        TeachingAssignmentFactory(
            school_class=world.class_a,
            subject=SubjectFactory(school=world.school, name=f"Przedmiot {i}"),
            teacher=world.teacher,
        )
        for i in range(5)
    ]
    entries = [
        TimetableEntry(assignment=assignments[(d * 6 + n) % 6], weekday=d, number=n)
        for d in range(5)
        for n in range(1, 7)
    ]
    TimetableEntry.objects.bulk_create(entries)
    today = timezone.localdate()
    start = today - datetime.timedelta(days=28)
    lessons = []
    day = start
    while day < today:
        if day.weekday() < 5:
            for e in entries:
                if e.weekday == day.weekday():
                    lessons.append(
                        Lesson(
                            assignment=e.assignment,
                            date=day,
                            number=e.number,
                            topic="Temat",
                            attendance_taken=True,
                        )
                    )
        day += datetime.timedelta(days=1)
    lessons = Lesson.objects.bulk_create(lessons)
    Attendance.objects.bulk_create(
        Attendance(lesson=ls, pupil=p, status="n" if (ls.pk + p.pk) % 17 == 0 else "p")
        for ls in lessons
        for p in pupils
    )
    for a in assignments:
        HomeworkFactory(assignment=a)
        PlannedTestFactory(assignment=a)
    for p in pupils[:10]:
        RemarkFactory(pupil=p, school_class=world.class_a, author=world.teacher)
    enable_mfa(world.teacher)
    day = last_school_day()
    slot = next(e for e in entries if e.weekday == day.weekday())
    return world, pupils, slot, day


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

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        world, pupils, slot, day = build()
        teacher = Client()
        teacher.force_login(world.teacher)
        url = reverse("register:lesson", args=[slot.assignment_id, day.isoformat(), slot.number])
        # Two payloads in turn, so that every timed POST really changes the topic
        # and four pupils' attendance (re-posting the same data saves nothing).
        payloads = []
        for topic, code in (("Ułamki", "n"), ("Ułamki zwykłe", "u")):
            payload = {"topic": topic}
            payload.update({f"s-{p.pk}": code for p in pupils[:4]})
            payloads.append(payload)
        turn = itertools.cycle(payloads)
        parent = Client()
        parent.force_login(world.guardian)
        week = reverse("register:week")

        def get():
            assert teacher.get(url).status_code == 200

        def post():
            assert teacher.post(url, next(turn)).status_code == 302

        def parent_week():
            assert parent.get(week, {"week": day.isoformat()}).status_code == 200

        from gradebook.register.models import RegisterChange

        changes = RegisterChange.objects.count()
        results = {
            "attendance GET (35 pupils)": median_ms(get),
            "attendance POST (35 pupils)": median_ms(post),
            "parent week view": median_ms(parent_week),
        }
        # Each timed POST must have saved a change (history rows are written
        # only for what changed), or the figure measures a no-op.
        assert RegisterChange.objects.count() - changes >= RUNS, "POSTs changed nothing"
        print(f"database: {connection.vendor}, runs: {RUNS}")
        for name, value in results.items():
            print(f"  {name:30} median {value:7.1f} ms")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
