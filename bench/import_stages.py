"""Where a MARC import's time goes: the importer's stages and each process's CPU.

Imports the first N records of the bench file (bench/catalogue.py fetches it and
checks its sha256) into a fresh PostgreSQL database through the same Importer as
`import_marc`, with the importer's stages timed (waiting for prepared records,
matching, the COPYs, the vocabulary, the 773 links, the look-up and final ANALYZE,
the summaries computed ahead) and the CPU seconds of the importer's process, its
worker processes and its own database backend (read from /proc; the summaries'
second connection is not counted). Prints one JSON object.

    .venv/bin/python bench/import_stages.py 20000
    BENCH_PG_DB=bench_stages .venv/bin/python bench/import_stages.py 250000

The stages are timed by wrapping the importer's functions, so their sum is less than
the whole: the rest is reading the file and reporting outcomes.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _catalogue_bench():
    # bench/catalogue.py's fetch and PostgreSQL address (bench/ is not on the path:
    # its module names would hide the apps')
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_catalogue", ROOT / "bench/catalogue.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_bench = _catalogue_bench()
PG_URL, fetch = _bench.PG_URL, _bench.fetch

PG_DB = os.environ.get("BENCH_PG_DB", "bench_import_stages")


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    path = fetch()
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}"')
        conn.execute(f'CREATE DATABASE "{PG_DB}"')
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
    os.environ["TASK_BACKEND"] = "immediate"
    os.environ["DATABASE_URL"] = PG_URL.rsplit("/", 1)[0] + "/" + PG_DB
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from library import importing, marc, summaries

    stages: dict[str, float] = {}

    def timed(name, func):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                stages[name] = stages.get(name, 0.0) + time.perf_counter() - start

        return wrapper

    # the look-ups' columns during the import; the filled tables at the end (while the
    # common terms are counted, on PostgreSQL on another connection: it overlaps them)
    importing.analyze_tables = timed("analyze lookups", importing.analyze_tables)
    summaries.analyze_tables = timed("analyze at the end", summaries.analyze_tables)
    summaries_warm = summaries.warm_common_queries
    summaries.warm_common_queries = timed("summaries computed ahead", summaries_warm)
    importing.insert_parts = timed("COPY identifiers, search rows, facets", importing.insert_parts)
    importing.insert_returning_ids = timed("COPY records", importing.insert_returning_ids)
    importing.insert_terms = timed("vocabulary", importing.insert_terms)
    importing.Importer._match = timed("matching", importing.Importer._match)
    importing.Importer._link_hosts = timed("773 links", importing.Importer._link_hosts)
    prepared = importing.prepared

    def waited(*args, **kwargs):
        items = iter(prepared(*args, **kwargs))
        while True:
            start = time.perf_counter()
            try:
                item = next(items)
            except StopIteration:
                return
            finally:
                stages["waiting for prepared records"] = (
                    stages.get("waiting for prepared records", 0.0) + time.perf_counter() - start
                )
            yield item

    importing.prepared = waited

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]

    def server_cpu() -> float:
        fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def own_cpu(who) -> float:
        usage = resource.getrusage(who)
        return usage.ru_utime + usage.ru_stime

    server0, self0 = server_cpu(), own_cpu(resource.RUSAGE_SELF)
    load = os.getloadavg()[0]
    start = time.perf_counter()
    with path.open("rb") as fh:
        summary = importing.Importer(keep_outcomes=False, batch_size=1000).run(
            marc.read_binary(fh, limit=size)
        )
    wall = time.perf_counter() - start
    print(
        json.dumps(
            {
                "records": summary.total,
                "counts": dict(summary.counts),
                "wall_s": round(wall, 2),
                "records_per_s": round(summary.total / wall),
                "cpu_s": {
                    "importer": round(own_cpu(resource.RUSAGE_SELF) - self0, 2),
                    "workers": round(own_cpu(resource.RUSAGE_CHILDREN), 2),
                    "database backend": round(server_cpu() - server0, 2),
                },
                "stages_s": {k: round(v, 2) for k, v in stages.items()},
                "load": [round(load, 2), round(os.getloadavg()[0], 2)],
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
