"""The record sheets (arkusze ocen) of a class: `class_sheets_pdf` for a class of
30 pupils with three years of history (classes 4a, 5a, 6a), 10 subjects a year
with annual grades, behaviour, a promotion decision with its resolution, a
guardian and 40 lessons of attendance a year per pupil. Target: at most 3 s on
one core.

    .venv/bin/python bench/yearend_sheets.py            # 5 runs after a warm-up
    BENCH_RUNS=10 .venv/bin/python bench/yearend_sheets.py

It runs in a fresh SQLite test database (in memory), pinned to one processor
where the system allows it, and prints the median wall and CPU time of the
whole render (reading + template + WeasyPrint) and, apart, of the reading alone
(`sheets_for`) with its query count. The data do not depend on the day it runs.
BENCH_PROFILE=1 prints a cProfile of one render instead."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
PUPILS = int(os.environ.get("BENCH_PUPILS", "30"))
SUBJECTS = 10
LESSONS = 40


def main() -> None:
    if os.environ.get("BENCH_CHILD"):
        run()
        return
    env = dict(os.environ, BENCH_CHILD="1", DJANGO_SETTINGS_MODULE="portal.settings.test")
    env.pop("DATABASE_URL", None)
    env.pop("TEST_DB_NAME", None)
    sys.exit(subprocess.call([sys.executable, __file__], env=env, cwd=ROOT))


def run() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases
    from django.utils import translation

    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        translation.activate("pl")
        measure(seed())
    finally:
        teardown_databases(old, verbosity=0)


def seed():
    import datetime

    from gradebook.models import BehaviourGrade, TermGrade
    from gradebook.register.models import Attendance, Lesson
    from gradebook.yearend.models import PromotionDecision
    from portal.models import (
        Enrolment,
        GuardianLink,
        School,
        SchoolClass,
        SchoolYear,
        Subject,
        TeachingAssignment,
        Term,
        User,
    )

    school = School.objects.create(
        name="Szkoła Podstawowa nr 1 im. Marii Konopnickiej",
        short_name="SP 1",
        slug="bench",
        school_type="primary",
        rspo="999999",
        street="ul. Szkolna 1",
        postal_code="00-001",
        city="Zielona Dolina",
    )
    teacher = User.objects.create(username="t", first_name="Teresa", last_name="Nowak")
    subjects = [Subject.objects.create(school=school, name=f"Przedmiot {k + 1}") for k in range(10)]
    pupils = User.objects.bulk_create(
        User(
            username=f"p{i}",
            first_name=f"Imię{i}",
            last_name=f"Nazwisko{i}",
            date_of_birth=datetime.date(2013, 1 + i % 12, 1 + i % 28),
        )
        for i in range(PUPILS)
    )
    guardians = User.objects.bulk_create(
        User(username=f"g{i}", first_name=f"Rodzic{i}", last_name=f"Nazwisko{i}")
        for i in range(PUPILS)
    )
    GuardianLink.objects.bulk_create(
        GuardianLink(guardian=g, pupil=p, relation="mother")
        for g, p in zip(guardians, pupils, strict=True)
    )
    s = Attendance.Status
    statuses = [s.PRESENT] * 16 + [s.EXCUSED, s.LATE, s.UNEXCUSED, s.PRESENT]
    school_class = None
    for n, start_year in enumerate((2024, 2025, 2026)):
        start = datetime.date(start_year, 9, 1)
        year = SchoolYear.objects.create(
            school=school,
            name=f"{start_year}/{start_year + 1}",
            start=start,
            end=datetime.date(start_year + 1, 6, 26),
            is_current=n == 2,
        )
        Term.objects.create(
            school_year=year, number=1, start=start, end=datetime.date(start_year + 1, 1, 31)
        )
        last = Term.objects.create(
            school_year=year, number=2, start=datetime.date(start_year + 1, 2, 1), end=year.end
        )
        school_class = SchoolClass.objects.create(
            school_year=year, name=f"{4 + n}a", level=4 + n, homeroom_teacher=teacher
        )
        Enrolment.objects.bulk_create(
            Enrolment(pupil=p, school_class=school_class, start_date=start, register_number=i + 1)
            for i, p in enumerate(pupils)
        )
        assignments = [
            TeachingAssignment.objects.create(teacher=teacher, school_class=school_class, subject=x)
            for x in subjects
        ]
        TermGrade.objects.bulk_create(
            TermGrade(
                pupil=p,
                assignment=a,
                term=last,
                kind="final",
                grade=2 + (i + k) % 5,
                teacher=teacher,
            )
            for i, p in enumerate(pupils)
            for k, a in enumerate(assignments)
        )
        BehaviourGrade.objects.bulk_create(
            BehaviourGrade(
                pupil=p,
                school_class=school_class,
                term=last,
                kind="final",
                value="bardzo_dobre",
                teacher=teacher,
            )
            for p in pupils
        )
        PromotionDecision.objects.bulk_create(
            PromotionDecision(
                pupil=p,
                school_class=school_class,
                outcome="promoted",
                resolution_number=f"{start_year + 1}/12",
                resolution_date=datetime.date(start_year + 1, 6, 22),
            )
            for p in pupils
        )
        lessons = Lesson.objects.bulk_create(
            Lesson(
                assignment=assignments[d % SUBJECTS],
                date=start + datetime.timedelta(days=d + 1),
                number=1 + d % 8,
            )
            for d in range(LESSONS)
        )
        Attendance.objects.bulk_create(
            Attendance(lesson=lesson, pupil=p, status=statuses[(d + i) % len(statuses)])
            for d, lesson in enumerate(lessons)
            for i, p in enumerate(pupils)
        )
    return school_class


def measure(school_class) -> None:
    import io

    from pypdf import PdfReader

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gradebook.yearend.statutory.sheets import class_sheet_pupils, class_sheets_pdf, sheets_for

    school = school_class.school_year.school
    data = class_sheets_pdf(school_class)  # warm-up: imports WeasyPrint, loads the fonts
    pages = len(PdfReader(io.BytesIO(data)).pages)

    def timed(fn):
        wall, cpu = [], []
        for _ in range(RUNS):
            w, c = time.perf_counter(), time.process_time()
            fn()
            wall.append(time.perf_counter() - w)
            cpu.append(time.process_time() - c)
        return statistics.median(wall), statistics.median(cpu)

    def read():
        return sheets_for([e.pupil for e in class_sheet_pupils(school_class)], school)

    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        cProfile.runctx("class_sheets_pdf(school_class)", globals(), locals(), "/tmp/sheets.prof")
        pstats.Stats("/tmp/sheets.prof").sort_stats("cumulative").print_stats(45)
        return
    with CaptureQueriesContext(connection) as ctx:
        read()
    read_wall, read_cpu = timed(read)
    wall, cpu = timed(lambda: class_sheets_pdf(school_class))
    print(
        f"class of {PUPILS} pupils, 3 years × {SUBJECTS} subjects: {pages} pages, "
        f"{len(data) // 1024} KiB, {len(ctx.captured_queries)} queries"
    )
    print(
        f"   reading (sheets_for): median {read_wall * 1000:.0f} ms wall, "
        f"{read_cpu * 1000:.0f} ms CPU"
    )
    print(f"   class_sheets_pdf: median {wall:.2f} s wall, {cpu:.2f} s CPU over {RUNS} runs")


if __name__ == "__main__":
    main()
