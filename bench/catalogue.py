"""Catalogue benchmark: import speed and search latency on real MARC data.

Fetches pymarc 5.4.0's source distribution the way docs/library.md says
(`pip download --no-deps --no-binary :all: pymarc==5.4.0`), checks the sha256 of
BooksAll.2016.part01.utf8 (250,000 Library of Congress records), then for each
size and database: imports the first N records into a fresh database through
the same Importer as `import_marc` (index included) and reports records/s next
to pymarc's own parse rate on the same records in the same run; then, straight
after the import (whose own ANALYZE is all the tables get), runs a fixed set of
searches and reports median and p95 per query: the search (count and first
page), its facets, the two together, and the whole results page as a reader
gets it (a test Client GET of the catalogue search: search, facets, rendering).
The load average is printed beside the figures: the machine may be shared.

    .venv/bin/python bench/catalogue.py                       # 20k and 250k, SQLite + PostgreSQL
    .venv/bin/python bench/catalogue.py --sizes 20000 --databases sqlite
    BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres  # where to create bench_library
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("BENCH_CACHE", ROOT / "var" / "bench"))
SHA256 = "dfdcdad30e0e0a82b0aec831c1a08b61c6199eb8ee0d71ff7953213f20eb0e47"
MEMBER = "pymarc-5.4.0/BooksAll.2016.part01.utf8"
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
# The database the PostgreSQL runs create (and drop): name it apart when several
# people bench on one server.
PG_DB = os.environ.get("BENCH_PG_DB", "bench_library")

QUERIES = {
    "one word": {"q": "history"},
    "phrase": {"q": '"united states"'},
    "polish inflected": {"q": "historii polski"},
    "polish unaccented": {"q": "wojna swiatowa"},
    "polish accented": {"q": "wojny światowej"},
    "author": {"author": "mickiewicz"},
    "subject": {"subject": "world war"},
    "isbn": {"q": "0-8039-6835-3"},
    "two words": {"q": "american literature"},
    "year range + language": {"q": "war", "year_from": 1990, "year_to": 2000, "language": "eng"},
}


def fetch() -> Path:
    target = CACHE / "BooksAll.2016.part01.utf8"
    if not target.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--no-binary",
                ":all:",
                "pymarc==5.4.0",
                "-d",
                str(CACHE),
            ],
            check=True,
        )
        with tarfile.open(CACHE / "pymarc-5.4.0.tar.gz") as tar:
            source = tar.extractfile(MEMBER)
            with target.open("wb") as out:
                while chunk := source.read(1 << 20):
                    out.write(chunk)
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    if digest != SHA256:
        sys.exit(f"sha256 mismatch for {target}: {digest}")
    return target


class Stopwatch:
    """Wall-clock seconds of a block without the time the process was stopped:
    on a shared machine another user's measurement may SIGSTOP this one (and its
    workers and database sessions) for a while. A thread ticking every 50 ms
    sees such a pause as one long gap; gaps over a second are not counted, and
    `paused` says how much was taken out."""

    TICK, GAP = 0.05, 1.0

    def __enter__(self):
        import threading

        self.paused, self._done = 0.0, threading.Event()
        self._start = time.perf_counter()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self):
        last = time.perf_counter()
        while not self._done.wait(self.TICK):
            now = time.perf_counter()
            if now - last > self.GAP:
                self.paused += now - last - self.TICK
            last = now

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self._start
        self._done.set()
        self._thread.join()
        self.elapsed = self.wall - self.paused


def pymarc_parse_rate(path: Path, size: int) -> float:
    import pymarc

    with Stopwatch() as watch, path.open("rb") as fh:
        n = sum(1 for _ in itertools.islice(pymarc.MARCReader(fh, to_unicode=True), size))
    return n / watch.elapsed


def percentile(times: list[float], fraction: float) -> float:
    return sorted(times)[int(fraction * (len(times) - 1))]


def child(args) -> None:
    """Runs in a fresh process per (database, size): migrate, import, search."""
    # The test settings: the same database and search, and pages served without
    # collected static files or a cache table (the results page is timed too).
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
    os.environ["TASK_BACKEND"] = "immediate"
    tmp = tempfile.mkdtemp(prefix="bench-library-")
    if args.db == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    elif args.search_only:
        # Re-run the searches on the database the last PostgreSQL run left behind.
        os.environ["DATABASE_URL"] = PG_URL.rsplit("/", 1)[0] + "/" + PG_DB
    else:
        import psycopg

        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}"')
            conn.execute(f'CREATE DATABASE "{PG_DB}"')
        os.environ["DATABASE_URL"] = PG_URL.rsplit("/", 1)[0] + "/" + PG_DB
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.test import Client
    from django.urls import reverse

    from library import marc
    from library.importing import Importer
    from library.search import Query, did_you_mean, search

    path = Path(args.file) if args.file else None
    if args.search_only:
        from collections import Counter
        from types import SimpleNamespace

        from library.models import Record

        parse_rate, elapsed, paused, load_start = 0, 1.0, 0.0, []
        summary = SimpleNamespace(total=Record.objects.count(), counts=Counter())
    else:
        parse_rate = pymarc_parse_rate(path, args.size)
        load_start = [round(x, 2) for x in os.getloadavg()]
        with Stopwatch() as watch, path.open("rb") as fh:
            summary = Importer(keep_outcomes=False, batch_size=1000, workers=args.workers).run(
                marc.read_binary(fh, limit=args.size)
            )
        elapsed, paused = watch.elapsed, watch.paused
    result = {
        "db": args.db,
        "size": args.size,
        "imported": summary.total,
        "counts": dict(summary.counts),
        "import_s": round(elapsed, 1),
        "paused_s": round(paused, 1),
        "records_per_s": round(summary.total / elapsed),
        "pymarc_parse_per_s": round(parse_rate),
        "ratio": round(summary.total / elapsed / parse_rate, 3) if parse_rate else None,
        "workers": settings.LIBRARY_IMPORT_WORKERS if args.workers is None else args.workers,
        "load_import_start": load_start,
        "queries": {},
        "load_before": [round(x, 2) for x in os.getloadavg()],
    }
    if args.import_only:
        result["load_after"] = [round(x, 2) for x in os.getloadavg()]
        print("RESULT " + json.dumps(result))
        return
    client, url = Client(), reverse("library:search")
    client.get(url, {"q": "warm up"})
    from django.core.cache import cache

    for name, params in QUERIES.items():
        search_times, facet_times, page_times, cached_times, hits = [], [], [], [], 0
        for _ in range(args.repeat):
            # cold: counts and facets are cached per query and catalogue version
            cache.clear()
            t = time.perf_counter()
            results = search(Query(**params))
            results.facets()  # the count comes from the same statement
            hits = results.count()
            facet_times.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            results[0:20]
            search_times.append((time.perf_counter() - t) * 1000)
            cache.clear()
            t = time.perf_counter()
            response = client.get(url, params)
            page_times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, response.status_code
            t = time.perf_counter()  # the same list again (paging back, returning to it)
            client.get(url, params)
            cached_times.append((time.perf_counter() - t) * 1000)
        both = [a + b for a, b in zip(search_times, facet_times, strict=True)]
        result["queries"][name] = {"hits": hits}
        for key, times in (
            ("", search_times),
            ("facets_", facet_times),
            ("both_", both),
            ("page_", page_times),
            ("page_cached_", cached_times),
        ):
            result["queries"][name][f"{key}median_ms"] = round(statistics.median(times), 1)
            result["queries"][name][f"{key}p95_ms"] = round(percentile(times, 0.95), 1)
    result["load_after"] = [round(x, 2) for x in os.getloadavg()]
    t = time.perf_counter()
    did_you_mean("histroy of polnd")
    result["did_you_mean_ms"] = round((time.perf_counter() - t) * 1000, 1)
    print("RESULT " + json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="20000,250000")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--db")
    parser.add_argument("--size", type=int)
    parser.add_argument("--file")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="the importer's worker processes (default: LIBRARY_IMPORT_WORKERS)",
    )
    parser.add_argument(
        "--import-only", action="store_true", help="the import's figures only, no searches"
    )
    parser.add_argument(
        "--search-only",
        action="store_true",
        help="with --child --db postgresql: only the searches, on the existing bench_library",
    )
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    path = fetch()
    print(f"data: {path} (sha256 ok)")
    for size in [int(s) for s in args.sizes.split(",")]:
        for db in args.databases.split(","):
            proc = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    "--db",
                    db,
                    "--size",
                    str(size),
                    "--file",
                    str(path),
                    "--repeat",
                    str(args.repeat),
                    *(["--workers", str(args.workers)] if args.workers is not None else []),
                    *(["--import-only"] if args.import_only else []),
                ],
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
            if line is None:
                print(proc.stdout[-2000:], proc.stderr[-4000:])
                sys.exit(f"benchmark failed for {db} at {size}")
            r = json.loads(line[7:])
            print(
                f"\n== {db}, {size} records: imported {r['imported']} in {r['import_s']} s = "
                f"{r['records_per_s']} records/s (stopped {r['paused_s']} s, not counted; "
                f"pymarc parse alone: {r['pymarc_parse_per_s']}/s, "
                f"ratio {r['ratio']}, workers {r['workers']}) {r['counts']}"
            )
            print(
                f"load average at the import's start {r['load_import_start']}, at its end "
                f"{r['load_before']}, after the searches {r['load_after']}"
            )
            if args.import_only:
                continue
            columns = (("search", ""), ("facets", "facets_"), ("both", "both_"), ("page", "page_"))
            print(
                f"{'query':<24}{'hits':>8}"
                + "".join(f"{label + ' p50':>13}{label + ' p95':>13}" for label, _k in columns)
            )
            for name, q in r["queries"].items():
                print(
                    f"{name:<24}{q['hits']:>8}"
                    + "".join(
                        f"{q[key + 'median_ms']:>11.1f}ms{q[key + 'p95_ms']:>11.1f}ms"
                        for _label, key in columns
                    )
                )
            print(f"did you mean (nothing found): {r['did_you_mean_ms']} ms")


if __name__ == "__main__":
    main()
