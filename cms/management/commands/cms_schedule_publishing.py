"""Start the self-repeating scheduled-publishing task in the task worker
(once; running it again while a run is waiting does nothing)."""

from django.core.management.base import BaseCommand

from cms.tasks import schedule_publishing


class Command(BaseCommand):
    help = "Enqueue the repeating publish_scheduled task unless one is already waiting."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=5, help="Minutes between runs.")

    def handle(self, *args, every, **options):
        if schedule_publishing(repeat_minutes=every, only_if_idle=True):
            self.stdout.write(f"Scheduled publishing runs every {every} min in the task worker.")
        else:
            self.stdout.write(
                "Nothing enqueued: a run is already waiting, or the task backend cannot "
                "defer tasks (use cron with `manage.py publish_scheduled`)."
            )
