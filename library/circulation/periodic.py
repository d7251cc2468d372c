"""The daily circulation job as the task worker queues it (see PeriodicJob)."""

from django.utils import timezone

from .tasks import circulation_daily


def queue_circulation_daily():
    return circulation_daily.enqueue(timezone.localdate().isoformat())
