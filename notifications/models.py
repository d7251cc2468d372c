"""One notification per event and recipient, and what became of its e-mail and push."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.background.models import MailDelivery


class Kind(models.TextChoices):
    """What a notification is about; preferences are kept per kind and channel."""

    GRADE = "grade", _("new grade")
    TERM_GRADE = "term_grade", _("proposed or term grade")
    ATTENDANCE = "attendance", _("absence or lateness")
    REMARK = "remark", _("remark")
    EXCUSE = "excuse", _("excuse decided")
    HOMEWORK = "homework", _("homework added")
    TEST = "test", _("test announced")
    ANNOUNCEMENT = "announcement", _("announcement")
    MESSAGE = "message", _("message")
    INTRANET = "intranet", _("education office: circular or request")
    LIBRARY = "library", _("library")
    ESERVICE = "eservice", _("e-service case")


class Notification(MailDelivery):
    """An item in the recipient's notification centre.

    `key` makes delivery idempotent: one row per event and recipient, whatever
    retries a task makes. Items sharing an unread `group_key` are one item whose
    `count` grows (a teacher entering a whole column: "5 new grades")."""

    class PushStatus(models.TextChoices):
        NONE = "", _("no push")
        WAITING = "waiting", _("waiting (quiet hours)")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    pupil = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pupil"),
        help_text=_("The child the notification is about, if any."),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.CharField(_("text"), max_length=500, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    key = models.CharField(_("event key"), max_length=200)
    group_key = models.CharField(_("group key"), max_length=200, blank=True)
    count = models.PositiveIntegerField(_("number of events"), default=1)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    push_status = models.CharField(
        _("push"), max_length=10, choices=PushStatus.choices, default="", blank=True
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"],
                name="notifications_one_per_event",
                violation_error_message=_("This notification has already been made."),
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-updated_at"], name="notif_recipient_recent"),
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notif_recipient_unread",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class GroupedEvent(models.Model):
    """An event folded into an earlier item of its group, kept so that a retried
    task does not count it twice."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=200)
    item = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="folded")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notifications_folded_once")
        ]

    def __str__(self) -> str:
        return self.key
