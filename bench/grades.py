"""Median server time of the grade sheet GET, the POST of a 35-cell column and
the parent view, on a large school: 30 classes × 30 pupils (the measured class
35), 5 subjects a class, 40 grades per pupil and subject.

    .venv/bin/python bench/grades.py            # SQLite, then PostgreSQL if reachable
    BENCH_DATABASES=sqlite .venv/bin/python bench/grades.py

Each backend runs in a fresh test database (SQLite in memory, PostgreSQL
`bench_gradebook`), with persistent connections (DATABASE_CONN_MAX_AGE=60) as
in production. Times are wall-clock through Django's test client, so they include
the middleware (sessions, allauth, roles) but not the network.

Beside each page's median and p95 the bench prints its query count and the
median of a *raw fetch*: the same data read with plain SQL on one cursor (no
ORM objects, no template, no middleware; for the POST, the same reads and
writes in a transaction rolled back). Page ÷ raw is what our Python costs on
top of the database; the aim is ≤ 3.

    BENCH_KEEPDB=1     keep the seeded database between runs (SQLite in
                       /tmp/bench_gradebook.sqlite3), so a second run skips the seed
    BENCH_PROFILE=1    print a cProfile of one request of each page (top 25 by
                       cumulative time)"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

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
            if env.get("BENCH_KEEPDB"):
                env["TEST_DB_NAME"] = "/tmp/bench_gradebook.sqlite3"
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
    keep = bool(os.environ.get("BENCH_KEEPDB"))
    old = setup_databases(verbosity=0, interactive=False, keepdb=keep)
    try:
        measure()
    finally:
        if not keep:
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


def seeded():
    """The seeded world: reused when BENCH_KEEPDB kept it from an earlier run."""
    from gradebook.selectors import current_term
    from portal.models import GuardianLink, School, TeachingAssignment

    school = School.objects.filter(slug="bench").first()
    if school is None:
        return seed()
    link = GuardianLink.objects.select_related("guardian", "pupil").get(guardian__username="parent")
    target = (
        TeachingAssignment.objects.filter(school_class__enrolments__pupil=link.pupil)
        .order_by("subject__name")
        .select_related("teacher", "school_class__school_year")
        .first()
    )
    term = current_term(target.school_class.school_year)
    return target, term, link.guardian, link.pupil, list(target.pupils_on())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(func) -> tuple[float, float]:
    """(wall ms, CPU ms): the Python process's CPU time is kept beside the wall
    time, as wall time on a shared, loaded machine mostly measures the other tenants."""
    began, cpu = time.perf_counter(), time.process_time()
    response = func()
    elapsed = (time.perf_counter() - began) * 1000
    if hasattr(response, "status_code"):
        assert response.status_code in (200, 302), response.status_code
    return elapsed, (time.process_time() - cpu) * 1000


def queries_of(func) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def profile(label: str, func) -> None:
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    func()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    print(f"   --- profile: {label}\n{out.getvalue()}")


# The raw fetches: what each page reads (or writes), as plain SQL on one cursor.
# Placeholders are %s on both backends (Django's cursor translates for SQLite).

SHEET_SQL = (
    # the pupils of the class on the day, in the sheet's order
    """SELECT u.id, u.first_name, u.last_name FROM portal_user u
       JOIN portal_enrolment e ON e.pupil_id = u.id
       WHERE e.school_class_id = %s AND e.start_date <= %s
         AND (e.end_date IS NULL OR e.end_date >= %s)
       ORDER BY u.last_name, u.first_name""",
    # the columns with their categories
    """SELECT a.id, a.name, a.weight, a.date, a.counts_to_average, a.improves_id,
              c.name, c.colour, c.counts_to_average
       FROM gradebook_assessment a JOIN gradebook_gradecategory c ON c.id = a.category_id
       WHERE a.assignment_id = %s AND a.term_id = %s ORDER BY a.date, a.id""",
    # every cell
    """SELECT g.id, g.assessment_id, g.pupil_id, g.symbol, g.improves_id
       FROM gradebook_grade g JOIN gradebook_assessment a ON a.id = g.assessment_id
       JOIN portal_enrolment e ON e.pupil_id = g.pupil_id
       WHERE a.assignment_id = %s AND a.term_id = %s AND e.school_class_id = %s
         AND e.start_date <= %s AND (e.end_date IS NULL OR e.end_date >= %s)""",
    # the proposed and final grades
    """SELECT pupil_id, kind, grade FROM gradebook_termgrade
       WHERE assignment_id = %s AND term_id = %s""",
)

PARENT_SQL = (
    """SELECT a.id, s.name, t.first_name, t.last_name FROM portal_teachingassignment a
       JOIN portal_subject s ON s.id = a.subject_id JOIN portal_user t ON t.id = a.teacher_id
       JOIN portal_enrolment e ON e.school_class_id = a.school_class_id
       WHERE e.pupil_id = %s ORDER BY s.name""",
    """SELECT g.id, g.symbol, g.improves_id, g.created_at, a.assignment_id, a.term_id,
              a.name, a.weight, a.date, a.description, a.counts_to_average,
              c.name, c.colour, c.counts_to_average, t.first_name, t.last_name
       FROM gradebook_grade g JOIN gradebook_assessment a ON a.id = g.assessment_id
       JOIN gradebook_gradecategory c ON c.id = a.category_id
       JOIN portal_user t ON t.id = g.teacher_id
       WHERE g.pupil_id = %s ORDER BY a.date, a.id""",
    """SELECT assignment_id, term_id, kind, grade FROM gradebook_termgrade
       WHERE pupil_id = %s""",
)


def raw_sheet(assignment, term, day):
    from django.db import connection

    params = (
        (assignment.school_class_id, day, day),
        (assignment.pk, term.pk),
        (assignment.pk, term.pk, assignment.school_class_id, day, day),
        (assignment.pk, term.pk),
    )
    with connection.cursor() as cursor:
        for sql, args in zip(SHEET_SQL, params, strict=True):
            cursor.execute(sql, args)
            cursor.fetchall()


def raw_post(assignment, column, pupils, user, symbol):
    """The POST's floor: lock and read the column's cells, one UPDATE, one
    multi-row INSERT of the history, rolled back."""
    from django.db import connection, transaction
    from django.utils import timezone

    ids = [p.pk for p in pupils]
    marks = ", ".join(["%s"] * len(ids))
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM portal_teachingassignment WHERE id = %s" + FOR_UPDATE(),
            [assignment.pk],
        )
        cursor.execute(
            f"SELECT id, pupil_id, symbol FROM gradebook_grade "
            f"WHERE assessment_id = %s AND pupil_id IN ({marks}){FOR_UPDATE()}",
            [column.pk, *ids],
        )
        cells = cursor.fetchall()
        cursor.execute(
            f"UPDATE gradebook_grade SET symbol = %s, teacher_id = %s, updated_at = %s "
            f"WHERE id IN ({', '.join(['%s'] * len(cells))})",
            [symbol, user.pk, now, *(c[0] for c in cells)],
        )
        row = "(%s, %s, %s, '{}', '{}', '', %s, 'grade', %s, 'update', %s, %s, %s, %s, %s, %s)"
        values = []
        for grade_id, pupil_id, old in cells:
            values += [user.pk, "", now, assignment.school_class.school_year.school_id]
            values += [grade_id, pupil_id, assignment.pk, column.pk, column.name, old, symbol]
        cursor.execute(
            "INSERT INTO gradebook_gradehistory (actor_id, actor_name, at, before, after, "
            "reason, school_id, kind, object_id, action, pupil_id, assignment_id, "
            "assessment_id, label, old_value, new_value) VALUES " + ", ".join([row] * len(cells)),
            values,
        )
        transaction.set_rollback(True)


def FOR_UPDATE() -> str:  # noqa: N802
    from django.db import connection

    return " FOR UPDATE" if connection.features.has_select_for_update else ""


def raw_parent(child):
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in PARENT_SQL:
            cursor.execute(sql, [child.pk])
            cursor.fetchall()


def report(label: str, page: list, raw: list[float], queries: int) -> None:
    wall = [w for w, _cpu in page]
    cpu = [c for _w, c in page]
    page_median, raw_median = statistics.median(wall), statistics.median(raw)
    print(
        f"   {label}: median {page_median:.1f} ms (p95 {percentile(wall, 0.95):.1f}), "
        f"Python CPU {statistics.median(cpu):.1f} ms, {queries} queries; "
        f"raw fetch {raw_median:.2f} ms, page/raw {page_median / raw_median:.1f}"
    )


def measure() -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from gradebook.models import Assessment, Grade
    from gradebook.selectors import sheet_day

    began = time.perf_counter()
    assignment, term, parent, child, pupils = seeded()
    print(
        f"   {Grade.objects.count()} grades ready in {time.perf_counter() - began:.1f} s "
        f"({connection.vendor}), {RUNS} runs a page"
    )
    teacher_client = Client()
    teacher_client.force_login(assignment.teacher)
    parent_client = Client()
    parent_client.force_login(parent)
    day = sheet_day(term)
    profiling = bool(os.environ.get("BENCH_PROFILE"))
    # Tasks go to the database queue, production's embedded default: the test
    # settings' immediate backend would run the families' notifications (a
    # background task) inside the timed POST.
    with override_settings(
        PORTAL_MFA_REQUIRED_FOR_STAFF=False,
        TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
    ):
        url = reverse("gradebook:sheet", args=[assignment.pk]) + f"?term={term.pk}"
        teacher_client.get(url)
        get_times = [timed(lambda: teacher_client.get(url)) for _ in range(RUNS)]
        get_queries = queries_of(lambda: teacher_client.get(url))
        get_raw = [timed(lambda: raw_sheet(assignment, term, day))[0] for _ in range(RUNS)]
        if profiling:
            profile("grade sheet GET", lambda: teacher_client.get(url))

        column = Assessment.objects.filter(assignment=assignment).order_by("pk").first()
        turn = iter(range(10**6))

        def post_column():
            current = dict(
                Grade.objects.filter(assessment=column).values_list("pupil_id", "symbol")
            )
            new = "5" if next(turn) % 2 else "3+"
            data = {"term": term.pk}
            for p in pupils:
                data[f"g-{column.pk}-{p.pk}"] = new
                data[f"o-{column.pk}-{p.pk}"] = current.get(p.pk, "")
            # Form-encoded, as a browser sends it; with the sheet's script only the
            # changed cells and their originals (static/gradebook/sheet.js).
            body = urlencode(data)
            form = "application/x-www-form-urlencoded"
            return lambda: teacher_client.post(url, body, content_type=form), new

        post_times = []
        for _ in range(RUNS):
            send, new = post_column()
            post_times.append(timed(send))
        assert Grade.objects.get(assessment=column, pupil=pupils[0]).symbol == new
        post_queries = queries_of(post_column()[0])
        post_raw = [
            timed(lambda: raw_post(assignment, column, pupils, assignment.teacher, "4"))[0]
            for _ in range(RUNS)
        ]
        if profiling:
            profile("grade sheet POST", post_column()[0])

        purl = reverse("gradebook:pupil", args=[child.pk])
        parent_client.get(purl)
        parent_times = [timed(lambda: parent_client.get(purl)) for _ in range(RUNS)]
        parent_queries = queries_of(lambda: parent_client.get(purl))
        parent_raw = [timed(lambda: raw_parent(child))[0] for _ in range(RUNS)]
        if profiling:
            profile("parent grades view", lambda: parent_client.get(purl))
    report("grade sheet GET (35 pupils x 40 columns)", get_times, get_raw, get_queries)
    report("grade sheet POST (35-cell column)", post_times, post_raw, post_queries)
    report("parent view (5 subjects x 40 grades)", parent_times, parent_raw, parent_queries)
    print(f"   load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
