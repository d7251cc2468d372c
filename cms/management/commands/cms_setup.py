"""Prepare the public portal on a fresh installation: the home page as site
root, the editorial groups with their page permissions and moderation
workflows, and the editors' group membership from their portal roles.
Idempotent; seed_demo runs the same steps."""

from django.core.management.base import BaseCommand

from cms.services import editor_groups_sync_all, home_page_ensure, sections_ensure


class Command(BaseCommand):
    help = "Create the portal home page, editorial groups and workflows; sync editors."

    def add_arguments(self, parser):
        parser.add_argument("--title", default="Portal Oświatowy")

    def handle(self, *args, title, **options):
        home = home_page_ensure(title=title)
        sections_ensure()
        synced = editor_groups_sync_all()
        self.stdout.write(f"Home page: {home.url_path} · editors synced: {synced}")
