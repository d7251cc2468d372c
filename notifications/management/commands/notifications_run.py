"""Run every few minutes from cron: `manage.py notifications_run` (queues the task)."""

from django.core.management.base import BaseCommand

from notifications.tasks import flush


class Command(BaseCommand):
    help = (
        "Queue the notification run: e-mails and pushes held by quiet hours, "
        "failed e-mails again, the daily digests."
    )

    def handle(self, *args, **options):
        result = flush.enqueue()
        self.stdout.write(f"notifications_run: {result.status}")
