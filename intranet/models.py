"""The gmina's intranet: circulars and data requests from the education office to
its schools, and the staff noticeboard.

Recipients of a circular are resolved when it is sent and kept (one row per
person), so a headteacher appointed later does not see older circulars as unread,
and the office sees who was told. Each school answers a request once (one row per
request and school), editable while the request is open and its deadline has not
passed."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.files import private_storage
from portal.models import School


def attachment_upload_to(instance, filename: str) -> str:
    """The server chooses the stored name; only the checked extension is kept."""
    suffix = PurePath(filename).suffix.lower()
    return f"intranet/{uuid.uuid4().hex}{suffix}"


class CircularQuerySet(models.QuerySet):
    def received_by(self, user):
        return self.filter(recipients__person=user)


class Circular(models.Model):
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    schools = models.ManyToManyField(School, related_name="+", verbose_name=_("schools"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    objects = CircularQuerySet.as_manager()

    class Meta:
        verbose_name = _("circular")
        verbose_name_plural = _("circulars")
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return self.subject


class CircularRecipient(models.Model):
    """A person a circular was sent to, with the school they were told as
    (the first of their schools among the chosen ones) and when they read it."""

    circular = models.ForeignKey(Circular, on_delete=models.CASCADE, related_name="recipients")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="intranet_circulars",
        verbose_name=_("recipient"),
    )
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school")
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("circular recipient")
        verbose_name_plural = _("circular recipients")
        constraints = [
            models.UniqueConstraint(
                fields=["circular", "person"], name="intranet_one_recipient_row"
            )
        ]

    def __str__(self) -> str:
        return f"{self.circular} → {self.person}"


class DataRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)

    def for_schools(self, school_ids):
        return self.filter(schools__in=school_ids).distinct()


class DataRequest(models.Model):
    """A request for data (prośba o dane, sprawozdanie) with a deadline: a
    document to upload or a small form defined by the officer."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("a document to upload")
        FORM = "form", _("a form to fill")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("answer"), max_length=10, choices=Kind.choices)
    deadline = models.DateField(_("deadline"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    schools = models.ManyToManyField(School, related_name="+", verbose_name=_("schools"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )

    objects = DataRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("data request")
        verbose_name_plural = _("data requests")
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def is_past_deadline(self, day=None) -> bool:
        return (day or timezone.localdate()) > self.deadline


class RequestField(models.Model):
    """One field of a request's form."""

    class Kind(models.TextChoices):
        TEXT = "text", _("text")
        NUMBER = "number", _("number")
        YES_NO = "yesno", _("yes/no")

    request = models.ForeignKey(DataRequest, on_delete=models.CASCADE, related_name="fields")
    label = models.CharField(_("question"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TEXT)
    required = models.BooleanField(_("required"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.label


class RequestAnswer(models.Model):
    """A school's answer to a request: a file, or the form's values by field id."""

    request = models.ForeignKey(DataRequest, on_delete=models.CASCADE, related_name="answers")
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school")
    )
    values = models.JSONField(_("answers"), default=dict, blank=True)
    # In the private storage: only `intranet:answer_file` (can_view_answer) serves it.
    file = models.FileField(
        _("file"), upload_to=attachment_upload_to, storage=private_storage, blank=True
    )
    file_name = models.CharField(_("original file name"), max_length=200, blank=True)
    note = models.TextField(pgettext_lazy("intranet", "note"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"))
    late = models.BooleanField(pgettext_lazy("intranet", "late"), default=False)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["request", "school"], name="intranet_one_answer")
        ]

    def __str__(self) -> str:
        return f"{self.request} — {self.school}"


class PostQuerySet(models.QuerySet):
    def current(self, day=None):
        day = day or timezone.localdate()
        return self.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day))


class Post(models.Model):
    """A news item of the office on the staff noticeboard (not public)."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    expires_on = models.DateField(_("visible until"), null=True, blank=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("noticeboard post")
        verbose_name_plural = _("noticeboard posts")
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class Attachment(models.Model):
    """A file of a circular or of a noticeboard post."""

    circular = models.ForeignKey(
        Circular, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    # In the private storage: only `intranet:attachment` (can_view_attachment) serves it.
    file = models.FileField(_("file"), upload_to=attachment_upload_to, storage=private_storage)
    name = models.CharField(_("original file name"), max_length=200)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(circular__isnull=False, post__isnull=True)
                | Q(circular__isnull=True, post__isnull=False),
                name="intranet_attachment_one_parent",
            )
        ]

    def __str__(self) -> str:
        return self.name
