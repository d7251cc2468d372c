"""Grades: per-school settings and categories, assessments (sheet columns), grades,
term and behaviour grades, the change history, closed terms and notifications."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.models import AuditEntry, School, SchoolClass, TeachingAssignment, Term, User

from .. import scale as grade_scale


def default_symbols():
    return list(grade_scale.DEFAULT_SYMBOLS)


class GradingSettings(models.Model):
    """A school's grading rules; defaults follow the domain guide."""

    school = models.OneToOneField(
        School, on_delete=models.CASCADE, related_name="grading", verbose_name=_("school")
    )
    symbols = models.JSONField(_("symbols in use"), default=default_symbols)
    plus_value = models.DecimalField(
        _("value of “+”"), max_digits=3, decimal_places=2, default=Decimal("0.50")
    )
    minus_value = models.DecimalField(
        _("value of “−”"), max_digits=3, decimal_places=2, default=Decimal("0.25")
    )
    improvement_replaces = models.BooleanField(
        _("an improvement replaces the original grade in the average"), default=True
    )
    threshold_6 = models.DecimalField(
        _("average for 6"), max_digits=3, decimal_places=2, default=Decimal("5.50")
    )
    threshold_5 = models.DecimalField(
        _("average for 5"), max_digits=3, decimal_places=2, default=Decimal("4.60")
    )
    threshold_4 = models.DecimalField(
        _("average for 4"), max_digits=3, decimal_places=2, default=Decimal("3.60")
    )
    threshold_3 = models.DecimalField(
        _("average for 3"), max_digits=3, decimal_places=2, default=Decimal("2.60")
    )
    threshold_2 = models.DecimalField(
        _("average for 2"), max_digits=3, decimal_places=2, default=Decimal("1.60")
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("grading settings")
        verbose_name_plural = _("grading settings")

    def __str__(self) -> str:
        return str(self.school)

    def clean(self):
        unknown = [s for s in self.symbols or [] if s not in grade_scale.ALL_SYMBOLS]
        if unknown:
            raise ValidationError({"symbols": _("Unknown symbols: %s") % ", ".join(unknown)})
        if not any(s[0].isdigit() and s != "0" for s in self.symbols or []):
            raise ValidationError({"symbols": _("Choose at least one grade from 1 to 6.")})
        steps = [self.threshold_6, self.threshold_5, self.threshold_4, self.threshold_3]
        steps.append(self.threshold_2)
        if any(a is None for a in steps) or any(
            a <= b for a, b in zip(steps, steps[1:], strict=False)
        ):
            raise ValidationError(_("Each threshold must be higher than the next lower grade's."))
        for value in (self.plus_value, self.minus_value):
            if value is not None and not (Decimal(0) <= value < 1):
                raise ValidationError(_("A modifier is worth between 0 and 1."))

    def to_scale(self) -> grade_scale.Scale:
        return grade_scale.Scale(
            symbols=frozenset(self.symbols),
            plus=self.plus_value,
            minus=self.minus_value,
            thresholds=(
                (self.threshold_6, 6),
                (self.threshold_5, 5),
                (self.threshold_4, 4),
                (self.threshold_3, 3),
                (self.threshold_2, 2),
            ),
            improvement_replaces=self.improvement_replaces,
        )


class GradeCategory(models.Model):
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="grade_categories", verbose_name=_("school")
    )
    name = models.CharField(_("name"), max_length=60)
    weight = models.PositiveSmallIntegerField(
        _("default weight"), default=1, validators=[MaxValueValidator(10)]
    )
    colour = models.CharField(
        _("colour"),
        max_length=7,
        default="#1f6feb",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use the form #1a2b3c."))],
    )
    counts_to_average = models.BooleanField(_("counts to the average"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("grade category")
        verbose_name_plural = _("grade categories")
        ordering = ["school", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="gradebook_category_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Assessment(models.Model):
    """A column of the grade sheet: one test, quiz, answer round, homework…"""

    assignment = models.ForeignKey(
        TeachingAssignment,
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("teaching assignment"),
    )
    term = models.ForeignKey(
        Term, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("term")
    )
    category = models.ForeignKey(
        GradeCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    name = models.CharField(_("name"), max_length=100)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MaxValueValidator(10)]
    )
    date = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=300, blank=True)
    counts_to_average = models.BooleanField(_("counts to the average"), default=True)
    improves = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="improvements",
        verbose_name=_("improves"),
        help_text=_("Grades in this column improve the pupil's grade in that column."),
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["assignment", "date", "id"]
        indexes = [models.Index(fields=["assignment", "term"])]

    def __str__(self) -> str:
        return self.name


class Grade(models.Model):
    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, related_name="grades", verbose_name=_("assessment")
    )
    pupil = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="grades", verbose_name=_("pupil")
    )
    symbol = models.CharField(_("grade"), max_length=4)
    improves = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="improvements",
        verbose_name=_("improves"),
    )
    teacher = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("teacher")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("grade")
        verbose_name_plural = _("grades")
        ordering = ["assessment__date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "pupil"], name="gradebook_grade_unique"),
        ]
        indexes = [models.Index(fields=["pupil", "updated_at"])]

    def __str__(self) -> str:
        return self.symbol


class TermKind(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    FINAL = "final", _("final")


class TermGrade(models.Model):
    """A proposed or final grade for a term: final in term 1 is the mid-year grade,
    final in the last term the annual grade. Classes 1–3 get descriptive text."""

    Kind = TermKind

    pupil = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="term_grades", verbose_name=_("pupil")
    )
    assignment = models.ForeignKey(
        TeachingAssignment,
        on_delete=models.PROTECT,
        related_name="term_grades",
        verbose_name=_("teaching assignment"),
    )
    term = models.ForeignKey(
        Term, on_delete=models.PROTECT, related_name="term_grades", verbose_name=_("term")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=TermKind.choices)
    grade = models.PositiveSmallIntegerField(
        _("grade"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    description = models.TextField(_("descriptive assessment"), blank=True)
    teacher = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("teacher")
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("term grade")
        verbose_name_plural = _("term grades")
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "assignment", "term", "kind"], name="gradebook_termgrade_unique"
            ),
            models.CheckConstraint(
                condition=Q(grade__isnull=False) | ~Q(description=""),
                name="gradebook_termgrade_not_empty",
                violation_error_message=_(
                    "A term grade needs a grade or a descriptive assessment."
                ),
            ),
        ]

    def __str__(self) -> str:
        return str(self.grade or self.description[:30])


class BehaviourGrade(models.Model):
    class Value(models.TextChoices):
        EXEMPLARY = "wzorowe", _("exemplary")
        VERY_GOOD = "bardzo_dobre", _("very good")
        GOOD = "dobre", _("good")
        CORRECT = "poprawne", _("correct")
        INADEQUATE = "nieodpowiednie", _("inadequate")
        REPREHENSIBLE = "naganne", _("reprehensible")

    Kind = TermKind

    pupil = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="behaviour_grades", verbose_name=_("pupil")
    )
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.PROTECT,
        related_name="behaviour_grades",
        verbose_name=_("class"),
    )
    term = models.ForeignKey(
        Term, on_delete=models.PROTECT, related_name="behaviour_grades", verbose_name=_("term")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=TermKind.choices)
    value = models.CharField(_("behaviour"), max_length=20, choices=Value.choices)
    teacher = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("homeroom teacher")
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("behaviour grade")
        verbose_name_plural = _("behaviour grades")
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "term", "kind"], name="gradebook_behaviour_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.get_value_display()


class GradeHistory(AuditEntry):
    """Every create, change and delete of a grade, term grade or behaviour grade
    (§ 21 ust. 3 of the regulation). Rows outlive the grades they describe, and
    the teacher's account: `actor_name` keeps who made the change.

    The sheet's history shows each value as the school wrote it ("4+",
    "5 (bardzo dobry)", a behaviour word), so the row keeps those display texts in
    `old_value`/`new_value`; `before`/`after` stay empty here."""

    class Kind(models.TextChoices):
        GRADE = "grade", _("grade")
        TERM = "term", _("term grade")
        BEHAVIOUR = "behaviour", _("behaviour grade")

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("changed")
        DELETE = "delete", _("deleted")

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="+", verbose_name=_("school")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(_("record"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    pupil = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("pupil")
    )
    assignment = models.ForeignKey(
        TeachingAssignment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("teaching assignment"),
    )
    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="history",
        verbose_name=_("assessment"),
    )
    label = models.CharField(_("what"), max_length=200, blank=True)
    old_value = models.CharField(_("old value"), max_length=300, blank=True)
    new_value = models.CharField(_("new value"), max_length=300, blank=True)

    class Meta(AuditEntry.Meta):
        verbose_name = _("grade history entry")
        verbose_name_plural = _("grade history")
        indexes = [
            models.Index(fields=["kind", "object_id"]),
            models.Index(fields=["assignment", "pupil"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.old_value} → {self.new_value}"


class TermStatus(models.Model):
    """A closed term takes no grades until a school admin reopens it."""

    term = models.OneToOneField(
        Term, on_delete=models.CASCADE, related_name="grading_status", verbose_name=_("term")
    )
    is_closed = models.BooleanField(_("closed"), default=False)
    changed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    changed_at = models.DateTimeField(_("at"), auto_now=True)

    class Meta:
        verbose_name = _("term status")
        verbose_name_plural = _("term statuses")

    def __str__(self) -> str:
        return str(self.term)


class RegisterVisit(models.Model):
    """When a user last opened a pupil's grades: to highlight what is new."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    pupil = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "pupil"], name="gradebook_visit_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.pupil}"
