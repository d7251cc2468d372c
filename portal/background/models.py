from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """One task worker process (`manage.py task_worker`): when it started and
    when it was last seen. The worker writes `last_seen` every few seconds from a
    thread of its own, so a long task does not make it look dead."""

    worker_id = models.CharField(_("worker"), max_length=64, unique=True)
    hostname = models.CharField(_("host"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("process"), null=True, blank=True)
    queues = models.CharField(_("queues"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("started"))
    last_seen = models.DateTimeField(_("last seen"), db_index=True)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)

    class Meta:
        verbose_name = _("task worker")
        verbose_name_plural = _("task workers")
        ordering = ["-last_seen"]

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid} ({self.worker_id})"


class MailDelivery(models.Model):
    """Delivery state of one e-mail to one recipient, kept on the app's own
    record of what it sent (a library reminder, a grade notification), so a run
    never sends twice and a failed address is tried again by a later run.

    A row is claimed (`sending`) before the message leaves and marked `sent` or
    `failed` after; a run that dies while sending leaves it `sending`, which is
    not retried (it may have left: at most once, never twice)."""

    class MailStatus(models.TextChoices):
        NONE = "", _("no e-mail")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    mail_status = models.CharField(
        _("e-mail"), max_length=10, choices=MailStatus.choices, default="", blank=True
    )
    mail_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)
    mail_error = models.CharField(_("e-mail error"), max_length=500, blank=True)

    class Meta:
        abstract = True


class PeriodicRun(models.Model):
    """When the task worker last queued one periodic job (`portal.registry.PeriodicJob`).
    The row is claimed with a conditional update, so two workers never queue the same
    run twice."""

    key = models.CharField(_("job"), max_length=64, unique=True)
    last_queued_at = models.DateTimeField(_("last queued"), null=True, blank=True)
    last_task_id = models.CharField(_("last task"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("periodic job")
        verbose_name_plural = _("periodic jobs")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key
