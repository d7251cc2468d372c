"""Per-recipient e-mail delivery for reminder and notification runs.

A run sends each message through `mail_send` on the app's own record (a model
with the `MailDelivery` fields). One failing address is logged and recorded on
its row and never stops the run; a later run calls `mail_claim_retry` on the
rows `mail_retryable` returns and sends them again. A row is claimed before the
message leaves, so two runs never send the same message twice."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import models
from django.db.models import F
from django.utils import timezone

from .models import MailDelivery

logger = logging.getLogger("portal.mail")
Status = MailDelivery.MailStatus


def max_attempts() -> int:
    return getattr(settings, "MAIL_DELIVERY_MAX_ATTEMPTS", 5)


def mail_retryable(queryset: models.QuerySet) -> models.QuerySet:
    """The rows of `queryset` whose e-mail failed and may be tried again."""
    return queryset.filter(mail_status=Status.FAILED, mail_attempts__lt=max_attempts())


def mail_claim_retry(row: models.Model) -> bool:
    """Take a failed row for one more attempt; False when another run took it
    (or sent it) first."""
    claimed = type(row)._default_manager.filter(
        pk=row.pk, mail_status=Status.FAILED, mail_attempts__lt=max_attempts()
    )
    if not claimed.update(mail_status=Status.SENDING):
        return False
    row.mail_status = Status.SENDING
    return True


def mail_send(row: models.Model, *, subject: str, body: str, to: str) -> bool:
    """Send one claimed message (`row.mail_status` is `sending`) and record the
    outcome on the row. Never raises for a failed delivery: the error is logged
    and kept on the row (exception class and message) for the next run."""
    manager = type(row)._default_manager
    try:
        send_mail(subject, body, None, [to], fail_silently=False)
    except Exception as exc:  # an SMTP refusal, a timeout, a bad address...
        error = f"{type(exc).__name__}: {exc}"[:500]
        logger.warning(
            "E-mail %s #%s to recipient %s failed: %s",
            row._meta.label,
            row.pk,
            getattr(row, "recipient_id", "?"),
            error,
        )
        manager.filter(pk=row.pk).update(
            mail_status=Status.FAILED, mail_attempts=F("mail_attempts") + 1, mail_error=error
        )
        row.mail_status, row.mail_error = Status.FAILED, error
        return False
    manager.filter(pk=row.pk).update(
        mail_status=Status.SENT, mail_attempts=F("mail_attempts") + 1, mail_error=""
    )
    row.mail_status, row.mail_error = Status.SENT, ""
    return True


def mail_schedule_retry(task, *args, minutes: int = 15) -> bool:
    """Enqueue `task(*args)` (a retry run) to start in `minutes`, when the task
    backend can defer (the database backend); otherwise the next regular run
    retries."""
    if not task.get_backend().supports_defer:
        return False
    task.using(run_after=timezone.now() + datetime.timedelta(minutes=minutes)).enqueue(*args)
    return True
