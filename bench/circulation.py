"""Circulation benchmark: median server time of checkout, return and the
reader's account page, on SQLite and PostgreSQL (target: under 100 ms).

Each database gets a fresh process: migrate, `seed_demo` (scale 1), then the
Django test client (the whole request: middleware, view, template) posts
checkouts and returns of demo copies at demo-librarian's desk and fetches
demo-pupil's account page.

    .venv/bin/python bench/circulation.py
    .venv/bin/python bench/circulation.py --databases sqlite --repeat 50
    BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres  # where to create bench_circulation
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def child(args) -> None:
    # Test settings: plain static storage (no collectstatic manifest needed).
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
    os.environ["TASK_BACKEND"] = "immediate"
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    tmp = tempfile.mkdtemp(prefix="bench-circulation-")
    if args.db == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    else:
        import psycopg

        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS bench_circulation")
            conn.execute("CREATE DATABASE bench_circulation")
        os.environ["DATABASE_URL"] = PG_URL.rsplit("/", 1)[0] + "/bench_circulation"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from allauth.mfa.models import Authenticator

    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    from library.circulation.models import Copy
    from library.circulation.services import reader_profile_for
    from portal.models import User

    librarian = User.objects.get(username="demo-librarian")
    Authenticator.objects.get_or_create(
        user=librarian, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "x"}}
    )
    teacher = User.objects.get(username="demo-teacher")
    pupil = User.objects.get(username="demo-pupil")
    card = reader_profile_for(teacher).card_number
    desk = Client()
    desk.force_login(librarian)
    school = librarian.role_assignments.get(role="librarian").school_id
    copies = list(
        Copy.objects.filter(school_id=school, status="available").values_list("barcode", flat=True)[
            :5
        ]
    )
    url = reverse("circulation:desk", args=[school])
    out, back = [], []
    for i in range(args.repeat):
        code = copies[i % len(copies)]
        start = time.perf_counter()
        r = desk.post(url, {"action": "checkout", "out-card": card, "out-barcodes": code})
        out.append(time.perf_counter() - start)
        assert r.status_code == 200 and "Wypożyczono do" in r.content.decode(), r.content[:300]
        start = time.perf_counter()
        r = desk.post(url, {"action": "return", "back-barcode": code})
        back.append(time.perf_counter() - start)
        assert r.status_code == 200
    reader = Client()
    reader.force_login(pupil)
    account = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        r = reader.get(reverse("circulation:account"))
        account.append(time.perf_counter() - start)
        assert r.status_code == 200
    result = {}
    for name, times in (("checkout", out), ("return", back), ("account page", account)):
        ms = sorted(t * 1000 for t in times)
        result[name] = {
            "median_ms": round(statistics.median(ms), 1),
            "p95_ms": round(ms[int(len(ms) * 0.95) - 1], 1),
        }
    print("RESULT " + json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--db")
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    for db in args.databases.split(","):
        proc = subprocess.run(
            [sys.executable, __file__, "--child", "--db", db, "--repeat", str(args.repeat)],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
        if line is None:
            print(db, "failed:", proc.stdout[-2000:], proc.stderr[-4000:])
            continue
        for name, row in json.loads(line[7:]).items():
            verdict = "ok" if row["median_ms"] < 100 else "SLOW"
            print(
                f"{db:10} {name:14} median {row['median_ms']:7.1f} ms"
                f"  p95 {row['p95_ms']:7.1f} ms  {verdict}"
            )


if __name__ == "__main__":
    main()
