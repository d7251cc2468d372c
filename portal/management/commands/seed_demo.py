from django.core.management.base import BaseCommand

from portal.background.services import tasks_run_waiting
from portal.demo import DEMO_ACCOUNTS, Seeder


class Command(BaseCommand):
    help = "Create (or complete) the deterministic demo municipality. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=int, default=1, help="Multiply the classes per level (for benchmarks)."
        )
        parser.add_argument(
            "--password", default="demo", help="Password of every demo account (default: demo)."
        )

    def handle(self, *args, scale, password, **options):
        def log(message):
            self.stdout.write(message)

        context = Seeder(scale=scale, password=password, log=log).run()
        # Saving pages queued their search-index and reference-index updates: run
        # them now, so the demo's site search works before any worker starts and
        # no task is left waiting.
        ran, failed = tasks_run_waiting()
        if ran:
            log(f"background tasks run: {ran} (failed: {failed})")
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in at /konto/login/ with:"))
        others = sorted(set(context.accounts) - set(DEMO_ACCOUNTS))
        for username in [*DEMO_ACCOUNTS, *others]:
            self.stdout.write(f"  {username:<18} password: {password}")
