"""Background work of the notification centre (django_tasks; immediate backend
in tests). Every task is idempotent."""

from __future__ import annotations

from django_tasks import task

from django.conf import settings
from django.utils.translation import override

from portal.background.mail import mail_schedule_retry


@task()
def produce(event: str, ids: list[int], extra: dict | None = None) -> dict:
    """Make the notifications of one event (see `producers`); `notify` queues
    their delivery once they are committed."""
    from .producers import build
    from .services import notify

    touched: list[int] = []
    with override(settings.LANGUAGE_CODE):
        for item in build(event, ids, extra):
            touched += notify(**item)
    # `notify` queues their delivery when this task's work commits
    return {"notifications": len(touched)}


@task()
def deliver(ids: list[int]) -> dict:
    """E-mail and push these notifications by their recipients' preferences."""
    from .delivery import deliver as run

    result = run(ids)
    if result["mail_failed"]:
        mail_schedule_retry(flush)
    return result


@task()
def flush() -> dict:
    """The periodic run (`manage.py notifications_run`, every few minutes from
    cron): what quiet hours held, failed e-mails again, the daily digests."""
    from .delivery import flush as run

    return run()
