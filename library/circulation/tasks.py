"""Background work of circulation (django_tasks); idempotent."""

import datetime

from django_tasks import task

from portal.background.mail import mail_schedule_retry


@task()
def circulation_daily(day: str) -> dict:
    """Expire uncollected holds, then send the day's reminders (each at most
    once). Reminders whose e-mail failed are sent again by a retry run queued for
    later (database backend) and by the next day's run."""
    from .services import holds_expire

    today = datetime.date.fromisoformat(day)
    expired = holds_expire(today=today)
    return {"expired": expired, **_send(day)}


@task()
def retry_reminders(day: str) -> dict:
    """Send again the reminders of `day` (and earlier) whose e-mail failed."""
    return _send(day)


@task()
def remind_overdue(loan_ids: list[int], day: str) -> dict:
    """The overdue reminders a librarian queued at the desk for these loans."""
    from .reminders import overdue_reminders_send

    sent, failed = overdue_reminders_send(loan_ids, datetime.date.fromisoformat(day))
    return {"sent": sent, "failed": failed}


def _send(day: str) -> dict:
    from .reminders import reminders_run

    sent, failed = reminders_run(datetime.date.fromisoformat(day))
    if failed:
        # Each attempt counts on its row: after MAIL_DELIVERY_MAX_ATTEMPTS it stops.
        mail_schedule_retry(retry_reminders, day)
    return {"sent": sent, "failed": failed}
