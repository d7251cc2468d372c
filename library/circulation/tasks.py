"""Background work of circulation (django_tasks); idempotent."""

import datetime

from django_tasks import task


@task()
def circulation_daily(day: str) -> dict:
    """Expire uncollected holds, then send the day's reminders (each at most once)."""
    from .reminders import send_reminders
    from .services import holds_expire

    today = datetime.date.fromisoformat(day)
    return {"expired": holds_expire(today=today), "sent": send_reminders(today)}
