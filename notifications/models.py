"""One notification per event and recipient, and what became of its e-mail and push."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.background.models import MailDelivery
from portal.models import School


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


# The library sends its reminders by e-mail itself (by the reader's library
# settings); the notification centre adds them in the portal and by push only.
EMAIL_KINDS = [k for k in Kind.values if k != Kind.LIBRARY]


class Notification(MailDelivery):
    """An item in the recipient's notification centre.

    `key` makes delivery idempotent: one row per event and recipient, whatever
    retries a task makes. Items sharing an unread `group_key` are one item whose
    `count` grows (a teacher entering a whole column: "5 new grades")."""

    class PushStatus(models.TextChoices):
        NONE = "", _("no push")
        WAITING = "waiting", _("waiting (quiet hours)")
        SENDING = "sending", _("sending")
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
    # Delivery plan, set by `delivery.deliver`: when the e-mail (immediate mode)
    # and the push may leave (later than `created_at` in quiet hours).
    mail_due_at = models.DateTimeField(_("e-mail due"), null=True, blank=True)
    push_due_at = models.DateTimeField(_("push due"), null=True, blank=True)
    for_digest = models.BooleanField(_("for the daily digest"), default=False)
    digest = models.ForeignKey(
        "Digest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("digest"),
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

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    def open_url(self) -> str:
        """The portal's address that marks the item read and leads to `url`."""
        from django.urls import reverse

        return reverse("notifications:open", args=[self.pk])


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


class Digest(MailDelivery):
    """One daily e-mail listing a user's notifications since the previous one;
    at most one per user and day (made even when empty, so that the day's digest
    is not sent later than the user's chosen time)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("daily digest")
        verbose_name_plural = _("daily digests")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "day"], name="notifications_digest_daily")
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.day}"


class Preferences(models.Model):
    """A user's choices: which kinds reach them by e-mail and by push (in the
    portal always), immediate e-mail or a daily digest, and quiet hours."""

    class EmailMode(models.TextChoices):
        IMMEDIATE = "immediate", _("immediately")
        DIGEST = "digest", _("once a day (digest)")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    email_kinds = models.JSONField(_("e-mail for"), default=list, blank=True)
    push_kinds = models.JSONField(_("push for"), default=list, blank=True)
    email_mode = models.CharField(
        _("e-mail"), max_length=10, choices=EmailMode.choices, default=EmailMode.IMMEDIATE
    )
    digest_time = models.TimeField(_("digest time"), default=datetime.time(18, 0))
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification preferences")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user_id)

    @classmethod
    def default_for(cls, user_id: int) -> Preferences:
        """Every kind by e-mail (immediately) and push, no quiet hours."""
        return cls(user_id=user_id, email_kinds=list(EMAIL_KINDS), push_kinds=list(Kind.values))

    @classmethod
    def for_user(cls, user_id: int) -> Preferences:
        return cls.objects.filter(user_id=user_id).first() or cls.default_for(user_id)

    def wants(self, kind: str, channel: str) -> bool:
        if channel == "email" and kind not in EMAIL_KINDS:
            return False
        kinds = self.email_kinds if channel == "email" else self.push_kinds
        return kind in (kinds or [])


class SchoolSettings(models.Model):
    """A school's rule: are pupils' notifications also sent to their guardians."""

    school = models.OneToOneField(
        School,
        on_delete=models.CASCADE,
        related_name="notification_settings",
        verbose_name=_("school"),
    )
    tell_guardians = models.BooleanField(
        _("notify guardians"),
        default=True,
        help_text=_("Pupils' notifications also go to all their guardians."),
    )

    class Meta:
        verbose_name = _("school notification settings")
        verbose_name_plural = _("school notification settings")

    def __str__(self) -> str:
        return str(self.school)

    @classmethod
    def for_school(cls, school_id: int | None) -> SchoolSettings:
        found = cls.objects.filter(school_id=school_id).first() if school_id else None
        return found or cls(school_id=school_id)
