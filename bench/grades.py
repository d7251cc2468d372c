"""Median server time of the grade sheet GET, the POST of a 35-cell column and
the parent view, on a large school: 30 classes × 30 pupils (the measured class
35), 5 subjects a class, 40 grades per pupil and subject.

    .venv/bin/python bench/grades.py            # SQLite, then PostgreSQL if reachable
    BENCH_DATABASES=sqlite .venv/bin/python bench/grades.py

Each backend runs in a fresh test database (SQLite in memory, PostgreSQL
`bench_gradebook`), with persistent connections (DATABASE_CONN_MAX_AGE=60) as
in production. Times are wall-clock through Django's test client, so they include
the middleware (sessions, allauth, roles) but not the network."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
RUNS = int(os.environ.get("BENCH_RUNS", "15"))


def main() -> None:
    if os.environ.get("BENCH_CHILD"):
        run()
        return
    wanted = os.environ.get("BENCH_DATABASES", "sqlite,postgres").split(",")
    for name in wanted:
        env = dict(os.environ, BENCH_CHILD="1", DJANGO_SETTINGS_MODULE="portal.settings.test")
        # Persistent connections, as in production; with 0 every request reconnects.
        env.setdefault("DATABASE_CONN_MAX_AGE", "60")
        if name == "postgres":
            env.update(DATABASE_URL=PG_URL, TEST_DB_NAME="bench_gradebook")
        else:
            env.pop("DATABASE_URL", None)
        print(f"-- {name}", flush=True)
        code = subprocess.call([sys.executable, __file__], env=env, cwd=ROOT)
        if code:
            print(f"   ({name} failed or unreachable, exit {code})")


def run() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        measure()
    finally:
        teardown_databases(old, verbosity=0)


def seed():
    import datetime

    from django.contrib.auth.hashers import make_password

    from gradebook.models import Assessment, Grade
    from gradebook.selectors import categories_of, current_term, grading_settings
    from portal.models import (
        Enrolment,
        GuardianLink,
        Role,
        RoleAssignment,
        School,
        SchoolClass,
        SchoolYear,
        Subject,
        TeachingAssignment,
        Term,
        User,
    )
    from tests.factories import current_year_bounds

    start, term1_end, end = current_year_bounds()
    school = School.objects.create(
        name="SP Bench",
        short_name="SPB",
        slug="bench",
        school_type="primary",
        rspo="999999",
        street="ul. 1",
        postal_code="00-001",
        city="X",
    )
    year = SchoolYear.objects.create(
        school=school, name="bench", start=start, end=end, is_current=True
    )
    Term.objects.create(school_year=year, number=1, start=start, end=term1_end)
    Term.objects.create(
        school_year=year, number=2, start=term1_end + datetime.timedelta(days=1), end=end
    )
    term = current_term(year)
    grading_settings(school)  # the school's grading rules exist before the sheet is read
    category = list(categories_of(school))[0]
    password = make_password("x")
    teachers = User.objects.bulk_create(
        User(username=f"t{i}", password=password, first_name="T", last_name=f"N{i}")
        for i in range(10)
    )
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=t, role=Role.TEACHER, school=school) for t in teachers
    )
    subjects = [Subject.objects.create(school=school, name=f"S{i}") for i in range(5)]
    classes = SchoolClass.objects.bulk_create(
        SchoolClass(school_year=year, name=f"{4 + i % 5}{chr(97 + i // 5)}", level=4 + i % 5)
        for i in range(30)
    )
    pupils_per_class = {}
    for n, cls in enumerate(classes):
        size = 35 if n == 0 else 30
        users = User.objects.bulk_create(
            User(username=f"p{n}-{i}", password=password, first_name="P", last_name=f"{n}-{i}")
            for i in range(size)
        )
        Enrolment.objects.bulk_create(
            Enrolment(pupil=u, school_class=cls, start_date=start) for u in users
        )
        pupils_per_class[cls.pk] = users
    assignments = TeachingAssignment.objects.bulk_create(
        TeachingAssignment(school_class=c, subject=s, teacher=teachers[(i + j) % 10])
        for i, c in enumerate(classes)
        for j, s in enumerate(subjects)
    )
    symbols = ["1", "2+", "3-", "3", "4", "4+", "5-", "5", "6", "np", "nb", "+"]
    for a in assignments:
        columns = Assessment.objects.bulk_create(
            Assessment(
                assignment=a,
                term=term,
                category=category,
                name=f"K{i}",
                weight=1 + i % 3,
                date=term.start,
            )
            for i in range(40)
        )
        Grade.objects.bulk_create(
            (
                Grade(
                    assessment=c,
                    pupil=p,
                    symbol=symbols[(i * 7 + k) % len(symbols)],
                    teacher_id=a.teacher_id,
                )
                for i, c in enumerate(columns)
                for k, p in enumerate(pupils_per_class[a.school_class_id])
            ),
            batch_size=5000,
        )
    parent = User.objects.create(username="parent", password=password)
    child = pupils_per_class[classes[0].pk][0]
    GuardianLink.objects.create(guardian=parent, pupil=child)
    target = next(a for a in assignments if a.school_class_id == classes[0].pk)
    return target, term, parent, child, pupils_per_class[classes[0].pk]


CPU_TIMES: dict[int, list[float]] = {}


def timed(func) -> float:
    """Wall time in ms; the Python process's CPU time is kept beside it, as
    wall time on a shared, loaded machine mostly measures the other tenants."""
    began, cpu = time.perf_counter(), time.process_time()
    response = func()
    elapsed = (time.perf_counter() - began) * 1000
    CPU_TIMES.setdefault(id(func.__code__), []).append((time.process_time() - cpu) * 1000)
    assert response.status_code in (200, 302), response.status_code
    return elapsed


def measure() -> None:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from gradebook.models import Assessment, Grade

    began = time.perf_counter()
    assignment, term, parent, child, pupils = seed()
    print(
        f"   seeded {Grade.objects.count()} grades in {time.perf_counter() - began:.1f} s "
        f"({connection.vendor})"
    )
    teacher_client = Client()
    teacher_client.force_login(assignment.teacher)
    parent_client = Client()
    parent_client.force_login(parent)
    from django.test.utils import override_settings

    with override_settings(PORTAL_MFA_REQUIRED_FOR_STAFF=False):
        url = reverse("gradebook:sheet", args=[assignment.pk]) + f"?term={term.pk}"
        teacher_client.get(url)
        get_times = [timed(lambda: teacher_client.get(url)) for _ in range(RUNS)]
        column = Assessment.objects.filter(assignment=assignment).first()
        post_times = []
        for run in range(RUNS):
            current = dict(
                Grade.objects.filter(assessment=column).values_list("pupil_id", "symbol")
            )
            new = "5" if run % 2 else "3+"
            data = {"term": term.pk}
            for p in pupils:
                data[f"g-{column.pk}-{p.pk}"] = new
                data[f"o-{column.pk}-{p.pk}"] = current.get(p.pk, "")
            post_times.append(timed(lambda data=data: teacher_client.post(url, data)))
        assert Grade.objects.get(assessment=column, pupil=pupils[0]).symbol == new
        purl = reverse("gradebook:pupil", args=[child.pk])
        parent_client.get(purl)
        parent_times = [timed(lambda: parent_client.get(purl)) for _ in range(RUNS)]
    cpu = list(CPU_TIMES.values())
    for (label, times), cpu_times in zip(
        (
            ("grade sheet GET (35 pupils x 40 columns)", get_times),
            ("grade sheet POST (35-cell column)", post_times),
            ("parent view (5 subjects x 40 grades)", parent_times),
        ),
        cpu,
        strict=True,
    ):
        print(
            f"   {label}: median {statistics.median(times):.1f} ms wall, "
            f"{statistics.median(cpu_times):.1f} ms Python CPU, over {len(times)} runs"
        )
    print(f"   load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
