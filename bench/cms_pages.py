"""Time the public portal's hot pages against the seeded demo database.

Run after `manage.py seed_demo`: `.venv/bin/python bench/cms_pages.py`. Prints the median
and worst of 20 requests, and the number of queries, for each page."""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
os.environ.setdefault("SECRET_KEY", "bench")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from cms.models import HomePage  # noqa: E402

URLS = [
    "/",
    "/aktualnosci/",
    "/aktualnosci/?tag=konkursy",
    "/wydarzenia/",
    "/sp1/",
    "/szukaj/?q=konkurs",
    "/aktualnosci/rss.xml",
]


def main() -> None:
    if not HomePage.objects.exists():
        print("No portal home page: run `manage.py seed_demo` first.")
        return
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


if __name__ == "__main__":
    main()
