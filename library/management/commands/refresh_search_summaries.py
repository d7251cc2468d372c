"""python manage.py refresh_search_summaries"""

import time

from django.core.management.base import BaseCommand

from library.summaries import refresh_stale_summaries


class Command(BaseCommand):
    help = (
        "Compute again the catalogue's common searches stored ahead that a loan, a new "
        "copy or an edited record has made stale (the task worker does it every "
        "LIBRARY_SUMMARIES_REFRESH seconds; for cron with TASK_WORKER_PERIODIC=0)."
    )

    def handle(self, *args, **opts):
        started = time.monotonic()
        count = refresh_stale_summaries()
        elapsed = time.monotonic() - started
        self.stdout.write(f"Stored {count} searches again in {elapsed:.1f} s.")
