"""Time the public portal's hot pages against the demo municipality.

    .venv/bin/python bench/cms_pages.py                 # a throw-away SQLite database
    .venv/bin/python bench/cms_pages.py --dev-database  # the database of `make run`

By default it builds its own database first (migrate, `seed_demo`, which also runs the
search-index tasks it queues), so it runs on a fresh checkout; `--dev-database` times
the already seeded `var/portal.sqlite3` (or `DATABASE_URL`). Prints the median and
worst of 20 requests, and the number of queries, for each page."""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
URLS = [
    "/",
    "/aktualnosci/",
    "/aktualnosci/?tag=konkursy",
    "/wydarzenia/",
    "/sp1/",
    "/szukaj/?q=konkurs",
    "/aktualnosci/rss.xml",
]


def setup(dev_database: bool) -> str | None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    os.environ.setdefault("SECRET_KEY", "bench")
    tmp = None
    if not dev_database:
        tmp = tempfile.mkdtemp(prefix="bench-cms-")
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        os.environ["MEDIA_ROOT"] = f"{tmp}/media"
    import django

    django.setup()
    if tmp is not None:
        from django.core.management import call_command

        print("Building a throw-away database: migrate, seed_demo (a few minutes)...")
        call_command("migrate", verbosity=0)
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return tmp


def measure() -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cms.models import HomePage
    from cms.selectors import site_search

    if HomePage._meta.db_table not in connection.introspection.table_names():
        print("The database is not migrated: run `make run` (or drop --dev-database).")
        return 1
    if not HomePage.objects.exists():
        print("No portal home page: run `manage.py seed_demo` first (or drop --dev-database).")
        return 1
    found = site_search("konkurs").count()
    print(f"site search for 'konkurs': {found} page(s)" + ("" if found else " (index empty?)"))
    client = Client(HTTP_HOST="localhost")
    for url in URLS:
        client.get(url)  # warm renditions and caches
        timings = []
        for _ in range(20):
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        print(
            f"{url:32} {response.status_code} median {statistics.median(timings):6.1f} ms"
            f"  worst {max(timings):6.1f} ms  queries {len(queries)}"
        )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dev-database",
        action="store_true",
        help="time the seeded database of `make run` instead of building a throw-away one",
    )
    args = parser.parse_args()
    tmp = setup(args.dev_database)
    try:
        return measure()
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
