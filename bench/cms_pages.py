"""Time the public portal's hot pages against the demo municipality.

    .venv/bin/python bench/cms_pages.py                 # a throw-away SQLite database
    .venv/bin/python bench/cms_pages.py --dev-database  # the database of `make run`

By default it builds its own database first (migrate, `seed_demo`, which also runs the
search-index tasks it queues), so it runs on a fresh checkout; `--dev-database` times
the already seeded `var/portal.sqlite3` (or `DATABASE_URL`). Prints the median, p95 and
worst of 50 warm requests, and the number of database queries of a warm request, for
each page, then the conditional GETs of the feeds and the sitemap (304), with the load
average. The home, the school page and the news indexes are served from the cache of
cms/pagecache.py: with the database cache (no REDIS_URL) each cache read is a query
too, so time them with REDIS_URL set to see what production sees."""

import argparse
import os
import platform
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
    "/sitemap.xml",
]
CONDITIONAL = ["/aktualnosci/rss.xml", "/aktualnosci/atom.xml", "/sitemap.xml"]
RUNS = 50


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
    from django.conf import settings

    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    print(f"{connection.vendor}, cache {backend}, load average {load_average()}")
    for url in URLS:
        client.get(url)  # warm renditions and caches
        client.get(url)
        timings = []
        for _ in range(RUNS):
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        report(url, response.status_code, timings, len(queries))
    for url in CONDITIONAL:
        etag = client.get(url).get("ETag")
        if etag is None:
            print(f"{url + ' (304)':32} no ETag")
            continue
        timings = []
        for _ in range(RUNS):
            start = time.perf_counter()
            response = client.get(url, headers={"if-none-match": etag})
            timings.append((time.perf_counter() - start) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(url, headers={"if-none-match": etag})
        report(url + " (304)", response.status_code, timings, len(queries))
    print(f"load average after: {load_average()}")
    return 0


def load_average() -> str:
    if platform.system() != "Linux":
        return "n/a"
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def report(label: str, status: int, timings: list[float], queries: int) -> None:
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"{label:38} {status} median {statistics.median(timings):6.1f} ms"
        f"  p95 {p95:6.1f} ms  worst {timings[-1]:6.1f} ms  queries {queries}"
    )


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
