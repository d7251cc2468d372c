"""Messages: threads with a subject, messages (replies), who received each
message (one delivery row per recipient, with its read receipt), each person's
place in a thread (archived or not), attachments, reports and the per-school
settings."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.files import private_storage
from portal.models import School


class MessagingSettings(models.Model):
    """What a school decides about its messages (edited by its school admin)."""

    school = models.OneToOneField(
        School,
        on_delete=models.CASCADE,
        related_name="messaging_settings",
        verbose_name=_("school"),
    )
    pupils_may_write = models.BooleanField(
        _("pupils may write to their teachers"),
        default=True,
        help_text=_("When off, pupils can only read and answer messages from staff."),
    )
    retention_days = models.PositiveIntegerField(
        _("keep messages for (days)"),
        default=730,
        validators=[MinValueValidator(30), MaxValueValidator(3650)],
        help_text=_(
            "Threads with no new message for this long are deleted by the nightly job; "
            "threads with an unhandled report are kept until it is handled."
        ),
    )
    family_hourly_limit = models.PositiveSmallIntegerField(
        _("messages a parent or pupil may send per hour"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(200)],
    )

    class Meta:
        verbose_name = _("message settings")
        verbose_name_plural = _("message settings")

    def __str__(self) -> str:
        return str(self.school)


DEFAULT_SETTINGS = MessagingSettings(
    pupils_may_write=True, retention_days=730, family_hourly_limit=10
)


class Thread(models.Model):
    """A conversation with a subject. `school` is where it takes place (for the
    school admin's reports, the retention setting and the rate limit); a thread
    about a pupil ("to the guardians of Zosia") names the pupil."""

    subject = models.CharField(_("subject"), max_length=200)
    school = models.ForeignKey(
        School,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="message_threads",
        verbose_name=_("school"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    about_pupil = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("about the pupil"),
    )
    audience = models.CharField(_("sent to"), max_length=200, blank=True)
    reply_all = models.BooleanField(
        _("replies go to everyone in the thread"),
        default=False,
        help_text=_("Otherwise a reply goes to the sender only."),
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    last_message_at = models.DateTimeField(_("last message"), db_index=True)

    class Meta:
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        ordering = ["-last_message_at"]

    def __str__(self) -> str:
        return self.subject


class Participant(models.Model):
    """A person's place in a thread: the thread is in their inbox (or archive)."""

    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, related_name="participants", verbose_name=_("thread")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="message_participations",
        verbose_name=_("person"),
    )
    archived = models.BooleanField(_("archived"), default=False)
    has_sent = models.BooleanField(_("has written in the thread"), default=False)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["thread", "user"], name="messaging_participant_unique")
        ]
        indexes = [models.Index(fields=["user", "archived"], name="messaging_part_user_arch")]

    def __str__(self) -> str:
        return f"{self.user} – {self.thread}"


class Message(models.Model):
    """One message of a thread. `recipient_ids` are the people it went to,
    resolved when it was sent and kept; the delivery rows are made from them
    in the background. Retracting removes the text and attachments."""

    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, related_name="messages", verbose_name=_("thread")
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("sender"),
    )
    body = models.TextField(_("message"), max_length=10000)
    recipient_ids = models.JSONField(_("recipients"), default=list)
    search_text = models.TextField(_("search text"), blank=True, editable=False)
    recipient_count = models.PositiveIntegerField(_("number of recipients"), default=0)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    retracted_at = models.DateTimeField(_("retracted"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["sender", "created_at"], name="messaging_msg_sender")]

    def __str__(self) -> str:
        return f"{self.thread} #{self.pk}"

    @property
    def is_retracted(self) -> bool:
        return self.retracted_at is not None


class Delivery(models.Model):
    """A message received by one person; `read_at` is the read receipt the
    sender sees. `thread` repeats the message's thread for the inbox queries."""

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("message")
    )
    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, related_name="+", verbose_name=_("thread")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="message_deliveries",
        verbose_name=_("recipient"),
    )
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["message", "recipient"], name="messaging_delivery_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["recipient", "thread"],
                condition=Q(read_at__isnull=True),
                name="messaging_unread",
            ),
            models.Index(fields=["thread", "recipient"], name="messaging_deliv_thread"),
        ]

    def __str__(self) -> str:
        return f"{self.message} → {self.recipient}"


def attachment_upload_to(instance, filename: str) -> str:
    """The server chooses the stored name; only the checked extension is kept."""
    suffix = PurePath(filename).suffix.lower()
    return f"messaging/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("message")
    )
    file = models.FileField(_("file"), upload_to=attachment_upload_to, storage=private_storage)
    name = models.CharField(_("original file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"), default=0)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Report(models.Model):
    """A recipient tells the school admin about a message (abuse, threats)."""

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="reports", verbose_name=_("message")
    )
    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, related_name="reports", verbose_name=_("thread")
    )
    school = models.ForeignKey(
        School,
        on_delete=models.CASCADE,
        null=True,
        related_name="message_reports",
        verbose_name=_("school"),
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    reason = models.TextField(_("reason"), max_length=2000)
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    note = models.TextField(_("what was done"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "reporter"],
                name="messaging_report_once",
                violation_error_message=_("You have already reported this message."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.thread} ({self.created_at:%Y-%m-%d})"
