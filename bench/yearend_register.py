"""Median times of the year's register of one class as a PDF (dziennik lekcyjny,
issue 16: under 20 s, in the background).

Builds a throw-away test database (SQLite by default, PostgreSQL with
DATABASE_URL=postgres://...) with the clock fixed in June 2027: a class of 30
pupils, 10 subjects on a full weekly timetable (30 lessons a week) taken every
school day of 2026/2027 with topics and attendance, 12 grade columns per subject
with a grade for every pupil, term grades and 40 remarks. Then times, in this
process: reading the data (`class_register_data`), the whole PDF
(`class_register_pdf`), one month's PDF, and the PDF/A-3b with an attachment.

    .venv/bin/python bench/yearend_register.py
    BENCH_RUNS=5 .venv/bin/python bench/yearend_register.py
"""

from __future__ import annotations

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
os.environ.setdefault("TEST_DB_NAME", "bench_yearend_register")

import logging  # noqa: E402

import django  # noqa: E402

django.setup()
logging.getLogger("weasyprint").setLevel(logging.WARNING)  # its progress, page by page

import time_machine  # noqa: E402

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
NOW = datetime.datetime(2027, 6, 20, 10, 0, tzinfo=datetime.UTC)
PUPILS, SUBJECTS, COLUMNS, REMARKS = 30, 10, 12, 40


def build():
    from gradebook.models import Assessment, Grade, TermGrade
    from gradebook.register.models import Attendance, Lesson, Remark
    from portal.models import Enrolment, Term, User
    from tests.conftest import build_school_world
    from tests.factories import SubjectFactory, TeachingAssignmentFactory
    from tests.factories.gradebook import GradeCategoryFactory

    world = build_school_world("bench")
    cls, year = world.class_a, world.year
    terms = list(Term.objects.filter(school_year=year).order_by("number"))
    users = User.objects.bulk_create(
        User(username=f"p{i}", first_name=f"Imię{i}", last_name=f"Nazwisko {i:02}")
        for i in range(PUPILS - 1)
    )
    Enrolment.objects.bulk_create(
        Enrolment(pupil=u, school_class=cls, start_date=year.start, register_number=i + 2)
        for i, u in enumerate(users)
    )
    pupils = [world.pupil, *users]
    assignments = [world.assignment] + [
        TeachingAssignmentFactory(
            school_class=cls,
            subject=SubjectFactory(school=world.school, name=f"Przedmiot {i}"),
            teacher=world.teacher,
        )
        for i in range(SUBJECTS - 1)
    ]
    lessons, day = [], year.start
    while day <= year.end:
        if day.weekday() < 5:
            for number in range(1, 7):
                a = assignments[(day.weekday() * 6 + number) % SUBJECTS]
                lessons.append(
                    Lesson(
                        assignment=a,
                        date=day,
                        number=number,
                        topic=f"Temat lekcji z dnia {day:%d.%m} – ćwiczenia i powtórzenie",
                        attendance_taken=True,
                    )
                )
        day += datetime.timedelta(days=1)
    lessons = Lesson.objects.bulk_create(lessons, batch_size=500)
    statuses = ["p"] * 12 + ["u", "n", "s", "z", "sz"]
    Attendance.objects.bulk_create(
        (
            Attendance(lesson=ls, pupil=p, status=statuses[(ls.pk * 7 + p.pk) % len(statuses)])
            for ls in lessons
            for p in pupils
        ),
        batch_size=2000,
    )
    category = GradeCategoryFactory(school=world.school)
    columns = Assessment.objects.bulk_create(
        Assessment(
            assignment=a,
            term=terms[i % 2],
            category=category,
            name=f"Sprawdzian {i + 1}",
            date=year.start + datetime.timedelta(days=14 * i + 7),
            weight=1,
        )
        for a in assignments
        for i in range(COLUMNS)
    )
    symbols = ["1", "2", "3", "3+", "4-", "4", "4+", "5", "6"]
    Grade.objects.bulk_create(
        (
            Grade(assessment=c, pupil=p, symbol=symbols[(c.pk + p.pk) % 9], teacher=world.teacher)
            for c in columns
            for p in pupils
        ),
        batch_size=2000,
    )
    TermGrade.objects.bulk_create(
        TermGrade(
            pupil=p, assignment=a, term=t, kind=kind, grade=(p.pk % 5) + 2, teacher=world.teacher
        )
        for a in assignments
        for t in terms
        for kind in ("proposed", "final")
        for p in pupils
    )
    Remark.objects.bulk_create(
        Remark(
            pupil=pupils[i % PUPILS],
            school_class=cls,
            author=world.teacher,
            kind="negative",
            text="Rozmowy na lekcji.",
        )
        for i in range(REMARKS)
    )
    return world, len(lessons)


def median_s(func) -> float:
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        func()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    from gradebook.yearend.statutory.register_pdf import class_register_data, class_register_pdf
    from portal.pdfs import PdfAttachment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        with time_machine.travel(NOW, tick=True):
            world, lessons = build()
            cls = world.class_a
            year_pdf = class_register_pdf(cls)
            from io import BytesIO

            import pypdf

            pages = len(pypdf.PdfReader(BytesIO(year_pdf)).pages)
            xml = PdfAttachment("dziennik.xml", b"<register/>" * 1000)
            results = {
                "data of the year (queries + Python)": median_s(lambda: class_register_data(cls)),
                "year register PDF": median_s(lambda: class_register_pdf(cls)),
                "month register PDF (March)": median_s(
                    lambda: class_register_pdf(cls, month=datetime.date(2027, 3, 1))
                ),
                "year register PDF/A-3b + XML": median_s(
                    lambda: class_register_pdf(cls, pdf_variant="pdf/a-3b", attachments=[xml])
                ),
            }
        print(
            f"database: {connection.vendor}, runs: {RUNS}, pupils: {PUPILS}, "
            f"lessons: {lessons}, attendance marks: {lessons * PUPILS}, "
            f"grades: {SUBJECTS * COLUMNS * PUPILS}, year PDF: {pages} pages, "
            f"{len(year_pdf) // 1024} KiB"
        )
        for name, value in results.items():
            print(f"  {name:38} median {value:6.2f} s")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
