"""Where a hot page's time goes: SQL, our view code, template rendering, middleware.

    .venv/bin/python bench/profile_pages.py                       # SQLite in memory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mydb .venv/bin/python bench/profile_pages.py
    .venv/bin/python bench/profile_pages.py --cprofile "grade sheet GET"   # + cProfile's top
    .venv/bin/python bench/profile_pages.py --queries "parent dashboard"   # + the query log

Builds one throw-away test database (`TEST_DB_NAME`, default `bench_profile`) with the
data of bench/grades.py (a 35 × 40 grade sheet among 181,000 grades) and of
bench/register.py (a class of 35 with four weeks of lessons), plus the CMS site of the
tests (tests/factories/cms.py), then requests each page RUNS times (default 15) with
Django's test client and prints medians of:

- total: from the first middleware in to the last out (the test client's own work
  is left out);
- SQL: count and time of the queries, through a connection execute_wrapper, split by
  where they ran (middleware, view, template);
- view: Python in the view (the innermost handler minus template and SQL);
- template: Python in template rendering (outermost Template.render minus its SQL);
- middleware: Python in the middleware chain (total minus the view and its SQL).

Persistent connections as in production (DATABASE_CONN_MAX_AGE=60)."""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
FORM_ENCODED = "application/x-www-form-urlencoded"
# The project first: bench/ (already on the path as the script's folder) holds
# analytics.py, which would otherwise shadow the analytics app.
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
os.environ.setdefault("TEST_DB_NAME", "bench_profile")
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "60")

RUNS = int(os.environ.get("BENCH_RUNS", "15"))


class Probe:
    """The current request's clocks: which phase runs now, and time and queries per phase."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.phase = "middleware"
        self.total = self.inner = self.template = 0.0
        self.sql = {"middleware": 0.0, "view": 0.0, "template": 0.0}
        self.queries: list[tuple[str, str, float]] = []
        self.template_depth = 0

    def execute(self, execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - began
            self.sql[self.phase] += elapsed
            self.queries.append((self.phase, sql, elapsed))


PROBE = Probe()


class OuterTimer:
    """First middleware: the whole request as the server sees it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        began = time.perf_counter()
        response = self.get_response(request)
        PROBE.total = time.perf_counter() - began
        return response


class InnerTimer:
    """Last middleware: the view and, for a TemplateResponse, its rendering."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        began = time.perf_counter()
        PROBE.phase = "view"
        try:
            return self.get_response(request)
        finally:
            PROBE.phase = "middleware"
            PROBE.inner = time.perf_counter() - began


def patch_template_render():
    """Time the outermost Django template render (includes run inside it)."""
    from django.template.backends.django import Template

    original = Template.render

    def render(self, context=None, request=None):
        PROBE.template_depth += 1
        outer = PROBE.template_depth == 1
        previous = PROBE.phase
        began = time.perf_counter()
        if outer:
            PROBE.phase = "template"
        try:
            return original(self, context, request)
        finally:
            PROBE.template_depth -= 1
            if outer:
                PROBE.template += time.perf_counter() - began
                PROBE.phase = previous

    Template.render = render


def build():
    """The benches' data: grades.seed() and register.build(), and the CMS site."""
    import grades
    import register

    from portal.models import SchoolClass
    from tests.conftest import build_school_world, enable_mfa
    from tests.factories.cms import build_site

    assignment, term, parent, child, pupils = grades.seed()
    enable_mfa(assignment.teacher)
    world_a, _class_pupils, slot, day = register.build()
    world = type("World", (), {})()
    world.a, world.b = world_a, build_school_world("profile-b")
    build_site(world)
    assert SchoolClass.objects.exists()
    return {
        "assignment": assignment,
        "term": term,
        "parent": parent,
        "child": child,
        "pupils": pupils,
        "world": world_a,
        "slot": slot,
        "day": day,
    }


def pages(data):
    """(label, client user, method, url, data maker) for every hot page."""
    import itertools

    from django.urls import reverse

    from gradebook.models import Assessment, Grade

    a, term = data["assignment"], data["term"]
    sheet = reverse("gradebook:sheet", args=[a.pk]) + f"?term={term.pk}"
    column = Assessment.objects.filter(assignment=a).order_by("pk").first()
    turn = itertools.count()

    def sheet_post():
        # Every POST changes the 35 cells of one column (as bench/grades.py does).
        current = dict(Grade.objects.filter(assessment=column).values_list("pupil_id", "symbol"))
        new = "5" if next(turn) % 2 else "3+"
        payload = {"term": term.pk}
        for p in data["pupils"]:
            payload[f"g-{column.pk}-{p.pk}"] = new
            payload[f"o-{column.pk}-{p.pk}"] = current.get(p.pk, "")
        return payload

    w, slot, day = data["world"], data["slot"], data["day"]
    lesson = reverse("register:lesson", args=[slot.assignment_id, day.isoformat(), slot.number])
    grades_url = reverse("gradebook:pupil", args=[data["child"].pk])
    week = reverse("register:week") + f"?week={day.isoformat()}"
    return [
        ("grade sheet GET 35x40", a.teacher, "get", sheet, None),
        ("grade sheet POST (35 cells)", a.teacher, "post", sheet, sheet_post),
        ("parent grades view", data["parent"], "get", grades_url, None),
        ("parent dashboard", w.guardian, "get", reverse("portal:dashboard"), None),
        ("week view (parent)", w.guardian, "get", week, None),
        ("attendance screen", w.teacher, "get", lesson, None),
        ("portal home (anonymous)", None, "get", "/", None),
        ("school page (anonymous)", None, "get", f"/{w.school.slug}/", None),
    ]


def measure(data, profile_label: str | None, queries_label: str | None) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    clients = {}
    middleware = [f"{__name__}.OuterTimer", *settings.MIDDLEWARE, f"{__name__}.InnerTimer"]
    print(f"database: {connection.vendor}, runs: {RUNS}, load average {os.getloadavg()[0]:.2f}")
    print(
        f"{'page':30} {'total':>7} {'SQL n':>5} {'SQL ms':>7} {'(mw/view/tpl)':>17} "
        f"{'view':>6} {'tmpl':>6} {'mw':>6}"
    )
    # Tasks go to the database queue, production's embedded default (as in
    # bench/grades.py): the test settings' immediate backend would run the families'
    # notifications of a saved column inside the timed POST.
    with (
        override_settings(
            MIDDLEWARE=middleware,
            TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
        ),
        connection.execute_wrapper(PROBE.execute),
    ):
        for label, user, method, url, payload in pages(data):
            if user not in clients:
                client = Client()
                if user is not None:
                    client.force_login(user)
                clients[user] = client
            client = clients[user]

            def request(client=client, method=method, url=url, payload=payload):
                if payload:
                    # Form-encoded, as the sheet's browser script sends it.
                    response = getattr(client, method)(
                        url, urlencode(payload()), content_type=FORM_ENCODED
                    )
                else:
                    response = getattr(client, method)(url)
                assert response.status_code in (200, 302), (url, response.status_code)

            request()  # warm caches, as a second visitor finds them
            rows = []
            for _ in range(RUNS):
                PROBE.reset()
                request()
                sql = PROBE.sql
                sql_total = sum(sql.values())
                rows.append(
                    {
                        "total": PROBE.total,
                        "n": len(PROBE.queries),
                        "sql": sql_total,
                        "sql_mw": sql["middleware"],
                        "sql_view": sql["view"],
                        "sql_tpl": sql["template"],
                        "view": PROBE.inner - PROBE.template - sql["view"],
                        "tmpl": PROBE.template - sql["template"],
                        "mw": PROBE.total - PROBE.inner - sql["middleware"],
                    }
                )

            def med(key, rows=rows):
                return statistics.median(r[key] for r in rows) * (1 if key == "n" else 1000)

            split = f"{med('sql_mw'):.1f}/{med('sql_view'):.1f}/{med('sql_tpl'):.1f}"
            print(
                f"{label:30} {med('total'):7.1f} {med('n'):5.0f} {med('sql'):7.1f} {split:>17} "
                f"{med('view'):6.1f} {med('tmpl'):6.1f} {med('mw'):6.1f}",
                flush=True,
            )
            if queries_label and queries_label in label:
                PROBE.reset()
                request()
                for phase, sql, elapsed in PROBE.queries:
                    print(f"    [{phase:10}] {elapsed * 1000:6.2f} ms  {sql[:160]}")
            if profile_label and profile_label in label:
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(RUNS):
                    request()
                profiler.disable()
                stats = pstats.Stats(profiler, stream=sys.stdout)
                stats.sort_stats("tottime").print_stats(25)
                if os.environ.get("BENCH_PROFILE_OURS"):  # cumulative, the project's own code
                    stats.sort_stats("cumulative").print_stats(os.environ["BENCH_PROFILE_OURS"], 40)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cprofile", metavar="PAGE", help="cProfile the pages labelled PAGE")
    parser.add_argument("--queries", metavar="PAGE", help="print the queries of one request")
    args = parser.parse_args()
    import logging

    import django

    django.setup()
    logging.disable(logging.WARNING)  # the immediate task backend's chatter
    from django.db import connection
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        patch_template_render()
        began = time.perf_counter()
        data = build()
        print(f"seeded in {time.perf_counter() - began:.1f} s ({connection.vendor})")
        measure(data, args.cprofile, args.queries)
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
