"""python manage.py reindex_catalogue [--batch 1000]"""

import time

from django.core.management.base import BaseCommand

from library.indexing import rebuild_search_index


class Command(BaseCommand):
    help = (
        "Rebuild the catalogue's search index from the stored records "
        "(after a change of the search analysis)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=1000)

    def handle(self, *args, batch, **opts):
        started = time.monotonic()
        count = rebuild_search_index(batch_size=max(batch, 1))
        elapsed = time.monotonic() - started
        self.stdout.write(f"Reindexed {count} records in {elapsed:.1f} s.")
