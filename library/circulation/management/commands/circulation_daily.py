"""Run daily from cron: `manage.py circulation_daily` (queues the task)."""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from library.circulation.tasks import circulation_daily


class Command(BaseCommand):
    help = "Queue the daily circulation job: expire holds, send reminders."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Pretend today is this day (YYYY-MM-DD).")

    def handle(self, *args, **options):
        day = options["date"] or timezone.localdate().isoformat()
        datetime.date.fromisoformat(day)
        result = circulation_daily.enqueue(day)
        self.stdout.write(f"circulation_daily {day}: {result.status}")
