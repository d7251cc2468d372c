"""The municipal analytics at a gmina's scale: the nightly aggregation and the
officer's pages.

Builds a throw-away test database (SQLite by default, PostgreSQL with
DATABASE_URL=postgres://...) holding a gmina of BENCH_SCHOOLS schools and
BENCH_PUPILS pupils (classes of 25) with a school year of generated attendance
and grades (September to June: the clock is set to 20 June), then times:

- the nightly aggregation, full (every month of every class) and incremental
  (after one class's attendance of one day changed);
- the median server time of the officer's overview, one school's drill-down,
  one school's XLSX and the whole year's workbook.

The year is BENCH_DAYS school days a month with BENCH_LESSONS lessons each
(one attendance mark per pupil and lesson) and one graded column a month in
each of 3 subjects, a final mid-year and annual grade per pupil and subject, and
a weekly timetable of 15 lessons a class taught by 4 teachers a school; the
defaults are the issue's gmina (20 schools, 10,000 pupils) with a sample of the
days. Each figure printed states the scale.

    .venv/bin/python bench/analytics.py
    BENCH_SCHOOLS=4 BENCH_PUPILS=2000 .venv/bin/python bench/analytics.py
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
os.environ.setdefault("TEST_DB_NAME", "bench_analytics")

import django  # noqa: E402

django.setup()

import time_machine  # noqa: E402

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "15"))
SCHOOLS = int(os.environ.get("BENCH_SCHOOLS", "20"))
PUPILS = int(os.environ.get("BENCH_PUPILS", "10000"))
DAYS = int(os.environ.get("BENCH_DAYS", "2"))
LESSONS = int(os.environ.get("BENCH_LESSONS", "2"))
CLASS_SIZE = 25
TEACHERS = 4  # per school, each teaching some of its classes' subjects
SHOWN = ("attendance", "grade_average", "teachers", "weekly_lessons", "annual_average")
SUBJECTS = ("Matematyka", "Język polski", "Przyroda")
NOW = datetime.datetime(2027, 6, 20, 12, 0, tzinfo=datetime.UTC)
STATUSES = "pppppppppppppspnuzw"  # mostly present, every code of the register


def school_days(month: datetime.date, n: int) -> list[datetime.date]:
    days, day = [], month
    while len(days) < n:
        if day.weekday() < 5:
            days.append(day)
        day += datetime.timedelta(days=3)
    return days


def build() -> dict:
    from gradebook.models import Assessment, Grade, TermGrade
    from gradebook.register.models import Attendance, Lesson, TimetableEntry
    from portal.models import Enrolment, Role, SchoolClass, User
    from tests.conftest import enable_mfa
    from tests.factories import (
        RoleFactory,
        SchoolFactory,
        SchoolYearFactory,
        SubjectFactory,
        TeachingAssignmentFactory,
        UserFactory,
    )
    from tests.factories.gradebook import GradeCategoryFactory

    per_school = PUPILS // SCHOOLS
    classes_per_school = max(1, per_school // CLASS_SIZE)
    n = 0
    schools = []
    for s in range(SCHOOLS):
        school = SchoolFactory(short_name=f"SP {s + 1}", name=f"Szkoła Podstawowa nr {s + 1}")
        year = SchoolYearFactory(school=school)
        term = year.terms.order_by("start").first()
        last_term = year.terms.order_by("start").last()
        category = GradeCategoryFactory(school=school)
        staff = [UserFactory() for _ in range(TEACHERS)]
        teacher = staff[0]
        subjects = [SubjectFactory(school=school, name=name) for name in SUBJECTS]
        letters = "abcdefghijklmnop"
        classes = SchoolClass.objects.bulk_create(
            SchoolClass(school_year=year, name=f"{1 + c % 8}{letters[c // 8]}", level=c % 8 + 1)
            for c in range(classes_per_school)
        )
        users = User.objects.bulk_create(
            User(username=f"u{n + i}", first_name="Uczeń", last_name=f"Benchowy{n + i}")
            for i in range(classes_per_school * CLASS_SIZE)
        )
        n += len(users)
        Enrolment.objects.bulk_create(
            Enrolment(
                pupil=u,
                school_class=classes[i // CLASS_SIZE],
                start_date=year.start,
                register_number=i % CLASS_SIZE + 1,
            )
            for i, u in enumerate(users)
        )
        months = []
        month = year.start.replace(day=1)
        while month <= datetime.date(NOW.year, 6, 1):
            months.append(month)
            month = (month + datetime.timedelta(days=32)).replace(day=1)
        for c, school_class in enumerate(classes):
            pupils = users[c * CLASS_SIZE : (c + 1) * CLASS_SIZE]
            assignments = [
                TeachingAssignmentFactory(
                    school_class=school_class, subject=subj, teacher=staff[(c + j) % TEACHERS]
                )
                for j, subj in enumerate(subjects)
            ]
            # the week's timetable: each subject on every weekday, one lesson
            TimetableEntry.objects.bulk_create(
                TimetableEntry(assignment=a, weekday=d, number=j + 1)
                for j, a in enumerate(assignments)
                for d in range(5)
            )
            # the mid-year (first term) and annual (last term) classification
            TermGrade.objects.bulk_create(
                (
                    TermGrade(
                        pupil=p,
                        assignment=a,
                        term=t,
                        kind=TermGrade.Kind.FINAL,
                        grade=1 + (p.pk + a.pk + t.pk) % 6,
                        teacher=a.teacher,
                    )
                    for t in dict.fromkeys([term, last_term])
                    for a in assignments
                    for p in pupils
                ),
                batch_size=5000,
            )
            lessons = Lesson.objects.bulk_create(
                Lesson(
                    assignment=assignments[k % len(assignments)],
                    date=day,
                    number=k + 1,
                    attendance_taken=True,
                )
                for m in months
                for day in school_days(m, DAYS)
                for k in range(LESSONS)
            )
            Attendance.objects.bulk_create(
                (
                    Attendance(
                        lesson=lesson,
                        pupil=p,
                        status=STATUSES[(lesson.pk * 7 + p.pk) % len(STATUSES)],
                    )
                    for lesson in lessons
                    for p in pupils
                ),
                batch_size=5000,
            )
            columns = Assessment.objects.bulk_create(
                Assessment(
                    assignment=a,
                    term=term,
                    category=category,
                    name="Sprawdzian",
                    weight=1 + (i % 3),
                    date=m.replace(day=10),
                )
                for i, (a, m) in enumerate((a, m) for a in assignments for m in months)
            )
            Grade.objects.bulk_create(
                (
                    Grade(
                        assessment=col,
                        pupil=p,
                        symbol="123456"[(col.pk + p.pk) % 6],
                        teacher=teacher,
                    )
                    for col in columns
                    for p in pupils
                ),
                batch_size=5000,
            )
        schools.append(school)
    officer = RoleFactory(role=Role.OFFICER, school=None).user
    enable_mfa(officer)
    return {"schools": schools, "officer": officer, "pupils": n}


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

    from analytics.selectors import municipal_overview
    from analytics.services import analytics_compute, mark_dirty
    from gradebook.register.models import Attendance, Lesson

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        with time_machine.travel(NOW, tick=True):
            t = time.perf_counter()
            world = build()
            built = time.perf_counter() - t
            marks = Attendance.objects.count()
            t = time.perf_counter()
            months = analytics_compute(full=True)
            full = time.perf_counter() - t
            # One class's lesson changes; the class month is marked as the change
            # logs would mark it, then the nightly run reads the logs and recomputes.
            since = datetime.datetime.now(tz=datetime.UTC)
            lesson = Lesson.objects.order_by("pk").first()
            Attendance.objects.filter(lesson=lesson).update(status="u")
            t = time.perf_counter()
            mark_dirty({(lesson.assignment.school_class_id, lesson.date.replace(day=1))})
            incremental_months = analytics_compute(since=since)
            incremental = time.perf_counter() - t

            client = Client()
            client.force_login(world["officer"])
            school = world["schools"][0]
            pages = {
                "overview /gmina/": reverse("analytics:overview"),
                "school drill-down": reverse("analytics:school", args=[school.pk]),
                "school XLSX (every table)": reverse("analytics:school", args=[school.pk])
                + "?eksport=xlsx",
                "trend of attendance": reverse("analytics:measure", args=["attendance"]),
                "comparison of primary schools": reverse("analytics:compare", args=["primary"]),
            }
            results = {}
            for name, url in pages.items():

                def get(url=url):
                    assert client.get(url).status_code == 200

                results[name] = median_ms(get)
            figures = next(r.figures for r in municipal_overview()["schools"] if r.school == school)
            t = time.perf_counter()
            assert client.get(reverse("analytics:workbook")).status_code == 200
            workbook = (time.perf_counter() - t) * 1000
        print(
            f"database: {connection.vendor}; {SCHOOLS} schools, {world['pupils']} pupils, "
            f"{marks} attendance marks ({DAYS} days × {LESSONS} lessons a month, Sep–Jun), "
            f"3 graded columns a class a month, mid-year and annual final grades, "
            f"{TEACHERS} teachers a school and a 15-lesson weekly timetable a class; "
            f"built in {built:.0f} s"
        )
        print(f"  nightly aggregation, full ({months} class months): {full:7.1f} s")
        print(
            f"  nightly aggregation, incremental ({incremental_months} class month): "
            f"{incremental * 1000:7.1f} ms"
        )
        shown = ", ".join(f"{key} {figures[key].value}" for key in SHOWN)
        print(f"  the first school's figures (so the generated data is seen to count): {shown}")
        for name, value in results.items():
            print(f"  {name:34} median {value:7.1f} ms (runs: {RUNS})")
        print(f"  {'whole-year workbook XLSX':34} once   {workbook:7.1f} ms")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
