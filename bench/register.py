"""Median server times of the class register's hot pages.

Builds a throw-away test database (SQLite by default, PostgreSQL with
DATABASE_URL=postgres://...), a class of 35 pupils with a full weekly timetable
and four weeks of taken lessons, then times with Django's test client:
the attendance screen (GET), saving it (POST), a parent's week view and the
parent's dashboard. Each line gives the median, p95 and query count, and for
the pages that only read, the median of a *raw fetch*: the page's own SELECTs
replayed on one cursor (no ORM objects, no template, no middleware), and the
ratio page ÷ raw (the aim is ≤ 3).

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
from django.test.utils import override_settings, setup_test_environment  # noqa: E402

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


CPU: dict[int, list[float]] = {}


def timings(func) -> list[float]:
    """Wall times in ms; the process's CPU time is kept beside them (on a shared,
    loaded machine the wall time mostly measures the other tenants)."""
    func()
    times, cpu = [], CPU.setdefault(id(func), [])
    for _ in range(RUNS):
        t, c = time.perf_counter(), time.process_time()
        func()
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return times


def captured(func) -> list[str]:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        func()
    return [q["sql"] for q in ctx.captured_queries]


def raw_replay(statements: list[str]) -> list[float]:
    """The page's reads again, as plain SQL: the database's share of the page."""
    reads = [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]

    def replay():
        with connection.cursor() as cursor:
            for sql in reads:
                cursor.execute(sql)  # parameters inlined; without params no placeholders
                cursor.fetchall()

    return timings(replay)


def line(name: str, times: list[float], cpu: list[float], queries: int, raw) -> str:
    ordered = sorted(times)
    median = statistics.median(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    text = (
        f"  {name:28} median {median:6.1f} ms  p95 {p95:6.1f} ms  "
        f"CPU {statistics.median(cpu):5.1f} ms  {queries:3} queries"
    )
    if raw:
        raw_median = statistics.median(raw)
        text += f"  raw {raw_median:5.2f} ms  page/raw {median / raw_median:.1f}"
    return text


def main():
    from django.test import Client
    from django.urls import reverse

    setup_test_environment()
    # Tasks go to the database queue, production's embedded default: the test
    # settings' immediate backend would run the families' notifications inside
    # the timed POST.
    override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}).enable()
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

        def parent_dashboard():
            assert parent.get(reverse("portal:dashboard")).status_code == 200

        from gradebook.register.models import RegisterChange

        changes = RegisterChange.objects.count()
        pages = {
            "attendance GET (35 pupils)": (get, True),
            "attendance POST (35 pupils)": (post, False),
            "parent week view": (parent_week, True),
            "parent dashboard": (parent_dashboard, True),
        }
        results = {}
        for name, (func, reads) in pages.items():
            times = timings(func)
            statements = captured(func)
            raw = raw_replay(statements) if reads else None
            results[name] = (times, CPU[id(func)], len(statements), raw)
        # Each timed POST must have saved a change (history rows are written
        # only for what changed), or the figure measures a no-op.
        assert RegisterChange.objects.count() - changes >= RUNS, "POSTs changed nothing"
        print(f"database: {connection.vendor}, runs: {RUNS}, load average {os.getloadavg()[0]:.1f}")
        for name, (times, cpu, queries, raw) in results.items():
            print(line(name, times, cpu, queries, raw))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
