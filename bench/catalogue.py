"""Catalogue benchmark: import speed and search latency on real MARC data.

Fetches pymarc 5.4.0's source distribution the way docs/library.md says
(`pip download --no-deps --no-binary :all: pymarc==5.4.0`), checks the sha256 of
BooksAll.2016.part01.utf8 (250,000 Library of Congress records), then for each
size and database: imports the first N records into a fresh database through
the same Importer as `import_marc` (index included) and reports records/s next
to pymarc's own parse rate on the same records in the same run; then runs a
fixed set of searches and reports median and p95 per query.

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


def pymarc_parse_rate(path: Path, size: int) -> float:
    import pymarc

    start = time.perf_counter()
    with path.open("rb") as fh:
        n = sum(1 for _ in itertools.islice(pymarc.MARCReader(fh, to_unicode=True), size))
    return n / (time.perf_counter() - start)


def child(args) -> None:
    """Runs in a fresh process per (database, size): migrate, import, search."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.base"
    os.environ["TASK_BACKEND"] = "immediate"
    tmp = tempfile.mkdtemp(prefix="bench-library-")
    if args.db == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    elif args.search_only:
        # Re-run the searches on the database the last PostgreSQL run left behind.
        os.environ["DATABASE_URL"] = PG_URL.rsplit("/", 1)[0] + "/bench_library"
    else:
        import psycopg

        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS bench_library")
            conn.execute("CREATE DATABASE bench_library")
        os.environ["DATABASE_URL"] = PG_URL.rsplit("/", 1)[0] + "/bench_library"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from library import marc
    from library.importing import Importer
    from library.search import Query, did_you_mean, search

    path = Path(args.file) if args.file else None
    if args.search_only:
        from collections import Counter
        from types import SimpleNamespace

        from library.models import Record

        parse_rate, elapsed = 0, 1.0
        summary = SimpleNamespace(total=Record.objects.count(), counts=Counter())
    else:
        parse_rate = pymarc_parse_rate(path, args.size)
        start = time.perf_counter()
        with path.open("rb") as fh:
            summary = Importer(keep_outcomes=False, batch_size=1000).run(
                itertools.islice(marc.read_binary(fh), args.size)
            )
        elapsed = time.perf_counter() - start
    if args.db == "postgresql":
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE library_searchdocument")
            cursor.execute("VACUUM ANALYZE library_facetvalue")
    result = {
        "db": args.db,
        "size": args.size,
        "imported": summary.total,
        "counts": dict(summary.counts),
        "import_s": round(elapsed, 1),
        "records_per_s": round(summary.total / elapsed),
        "pymarc_parse_per_s": round(parse_rate),
        "queries": {},
    }
    for name, params in QUERIES.items():
        search_times, facet_times, hits = [], [], 0
        for _ in range(args.repeat):
            t = time.perf_counter()
            results = search(Query(**params))
            hits = results.count()
            results[0:20]
            search_times.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            results.facets()
            facet_times.append((time.perf_counter() - t) * 1000)
        result["queries"][name] = {
            "hits": hits,
            "median_ms": round(statistics.median(search_times), 1),
            "p95_ms": round(sorted(search_times)[int(0.95 * (len(search_times) - 1))], 1),
            "facets_median_ms": round(statistics.median(facet_times), 1),
            "facets_p95_ms": round(sorted(facet_times)[int(0.95 * (len(facet_times) - 1))], 1),
        }
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
                f"{r['records_per_s']} records/s (pymarc parse alone: {r['pymarc_parse_per_s']}/s) "
                f"{r['counts']}"
            )
            header = f"{'query':<24}{'hits':>8}{'median':>10}{'p95':>10}"
            print(header + f"{'facets med':>12}{'facets p95':>12}")
            for name, q in r["queries"].items():
                print(
                    f"{name:<24}{q['hits']:>8}{q['median_ms']:>9.1f}ms{q['p95_ms']:>8.1f}ms"
                    f"{q['facets_median_ms']:>10.1f}ms{q['facets_p95_ms']:>10.1f}ms"
                )
            print(f"did you mean (nothing found): {r['did_you_mean_ms']} ms")


if __name__ == "__main__":
    main()
