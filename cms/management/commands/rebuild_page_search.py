"""Rebuild the site search's index of pages (after changing the analysis, or to
mend an index that missed changes)."""

from django.core.management.base import BaseCommand

from cms.search_index import page_index_rebuild


class Command(BaseCommand):
    help = "Index every live page of the portal again for the site search."

    def handle(self, *args, **options):
        count = page_index_rebuild()
        self.stdout.write(f"{count} pages indexed.")
