"""Records of the year's end that the register itself does not hold."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.files import private_storage
from portal.models import SchoolClass, User


class PromotionOutcome(models.TextChoices):
    PROMOTED = "promoted", _("promoted")
    PROMOTED_WITH_HONOURS = "promoted_honours", _("promoted with honours")
    NOT_PROMOTED = "not_promoted", _("not promoted")
    GRADUATED = "graduated", _("completed school")
    GRADUATED_WITH_HONOURS = "graduated_honours", _("completed school with honours")


class PromotionDecision(models.Model):
    """What the teachers' council decided for one pupil of one class at the end of
    the school year. `proposed` is what the rules suggest from the annual grades;
    `outcome` is the decision, confirmed by the homeroom teacher and a school
    admin and approved by the council's resolution (number and date)."""

    Outcome = PromotionOutcome

    pupil = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="promotion_decisions", verbose_name=_("pupil")
    )
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.PROTECT,
        related_name="promotion_decisions",
        verbose_name=_("class"),
    )
    proposed = models.CharField(
        _("proposed by the rules"), max_length=20, choices=PromotionOutcome.choices, blank=True
    )
    outcome = models.CharField(
        _("decision"), max_length=20, choices=PromotionOutcome.choices, blank=True
    )
    resolution_number = models.CharField(_("resolution number"), max_length=50, blank=True)
    resolution_date = models.DateField(_("resolution date"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    homeroom_confirmed_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by the homeroom teacher"),
    )
    homeroom_confirmed_at = models.DateTimeField(
        _("confirmed by the homeroom teacher at"), null=True, blank=True
    )
    admin_confirmed_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by the school"),
    )
    admin_confirmed_at = models.DateTimeField(
        _("confirmed by the school at"), null=True, blank=True
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("promotion decision")
        verbose_name_plural = _("promotion decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "school_class"], name="yearend_decision_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.get_outcome_display() or self.get_proposed_display()

    @property
    def is_confirmed(self) -> bool:
        return bool(self.outcome and self.homeroom_confirmed_at and self.admin_confirmed_at)


class RetakeExam(models.Model):
    """An exam retake (egzamin poprawkowy, art. 44m) of one pupil in one subject,
    recorded by a school admin: the annual grade before and after, the date and
    the exam board. The new grade is written into the annual TermGrade by
    `promotion.retake_record` (with its GradeHistory row)."""

    pupil = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="retake_exams", verbose_name=_("pupil")
    )
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, related_name="retake_exams", verbose_name=_("class")
    )
    subject = models.ForeignKey(
        "portal.Subject", on_delete=models.PROTECT, related_name="+", verbose_name=_("subject")
    )
    date = models.DateField(_("exam date"))
    old_grade = models.PositiveSmallIntegerField(_("annual grade before"))
    new_grade = models.PositiveSmallIntegerField(
        _("annual grade after"), validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    board = models.CharField(_("exam board"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("retake exam")
        verbose_name_plural = _("retake exams")
        ordering = ["date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "school_class", "subject"],
                name="yearend_retake_unique",
                violation_error_message=_("A retake exam of this subject is already recorded."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.date}: {self.old_grade} → {self.new_grade}"


class JobStatus(models.TextChoices):
    """The states of a piece of background work (an export, an archive): it ends
    succeeded or failed, never stays running."""

    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("ready")
    FAILED = "failed", _("failed")


def export_upload_to(instance, filename: str) -> str:
    return f"yearend/register-exports/{instance.school_id}/{filename}"


class RegisterExportJob(models.Model):
    """A file of the register prepared by the task worker
    (`export_tasks.run_register_export`): a whole school's export (XML or JSON),
    the whole school's register PDFs in one ZIP, or (with `school_class`) a file
    of one class (the class's record sheets in one PDF). Queued, running (with
    its progress: `progress_done` of `progress_total` classes, or steps), then
    succeeded (the file is kept in the private storage) or failed (with the
    reason). What each format is made of is the dispatch table
    `export_jobs.JOB_KINDS`."""

    Status = JobStatus

    class Format(models.TextChoices):
        XML = "xml", "XML"
        JSON = "json", "JSON"
        REGISTER_PDFS = "register-pdfs", _("register PDFs (ZIP)")
        SHEETS_PDF = "sheets-pdf", _("a class's record sheets (PDF)")

    school = models.ForeignKey(
        "portal.School", on_delete=models.CASCADE, related_name="+", verbose_name=_("school")
    )
    school_year = models.ForeignKey(
        "portal.SchoolYear",
        on_delete=models.CASCADE,
        related_name="register_exports",
        verbose_name=_("school year"),
    )
    fmt = models.CharField(_("format"), max_length=20, choices=Format.choices)
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("class"),
        help_text=_("Empty for a file of the whole school."),
    )
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("of"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    requested_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    file = models.FileField(
        _("file"), upload_to=export_upload_to, storage=private_storage, blank=True
    )
    size = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    message = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("register export")
        verbose_name_plural = _("register exports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.school_year} {self.get_fmt_display()} ({self.get_status_display()})"

    @property
    def is_final(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)


class YearArchive(models.Model):
    """The signed archive of a school year's register (§ 22 of the regulation):
    for every class the register's XML and its PDF/A-3b with the XML embedded,
    PAdES-signed, and a `manifest.json` of every file's SHA-256 with a detached
    CMS signature (`manifest.json.p7s`), all signed with the school's certificate.
    The files live in the private storage under `folder`; the task worker
    (`archive_tasks.run_year_archive`) or `manage.py archive_year` makes them:
    queued, running, then succeeded or failed (with the reason)."""

    Status = JobStatus

    school = models.ForeignKey(
        "portal.School", on_delete=models.PROTECT, related_name="+", verbose_name=_("school")
    )
    school_year = models.ForeignKey(
        "portal.SchoolYear",
        on_delete=models.PROTECT,
        related_name="archives",
        verbose_name=_("school year"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    requested_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    progress_done = models.PositiveIntegerField(_("classes done"), default=0)
    progress_total = models.PositiveIntegerField(_("classes"), default=0)
    folder = models.CharField(_("folder"), max_length=300, blank=True)
    manifest = models.JSONField(_("manifest"), default=dict, blank=True)
    size = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    signer_subject = models.CharField(_("signed by"), max_length=500, blank=True)
    signer_serial = models.CharField(_("certificate serial number"), max_length=100, blank=True)
    retention_until = models.DateField(_("keep until"), null=True, blank=True)
    message = models.TextField(_("error"), blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verification_ok = models.BooleanField(_("verification passed"), null=True, blank=True)
    verification = models.JSONField(_("verification result"), default=dict, blank=True)

    class Meta:
        verbose_name = _("year-end archive")
        verbose_name_plural = _("year-end archives")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.school_year} ({self.get_status_display()})"

    @property
    def is_final(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def file_count(self) -> int:
        """The files the manifest lists, and the manifest with its signature."""
        files = self.manifest.get("files", []) if self.manifest else []
        return len(files) + 2 if files else 0
