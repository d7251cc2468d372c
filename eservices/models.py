"""E-services: a school's catalogue of services, the cases families file, their
timeline, attachments and the documents the portal issues."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.files import private_storage
from portal.models import Attributed, School


class HandlerRole(models.TextChoices):
    """Who answers a service's cases at the school."""

    SECRETARY = "secretary", _("school secretariat")
    HOMEROOM = "homeroom", _("homeroom teacher")
    HEADTEACHER = "headteacher", _("headteacher")
    LIBRARIAN = "librarian", _("librarian")
    PEDAGOGUE = "pedagogue", _("school pedagogue")


class ServiceKind(models.TextChoices):
    """Built-in services the portal knows how to complete (empty: the school's own).
    The trip consent is not a case: teachers make `Trip`s and families answer them."""

    CUSTOM = "", _("the school's own service")
    ATTENDANCE_CERTIFICATE = "certificate", _("certificate of attendance")
    ID_DUPLICATE = "id_duplicate", _("duplicate pupil ID card")
    ADVANCE_ABSENCE = "advance_absence", _("advance absence notice")
    LIBRARY_CARD = "library_card", _("library card application")


class Service(models.Model):
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="eservices", verbose_name=_("school")
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=ServiceKind.choices, default="", blank=True
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    handler_role = models.CharField(
        _("handled by"), max_length=20, choices=HandlerRole.choices, default=HandlerRole.SECRETARY
    )
    enabled = models.BooleanField(_("available to families"), default=False)
    deadline_days = models.PositiveSmallIntegerField(_("answer within (working days)"), default=7)
    consents = models.TextField(
        _("required consents"),
        blank=True,
        help_text=_("The family must tick that they agree to this text before sending."),
    )
    needs_pupil = models.BooleanField(
        _("concerns a pupil"),
        default=True,
        help_text=_("The family chooses which child the case is about."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("e-service")
        verbose_name_plural = _("e-services")
        ordering = ["school", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "kind"],
                condition=~Q(kind=""),
                name="eservices_builtin_once_per_school",
                violation_error_message=_("The school already has this built-in service."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_builtin(self) -> bool:
        return bool(self.kind)


class ServiceField(models.Model):
    """One question of a service's form (the small form builder)."""

    class Kind(models.TextChoices):
        TEXT = "text", _("text")
        LONG_TEXT = "long_text", _("longer text")
        DATE = "date", _("date")
        CHOICE = "choice", _("choice from a list")
        CHECKBOX = "checkbox", _("checkbox (yes or no)")
        ATTACHMENT = "attachment", _("attachment")

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="fields", verbose_name=_("service")
    )
    label = models.CharField(_("question"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.TEXT)
    required = models.BooleanField(_("required"), default=False)
    choices = models.TextField(
        _("options"), blank=True, help_text=_("For a choice from a list: one option per line.")
    )
    help_text = models.CharField(_("hint"), max_length=300, blank=True)
    key = models.SlugField(
        _("key"),
        max_length=40,
        blank=True,
        help_text=_("Set by the portal for the fields a built-in service reads."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")
        ordering = ["service", "position", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class CaseCounter(models.Model):
    """The last case number given in a school and year: incremented under the row's
    lock, so two families filing at once get consecutive numbers."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "year"], name="eservices_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.school_id}/{self.year}: {self.last}"


class Status(models.TextChoices):
    # a context: other apps' "accepted" (an excuse) is feminine in Polish
    SUBMITTED = "submitted", pgettext_lazy("case status", "submitted")
    ACCEPTED = "accepted", pgettext_lazy("case status", "accepted")
    IN_PROGRESS = "in_progress", pgettext_lazy("case status", "in progress")
    COMPLETION = "completion", pgettext_lazy("case status", "waiting for completion")
    GRANTED = "granted", pgettext_lazy("case status", "granted")
    REFUSED = "refused", pgettext_lazy("case status", "refused")
    ISSUED = "issued", pgettext_lazy("case status", "document issued")


OPEN_STATUSES = (Status.SUBMITTED, Status.ACCEPTED, Status.IN_PROGRESS, Status.COMPLETION)


class Case(models.Model):
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="eservice_cases", verbose_name=_("school")
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="cases", verbose_name=_("service")
    )
    number = models.CharField(_("case number"), max_length=40)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence number"))
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="eservice_cases",
        verbose_name=_("applicant"),
    )
    pupil = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="eservice_cases_about",
        verbose_name=_("pupil"),
    )
    pupil_class = models.ForeignKey(
        "portal.SchoolClass",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("class"),
        help_text=_("The pupil's class when the case was filed (for the homeroom teacher)."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    handler_role = models.CharField(_("handled by"), max_length=20, choices=HandlerRole.choices)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="eservice_cases_handled",
        verbose_name=_("handler"),
    )
    answers = models.JSONField(_("answers"), default=list, blank=True)
    consents = models.TextField(_("consents accepted"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    due_date = models.DateField(_("answer due"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    decision_reason = models.TextField(_("reason of the decision"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "year", "sequence"], name="eservices_case_number_unique"
            )
        ]
        indexes = [models.Index(fields=["school", "status", "due_date"])]

    def __str__(self) -> str:
        return f"{self.number} {self.service}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseEvent(Attributed):
    """One line of a case's timeline. Internal notes are for staff only."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("filed")
        STATUS = "status", _("status changed")
        FAMILY = "family", _("the family's message")
        ANSWER = "answer", _("the school's message")
        NOTE = "note", _("internal note")
        REASSIGNED = "reassigned", _("handed over")
        DOCUMENT = "document", _("document issued")
        REVOKED = "revoked", _("document revoked")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    status_from = models.CharField(_("from"), max_length=20, choices=Status.choices, blank=True)
    status_to = models.CharField(_("to"), max_length=20, choices=Status.choices, blank=True)
    text = models.TextField(_("text"), blank=True)
    internal = models.BooleanField(_("staff only"), default=False)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.get_kind_display()}"


def _attachment_path(instance, filename):
    return f"eservices/{instance.case.school_id}/{instance.case_id}/{secrets.token_hex(8)}"


class CaseAttachment(models.Model):
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("case")
    )
    event = models.ForeignKey(
        CaseEvent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("event"),
    )
    field_label = models.CharField(_("question"), max_length=200, blank=True)
    file = models.FileField(_("file"), upload_to=_attachment_path, storage=private_storage)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


def new_verification_code() -> str:
    """12 characters without look-alikes (no 0/O, 1/I/L), shown as XXXX-XXXX-XXXX."""
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _document_path(instance, filename):
    return f"eservices/{instance.school_id}/documents/{secrets.token_hex(8)}.pdf"


class IssuedDocument(models.Model):
    """A document the portal issued (a certificate): its PDF carries the code and a
    QR code of the public verification page, which shows only what is here."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="documents", verbose_name=_("case")
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="+", verbose_name=_("school")
    )
    title = models.CharField(_("document"), max_length=200)
    code = models.CharField(
        _("verification code"), max_length=20, unique=True, default=new_verification_code
    )
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    issuer_name = models.CharField(_("issuer"), max_length=300)
    initials = models.CharField(_("initials"), max_length=10, blank=True)
    pdf = models.FileField(_("PDF"), upload_to=_document_path, storage=private_storage)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoke_reason = models.CharField(_("reason of revoking"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"{self.title} {self.code}"

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None


class Trip(models.Model):
    """A trip or an outing of a class (or of some of its pupils) that the guardians
    consent to online until the deadline; after it the list is frozen."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="trips", verbose_name=_("school")
    )
    school_class = models.ForeignKey(
        "portal.SchoolClass",
        on_delete=models.PROTECT,
        related_name="trips",
        verbose_name=_("class"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("organised by"),
    )
    organiser_name = models.CharField(_("organiser"), max_length=300, blank=True)
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("date"))
    ends_on = models.DateField(_("last day"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=300)
    cost = models.DecimalField(
        _("cost per pupil (zł)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    description = models.TextField(_("description"), blank=True)
    consent_deadline = models.DateTimeField(_("answers until"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)

    # The audit trail's names for what a trip's history rows hold beyond its fields.
    audit_labels = {
        "pupils": _("pupils"),
        "guardians": _("guardians"),
        "answers_cleared": _("answers cleared"),
        "names": _("who"),
    }

    class Meta:
        verbose_name = _("trip")
        verbose_name_plural = _("trips")
        ordering = ["-starts_on", "-pk"]

    def __str__(self) -> str:
        return self.title

    def is_frozen(self, now=None) -> bool:
        """After the deadline (or once cancelled) nobody answers any more: the list
        is final."""
        return self.cancelled_at is not None or (now or timezone.now()) >= self.consent_deadline


class TripConsent(models.Model):
    """One pupil of a trip and their guardian's answer (empty: none yet)."""

    class Answer(models.TextChoices):
        NONE = "", pgettext_lazy("trip consent", "no answer")
        CONSENT = "consent", pgettext_lazy("trip consent", "consents")
        REFUSAL = "refusal", pgettext_lazy("trip consent", "refuses")

    trip = models.ForeignKey(
        Trip, on_delete=models.CASCADE, related_name="consents", verbose_name=_("trip")
    )
    pupil = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="trip_consents",
        verbose_name=_("pupil"),
    )
    answer = models.CharField(
        _("answer"), max_length=10, choices=Answer.choices, default="", blank=True
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_by_name = models.CharField(_("answered by (name)"), max_length=300, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("trip consent")
        verbose_name_plural = _("trip consents")
        ordering = ["trip", "pupil__last_name", "pupil__first_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["trip", "pupil"], name="eservices_trip_pupil_once")
        ]

    def __str__(self) -> str:
        # Read by the audit trail ("Muzeum: Jan Kowalski"); the services load both.
        return f"{self.trip}: {self.pupil}"
