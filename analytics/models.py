"""Summary tables of the municipal analytics. The officer's pages read only
these; `services.analytics_compute` fills them from the register and the grade
sheets. Each row says when it was computed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gradebook.yearend.models import JobStatus
from portal.models import School, SchoolClass, SchoolYear, Subject


class SummaryRow(models.Model):
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school")
    )
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.CASCADE, related_name="+", verbose_name=_("school year")
    )
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="+", verbose_name=_("class")
    )
    level = models.PositiveSmallIntegerField(_("level"))
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        abstract = True


class SubjectMonth(SummaryRow):
    """Attendance counts and grade sums of one class in one subject in one month
    (the month's first day). Sums, not averages, so rows add up exactly."""

    subject = models.ForeignKey(
        Subject, on_delete=models.CASCADE, related_name="+", verbose_name=_("subject")
    )
    month = models.DateField(_("month"))
    present = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)
    school_reasons = models.PositiveIntegerField(default=0)
    excused = models.PositiveIntegerField(default=0)
    unexcused = models.PositiveIntegerField(default=0)
    released = models.PositiveIntegerField(default=0)
    grade_count = models.PositiveIntegerField(default=0)
    weighted_sum = models.DecimalField(max_digits=12, decimal_places=4, default=0)
    weight_sum = models.DecimalField(max_digits=12, decimal_places=4, default=0)
    failing_count = models.PositiveIntegerField(default=0)
    # Distinct pupils with a grade or an attendance mark in the row.
    pupils = models.PositiveIntegerField(_("pupils"), default=0)

    class Meta:
        verbose_name = _("monthly summary of a subject")
        verbose_name_plural = _("monthly summaries of subjects")
        constraints = [
            models.UniqueConstraint(
                fields=["school_class", "subject", "month"], name="analytics_subject_month_unique"
            )
        ]
        indexes = [models.Index(fields=["school", "month"])]

    def __str__(self) -> str:
        return f"{self.school_class_id}/{self.subject_id} {self.month:%Y-%m}"


class ClassMonth(SummaryRow):
    """Distinct pupils of one class in one month behind the attendance and the
    grades (a pupil counts once however many subjects): the population that
    decides whether a figure may be shown."""

    month = models.DateField(_("month"))
    attendance_pupils = models.PositiveIntegerField(default=0)
    graded_pupils = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("monthly summary of a class")
        verbose_name_plural = _("monthly summaries of classes")
        constraints = [
            models.UniqueConstraint(
                fields=["school_class", "month"], name="analytics_class_month_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school_class_id} {self.month:%Y-%m}"


class ClassSnapshot(SummaryRow):
    """The pupils of a class of the current year on the day of computation, and
    its lessons in the timetable in force that day: the weekly lessons (one per
    timetable entry, a group's lesson too) and the distinct teachers who teach
    them (counted, never named)."""

    pupils = models.PositiveIntegerField(_("pupils"), default=0)
    weekly_lessons = models.PositiveIntegerField(default=0)
    teachers = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("class size")
        verbose_name_plural = _("class sizes")
        constraints = [
            models.UniqueConstraint(fields=["school_class"], name="analytics_class_snapshot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.school_class_id}: {self.pupils}"


class ClassYear(SummaryRow):
    """What a class's school year ends with, counted per class: the pupils'
    latest final behaviour grades, the confirmed promotion decisions, the
    pupils' loans from the school library and the days from an absence to the
    decision on its excuse, and the mid-year and annual classification (final
    term grades). Recomputed whole on every run (a few grouped queries): the
    change logs that mark `DirtyMonth`s do not cover these sources."""

    pupils = models.PositiveIntegerField(_("pupils"), default=0)
    behaviour_graded = models.PositiveIntegerField(default=0)
    behaviour_exemplary = models.PositiveIntegerField(default=0)
    behaviour_very_good = models.PositiveIntegerField(default=0)
    behaviour_good = models.PositiveIntegerField(default=0)
    behaviour_correct = models.PositiveIntegerField(default=0)
    behaviour_inadequate = models.PositiveIntegerField(default=0)
    behaviour_reprehensible = models.PositiveIntegerField(default=0)
    decided = models.PositiveIntegerField(default=0)
    honours = models.PositiveIntegerField(default=0)
    not_promoted = models.PositiveIntegerField(default=0)
    loans = models.PositiveIntegerField(default=0)
    readers = models.PositiveIntegerField(default=0)
    excuses_decided = models.PositiveIntegerField(default=0)
    excuse_days = models.PositiveIntegerField(default=0)  # summed over the decided excuses
    excused_pupils = models.PositiveIntegerField(default=0)
    # Final term grades: mid-year (term 1) and annual (the year's last term).
    # *_graded: pupils with a numeric final grade; *_grade_sum/_count: the numeric
    # final grades; *_failing: pupils with at least one final 1 (niedostateczny).
    midyear_graded = models.PositiveIntegerField(default=0)
    midyear_grade_sum = models.PositiveIntegerField(default=0)
    midyear_grade_count = models.PositiveIntegerField(default=0)
    midyear_failing = models.PositiveIntegerField(default=0)
    annual_graded = models.PositiveIntegerField(default=0)
    annual_grade_sum = models.PositiveIntegerField(default=0)
    annual_grade_count = models.PositiveIntegerField(default=0)
    annual_failing = models.PositiveIntegerField(default=0)
    # Once the school closed the last term: pupils with an annual final grade
    # (a number or a descriptive assessment), and those of them without one in a
    # subject they attend (nieklasyfikowany).
    annual_classified = models.PositiveIntegerField(default=0)
    annual_unclassified = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("yearly summary of a class")
        verbose_name_plural = _("yearly summaries of classes")
        constraints = [
            models.UniqueConstraint(fields=["school_class"], name="analytics_class_year_unique")
        ]

    def __str__(self) -> str:
        return f"{self.school_class_id} {self.school_year_id}"


class SchoolMonth(models.Model):
    """Guardians of a school's current pupils, and how many signed in that month;
    the teachers and weekly lessons of the school's timetable in force on the day
    of the month's last computation (empty in months computed before these were
    counted)."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school")
    )
    month = models.DateField(_("month"))
    guardians = models.PositiveIntegerField(default=0)
    guardians_signed_in = models.PositiveIntegerField(default=0)
    # A teacher of two schools counts in each: these do not add up to the gmina's.
    teachers = models.PositiveIntegerField(null=True, blank=True)
    weekly_lessons = models.PositiveIntegerField(null=True, blank=True)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("monthly summary of a school")
        verbose_name_plural = _("monthly summaries of schools")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "month"], name="analytics_school_month_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.month:%Y-%m}"


class DirtyMonth(models.Model):
    """A month of a class whose summaries must be computed again: marked from
    the change logs (grade history, register history, grade sheet columns,
    grading settings) by each run, and cleared when recomputed."""

    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school_class", "month"], name="analytics_dirty_unique")
        ]

    def __str__(self) -> str:
        return f"{self.school_class_id} {self.month:%Y-%m}"


class AggregationRun(models.Model):
    """One computation of the summaries: nightly or asked for by an officer.
    `changes_since` is the start of the previous successful run (the change
    logs are read from there); empty for a full computation."""

    Status = JobStatus

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    full = models.BooleanField(_("everything again"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    changes_since = models.DateTimeField(_("changes since"), null=True, blank=True)
    months_computed = models.PositiveIntegerField(_("class months computed"), default=0)
    message = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("computation of the figures")
        verbose_name_plural = _("computations of the figures")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"
