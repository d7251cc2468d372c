"""An evening on the portal as installed: gunicorn with production settings and the
task worker, driven over HTTP by simulated parents, teachers and library visitors.

    .venv/bin/python bench/load.py                  # full run: about 15 minutes
    .venv/bin/python bench/load.py --quick          # smoke run: the build, then ~1 min of load
    .venv/bin/python bench/load.py --rates 5,10,20 --duration 30 --json var/bench/load.json
    .venv/bin/python bench/load.py --keep           # keep the database for a next run with --reuse

Build: a fresh PostgreSQL database `bench_load` (created next to BENCH_PG_URL, default
postgres://postgres@127.0.0.1:5432/postgres, and dropped at the end), `migrate`,
`compiletranslations`, `collectstatic` into a temporary folder and `seed_demo` (scale 1:
918 guardians, 40 teachers), each as the README's deployment runs it. Redis database 13
(`--redis-db`) is the shared cache; the bench empties it before and after. E-mail goes to
an SMTP sink of the bench's own.

Serve: `gunicorn portal.wsgi:application` (3 sync workers, `--workers`/`--threads`) and
`manage.py task_worker`, with `portal.settings.production` and only the environment
.env.example documents (DEBUG=false, DATABASE_CONN_MAX_AGE=60, TRUSTED_PROXIES=127.0.0.1).
Nothing is switched off: every request carries what nginx adds (`X-Forwarded-Proto: https`,
an `X-Forwarded-For` address per simulated person from 198.18.0.0/15, the range set aside
for benchmarks), so the SSL redirect, secure cookies, CSRF origin checks and the per-address
sign-in limits behave as behind the documented nginx.

Sign-in: before measuring, every simulated person signs in through the real login form
(CSRF token from the page). Teachers need a second factor with DEBUG off: the bench gives
each of them a TOTP authenticator through allauth (`TOTP.activate`, so the secret is
encrypted as in production) and types the code allauth's own `hotp_value` computes.

Load: open loop. Requests arrive as a Poisson stream at the offered rate, each step of the
ramp for `--duration` seconds; an arrival goes to an idle person of its kind (65 % parents,
20 % teachers, 15 % anonymous visitors, `--mix`), who does their next page:
- parent: dashboard, a child's grades, the child's week (their timetable with the lessons'
  topics), the child's attendance; the next round with the next child;
- teacher: the latest lesson of theirs (GET), its attendance and topic saved (POST), the
  grade sheet (GET), three grades saved (POST), term grades (GET), a proposed grade saved
  (POST, which queues a `notify_term_grades` task for the worker). Every POST sends the whole
  form as the browser would and changes data (the values alternate);
- visitor: a catalogue search for a Polish word.
Latency is measured from the moment a request was due, so waiting for a free client thread
or person counts (no coordinated omission); a request not sent within 30 s is an error.
A GET must answer 200, a POST 302; anything else is an error. The ramp stops after a step
that is far past the target (p95 over 5 x 300 ms or more than 1 % errors).

Report: per step and page kind the requests, p50/p95/p99 and errors, and the server's CPU
time per request; the highest offered rate at which the p95 of all requests stayed under
300 ms with no errors (the highest step that passed), and the same with every page kind of
20 or more requests under 300 ms too; then whether the worker ran every task the load
queued (none waiting, running or failed at the end) and whether every save changed data.
The client runs on the same machine and takes CPU from the server: its share is printed.
Logs of the build, gunicorn and the worker: var/bench/load-logs/. The parts live in
bench/loadkit/.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import queue
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

from loadkit.drive import run_step, sign_in_all
from loadkit.people import Parent, Teacher, Visitor, with_addresses
from loadkit.portal import (
    DATABASE,
    KEEP_DIR,
    LOG_DIR,
    ROOT,
    Servers,
    SmtpSink,
    admin_sql,
    after_load,
    build,
    cpu_used,
    database_exists,
    format_after_load,
    machine,
    machine_busy_seconds,
    portal_env,
    preflight,
    prepare,
    redis_flush,
)
from loadkit.report import (
    far_past_target,
    format_step,
    format_summary,
    highest_sustained,
    ms_text,
)

FULL = {"rates": "2,5,10,15,20,30,40", "duration": 60, "warmup": 15}
FULL.update(parents=200, teachers=30, visitors=50)
QUICK = {"rates": "5,10", "duration": 20, "warmup": 5, "parents": 40, "teachers": 8, "visitors": 10}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    option = parser.add_argument
    option("--rates", help=f"offered req/s, one step each ({FULL['rates']})")
    option("--duration", type=float, help=f"seconds per step ({FULL['duration']})")
    option("--warmup", type=float, help=f"unmeasured seconds before ({FULL['warmup']})")
    option("--parents", type=int, help=f"signed-in parents ({FULL['parents']})")
    option("--teachers", type=int, help=f"signed-in teachers ({FULL['teachers']})")
    option("--visitors", type=int, help=f"anonymous catalogue users ({FULL['visitors']})")
    option("--mix", default="65,20,15", help="%% of requests: parents,teachers,visitors")
    option("--workers", type=int, default=3, help="gunicorn workers (3)")
    option("--threads", type=int, default=1, help="threads per gunicorn worker (1)")
    option("--client-threads", type=int, default=64)
    option("--scale", type=int, default=1, help="seed_demo --scale (1)")
    option("--redis-db", type=int, default=13, help="the cache's Redis database (13)")
    option("--seed", type=int, default=20261202, help="random seed")
    option("--json", help="also write the figures to this file")
    option("--quick", action="store_true", help="smoke run: " + str(QUICK))
    option("--keep", action="store_true", help="keep the database for --reuse")
    option("--reuse", action="store_true", help="use the database --keep left")
    args = parser.parse_args(argv)
    for name, value in (QUICK if args.quick else FULL).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.redis_db == 0:
        parser.error("--redis-db 0 is the portal's own; pick another")
    args.rates = [float(r) for r in args.rates.split(",")]
    shares = map(float, args.mix.split(","))
    args.mix = dict(zip(("parent", "teacher", "visitor"), shares, strict=True))
    return args


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _json_safe(value):
    """NaN (no requests) as null, so that the file is valid JSON."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def evening(servers: Servers, people: dict, urls: dict, args, rng, smtp: SmtpSink) -> dict:
    """Sign everyone in, warm up, ramp the offered rate, then check the background work."""
    from django.utils import timezone

    began = time.perf_counter()
    signed = sign_in_all(people["parent"] + people["teacher"], urls)
    print(
        f"signed in {len(people['parent'])} parents and {len(people['teacher'])} teachers "
        f"(with TOTP) in {time.perf_counter() - began:.0f} s: sign-in p50 "
        f"{ms_text(signed['sign-in']['p50_ms'])} ms, p95 {ms_text(signed['sign-in']['p95_ms'])} ms",
        flush=True,
    )
    since, mails_before = timezone.now(), smtp.messages
    pools: dict[str, queue.Queue] = {}
    for role, members in people.items():
        pools[role] = queue.Queue()
        for person in members:
            pools[role].put(person)
    mix = {role: share for role, share in args.mix.items() if people[role] and share > 0}
    run_step(pools, mix, args.rates[0], args.warmup, rng, args.client_threads)
    steps = []
    for rate in args.rates:
        servers.check_alive()
        cpu, busy, client = servers.cpu_seconds(), machine_busy_seconds(), time.process_time()
        began = time.perf_counter()
        steps.append(run_step(pools, mix, rate, args.duration, rng, args.client_threads))
        requests = max(1, steps[-1]["kinds"]["all"]["requests"])
        used = cpu_used(cpu, servers.cpu_seconds())
        steps[-1]["server_cpu_ms"] = {name: s * 1000 / requests for name, s in used.items()}
        # Cores in use during the step, and how many of them by other work than the bench.
        ours = sum(used.values()) + time.process_time() - client
        wall, busy = time.perf_counter() - began, machine_busy_seconds() - busy
        steps[-1]["cores_busy"] = busy / wall
        steps[-1]["cores_others"] = max(0.0, busy - ours) / wall
        print(format_step(steps[-1]), flush=True)
        if far_past_target(steps[-1]):
            print("stopping the ramp: far past the target, higher rates would only queue")
            break
    saves: dict[str, int] = {}
    for teacher in people["teacher"]:
        for kind, count in teacher.saved.items():
            saves[kind] = saves.get(kind, 0) + count
    background = after_load(since, saves, smtp.messages - mails_before)
    servers.check_alive()
    return {
        "sign_in": signed,
        "steps": steps,
        "highest_sustained": highest_sustained(steps),
        "highest_sustained_every_kind": highest_sustained(steps, per_kind=True),
        "background": background,
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    rng = random.Random(args.seed)
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    preflight(args.redis_db)
    if args.reuse and not (database_exists() and KEEP_DIR.exists()):
        raise SystemExit("nothing to reuse: run with --keep first")
    if args.keep or args.reuse:
        KEEP_DIR.mkdir(parents=True, exist_ok=True)
        data_dir = KEEP_DIR
    else:
        data_dir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    smtp = SmtpSink()
    threading.Thread(target=smtp.serve_forever, daemon=True).start()
    os.environ.update(portal_env(data_dir, args.redis_db, smtp.server_address[1]))
    sys.path.insert(0, str(ROOT))
    signal.signal(signal.SIGTERM, _interrupt)
    servers = None
    try:
        redis_flush(args.redis_db)
        if not args.reuse:
            build(args.scale)
        parent_specs, teacher_specs, urls = prepare(args.parents, args.teachers, rng)
        visitor_specs = [{"search": urls["search"]} for _ in range(args.visitors)]
        people = {
            role: [kind(spec, random.Random(rng.random())) for spec in with_addresses(specs, n)]
            for role, kind, specs, n in (
                ("parent", Parent, parent_specs, 0),
                ("teacher", Teacher, teacher_specs, 10_000),
                ("visitor", Visitor, visitor_specs, 20_000),
            )
        }
        servers = Servers(args.workers, args.threads)
        servers.wait_ready()
        info = machine()
        print(
            f"portal up: gunicorn {args.workers} worker(s) x {args.threads} thread(s) and the "
            f"task worker; {info['cpus']} CPUs ({info['cpu']}), {info['ram_gib']} GiB"
        )
        result = evening(servers, people, urls, args, rng, smtp)
        print()
        print(format_summary(result["steps"]))
        print(format_after_load(result["background"]))
        if any(step["kinds"]["all"]["errors"] for step in result["steps"]):
            print(f"errors: see {LOG_DIR}/gunicorn.log for the server's side")
        if args.json:
            settings = {k: v for k, v in vars(args).items() if k != "json"}
            document = _json_safe({"machine": info, "settings": settings, **result})
            Path(args.json).write_text(json.dumps(document, indent=2))
        return 0
    except KeyboardInterrupt:
        print("interrupted: stopping the portal" + ("" if args.keep else ", dropping the database"))
        return 130
    finally:
        if servers is not None:
            servers.stop()
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not args.keep:
            admin_sql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
            shutil.rmtree(data_dir, ignore_errors=True)
        redis_flush(args.redis_db)
        smtp.shutdown()


if __name__ == "__main__":
    sys.exit(main())
