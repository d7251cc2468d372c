"""The core domain every other app stands on: the municipality, its schools,
school years and terms, classes, subjects, people and their roles."""

from __future__ import annotations

import datetime

from stdnum.pl import pesel as pesel_number

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


def validate_pesel(value: str) -> None:
    if value and not pesel_number.is_valid(value):
        raise ValidationError(
            _("“%(value)s” is not a valid PESEL number."), params={"value": value}
        )


class PortalUserManager(UserManager):
    def get_by_natural_key(self, username):
        # Usernames are matched case-insensitively: pupils type them on phones.
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractUser):
    """Every person: pupils, guardians, teachers, staff. Accounts are created by
    a school (by hand or by CSV import), never by open sign-up."""

    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    pesel = models.CharField(
        _("PESEL"),
        max_length=11,
        blank=True,
        validators=[validate_pesel],
        help_text=_("Used to match people on repeated imports from the secretariat."),
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    is_demo = models.BooleanField(
        _("demo account"),
        default=False,
        help_text=_("Created by seed_demo; exempt from the MFA requirement while DEBUG is on."),
    )
    # Bumped by every change to what the user's roles are computed from (roles,
    # classes taught, guardianships, enrolments, second factor, admin permission):
    # the cached roles are kept under it (portal/permissions.py, role_changes.py).
    roles_version = models.PositiveIntegerField(default=0, editable=False)

    objects = PortalUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "username"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~Q(email=""),
                name="portal_user_unique_email_ci",
                violation_error_message=_("Another account already uses this e-mail address."),
            ),
            models.UniqueConstraint(
                fields=["pesel"],
                condition=~Q(pesel=""),
                name="portal_user_unique_pesel",
                violation_error_message=_("Another person already has this PESEL number."),
            ),
            models.UniqueConstraint(
                Lower("username"),
                name="portal_user_unique_username_ci",
                violation_error_message=_("This login is already taken."),
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def sort_name(self) -> str:
        return f"{self.last_name} {self.first_name}".strip() or self.username


@register_setting(icon="site")
class MunicipalitySettings(BaseGenericSetting):
    name = models.CharField(_("municipality name"), max_length=200, default="Gmina")
    teryt = models.CharField(_("TERYT code"), max_length=7, blank=True)
    office_name = models.CharField(_("education office"), max_length=200, blank=True)
    office_address = models.TextField(_("office address"), blank=True)
    office_email = models.EmailField(_("office e-mail"), blank=True)
    office_phone = models.CharField(_("office phone"), max_length=32, blank=True)
    office_hours = models.CharField(_("office hours"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("municipality settings")


class SchoolQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class School(models.Model):
    class Type(models.TextChoices):
        PRESCHOOL = "preschool", _("preschool")
        PRIMARY = "primary", _("primary school")
        LYCEUM = "lyceum", _("general secondary school (liceum)")
        TECHNICAL = "technical", _("technical secondary school (technikum)")
        VOCATIONAL = "vocational", _("vocational school (branżowa)")

    name = models.CharField(_("name"), max_length=250)
    short_name = models.CharField(_("short name"), max_length=80)
    slug = models.SlugField(_("slug"), unique=True)
    school_type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    rspo = models.CharField(
        _("RSPO number"),
        max_length=10,
        unique=True,
        validators=[RegexValidator(r"^\d{1,10}$", _("The RSPO number consists of digits."))],
    )
    street = models.CharField(_("street and number"), max_length=200)
    postal_code = models.CharField(
        _("postal code"),
        max_length=6,
        validators=[RegexValidator(r"^\d{2}-\d{3}$", _("Use the form 00-000."))],
    )
    city = models.CharField(_("city"), max_length=100)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    headteacher = models.CharField(_("headteacher"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = SchoolQuerySet.as_manager()

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def address(self) -> str:
        return f"{self.street}, {self.postal_code} {self.city}"

    @property
    def max_level(self) -> int:
        """The school's last class (its pupils complete school instead of moving
        up): 8 in a primary school, 4 in a liceum, 5 in a technikum, 3 in a
        branżowa szkoła I stopnia; a preschool's oldest group is the 6-year-olds'."""
        return LAST_LEVEL[self.school_type]

    def current_year(self) -> SchoolYear | None:
        return self.years.filter(is_current=True).first()


# The last level of each type of school (prawo oświatowe, art. 18: primary 8
# years, liceum 4, technikum 5, branżowa I stopnia 3); preschool groups are
# numbered by the children's age, the oldest being the 6-year-olds.
LAST_LEVEL = {
    School.Type.PRESCHOOL: 6,
    School.Type.PRIMARY: 8,
    School.Type.LYCEUM: 4,
    School.Type.TECHNICAL: 5,
    School.Type.VOCATIONAL: 3,
}


class SchoolYearQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_current=True)


class SchoolYear(models.Model):
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="years", verbose_name=_("school")
    )
    name = models.CharField(_("name"), max_length=20, help_text=_("For example 2026/2027."))
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    is_current = models.BooleanField(_("current"), default=False)
    closed_at = models.DateTimeField(
        _("finished"),
        null=True,
        blank=True,
        help_text=_("A finished year is read-only until a school admin reopens it."),
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("finished by"),
    )

    objects = SchoolYearQuerySet.as_manager()

    class Meta:
        verbose_name = _("school year")
        verbose_name_plural = _("school years")
        ordering = ["school", "-start"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="portal_year_unique_name"),
            models.UniqueConstraint(
                fields=["school"],
                condition=Q(is_current=True),
                name="portal_year_one_current",
                violation_error_message=_("The school already has a current school year."),
            ),
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="portal_year_dates",
                violation_error_message=_("A school year must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("The year must end after it starts.")})

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def term_on(self, day: datetime.date) -> Term | None:
        for term in self.terms.all():
            if term.start <= day <= term.end:
                return term
        return None


class Term(models.Model):
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.CASCADE, related_name="terms", verbose_name=_("school year")
    )
    number = models.PositiveSmallIntegerField(
        _("number"), validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["school_year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["school_year", "number"], name="portal_term_unique"),
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="portal_term_dates",
                violation_error_message=_("A term must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return _("term %(number)s, %(year)s") % {
            "number": self.number,
            "year": self.school_year.name,
        }

    def clean(self):
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("The term must end after it starts.")})
        year = self.school_year if self.school_year_id else None
        if year and self.start and self.end and (self.start < year.start or self.end > year.end):
            raise ValidationError(_("The term must lie within its school year."))


class SchoolClassQuerySet(models.QuerySet):
    def for_school(self, school):
        return self.filter(school_year__school=school)

    def current(self):
        return self.filter(school_year__is_current=True)


class SchoolClass(models.Model):
    """An oddział: "4b" in a given school year."""

    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.CASCADE, related_name="classes", verbose_name=_("school year")
    )
    name = models.CharField(_("name"), max_length=20, help_text=_("For example 4b."))
    level = models.PositiveSmallIntegerField(
        _("level"), validators=[MinValueValidator(0), MaxValueValidator(8)]
    )
    homeroom_teacher = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="homeroom_classes",
        verbose_name=_("homeroom teacher"),
    )

    objects = SchoolClassQuerySet.as_manager()

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["school_year", "level", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school_year", "name"], name="portal_class_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @cached_property
    def school(self) -> School:
        return self.school_year.school

    @property
    def descriptive_assessment(self) -> bool:
        """Grades 1–3 of primary school (and its zerówka) are assessed in words
        (ocena opisowa); a liceum's first class is not."""
        return self.level <= 3 and self.school.school_type == School.Type.PRIMARY

    def pupils_on(self, day: datetime.date | None = None):
        day = day or timezone.localdate()
        return User.objects.filter(
            enrolments__in=Enrolment.objects.active_on(day).filter(school_class=self)
        ).order_by("last_name", "first_name")


class TeachingGroup(models.Model):
    """A part of a class taught separately (language groups, PE groups)."""

    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="groups", verbose_name=_("class")
    )
    name = models.CharField(_("name"), max_length=60)
    pupils = models.ManyToManyField(
        User, related_name="teaching_groups", blank=True, verbose_name=_("pupils")
    )

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["school_class", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school_class", "name"], name="portal_group_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.school_class.name} {self.name}"


class EnrolmentQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date):
        return self.filter(start_date__lte=day).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day)
        )


class Enrolment(models.Model):
    """A pupil's membership of a class between two dates."""

    pupil = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("pupil")
    )
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("class")
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    register_number = models.PositiveSmallIntegerField(
        _("number in the register"), null=True, blank=True
    )

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["school_class", "register_number", "pupil__last_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="portal_enrolment_dates",
                violation_error_message=_("An enrolment cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pupil} – {self.school_class}"

    def clean(self):
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The enrolment cannot end before it starts.")})
        if not (self.pupil_id and self.school_class_id and self.start_date):
            return
        overlapping = (
            Enrolment.objects.filter(
                pupil_id=self.pupil_id, school_class__school_year=self.school_class.school_year
            )
            .exclude(pk=self.pk)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=self.start_date))
        )
        if self.end_date:
            overlapping = overlapping.filter(start_date__lte=self.end_date)
        if overlapping.exists():
            raise ValidationError(
                _("This pupil is already in another class at that time; end that enrolment first.")
            )


class Subject(models.Model):
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="subjects", verbose_name=_("school")
    )
    name = models.CharField(_("name"), max_length=120)
    short_name = models.CharField(_("short name"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        ordering = ["school", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="portal_subject_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class TeachingAssignmentQuerySet(models.QuerySet):
    def for_school(self, school):
        return self.filter(school_class__school_year__school=school)

    def current(self):
        return self.filter(school_class__school_year__is_current=True)


class TeachingAssignment(models.Model):
    """A teacher teaches a subject to a class (or one of its groups) in a year."""

    teacher = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("teacher")
    )
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("class")
    )
    group = models.ForeignKey(
        TeachingGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("group"),
    )
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("subject")
    )

    objects = TeachingAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("teaching assignment")
        verbose_name_plural = _("teaching assignments")
        ordering = ["school_class", "subject__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["teacher", "school_class", "subject"],
                condition=Q(group__isnull=True),
                name="portal_assignment_unique_class",
                violation_error_message=_(
                    "This teacher already teaches this subject in this class."
                ),
            ),
            models.UniqueConstraint(
                fields=["teacher", "school_class", "group", "subject"],
                condition=Q(group__isnull=False),
                name="portal_assignment_unique_group",
                violation_error_message=_(
                    "This teacher already teaches this subject in this group."
                ),
            ),
        ]

    def __str__(self) -> str:
        target = str(self.group) if self.group_id else self.school_class.name
        return f"{self.subject} – {target} ({self.teacher})"

    def clean(self):
        if (
            self.group_id
            and self.school_class_id
            and self.group.school_class_id != self.school_class_id
        ):
            raise ValidationError({"group": _("The group belongs to another class.")})
        if (
            self.subject_id
            and self.school_class_id
            and (self.subject.school_id != self.school_class.school_year.school_id)
        ):
            raise ValidationError({"subject": _("The subject belongs to another school.")})

    def pupils_on(self, day: datetime.date | None = None):
        pupils = self.school_class.pupils_on(day)
        if self.group_id:
            pupils = pupils.filter(teaching_groups=self.group_id)
        return pupils


class GuardianLink(models.Model):
    class Relation(models.TextChoices):
        MOTHER = "mother", _("mother")
        FATHER = "father", _("father")
        GUARDIAN = "guardian", _("legal guardian")

    guardian = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="children_links", verbose_name=_("guardian")
    )
    pupil = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="guardian_links", verbose_name=_("pupil")
    )
    relation = models.CharField(
        _("relation"), max_length=20, choices=Relation.choices, default=Relation.GUARDIAN
    )

    class Meta:
        verbose_name = _("guardian link")
        verbose_name_plural = _("guardian links")
        constraints = [
            models.UniqueConstraint(fields=["guardian", "pupil"], name="portal_guardian_unique"),
            models.CheckConstraint(
                condition=~Q(guardian=F("pupil")),
                name="portal_guardian_not_self",
                violation_error_message=_("A person cannot be their own guardian."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guardian} → {self.pupil}"


class Role(models.TextChoices):
    """Roles granted explicitly. Pupil, guardian and homeroom teacher are derived
    from enrolments, guardian links and classes."""

    SCHOOL_ADMIN = "school_admin", _("school administrator")
    HEADTEACHER = "headteacher", _("headteacher")
    SECRETARY = "secretary", _("school secretariat")
    PEDAGOGUE = "pedagogue", _("school pedagogue")
    TEACHER = "teacher", _("teacher")
    LIBRARIAN = "librarian", _("librarian")
    OFFICER = "officer", _("municipal education officer")
    EDITOR = "editor", _("editor")
    MODERATOR = "moderator", _("moderator")
    MUNICIPAL_ADMIN = "municipal_admin", _("municipal administrator")
    DPO = "dpo", _("data protection officer")


SCHOOL_SCOPED_ROLES = {
    Role.SCHOOL_ADMIN,
    Role.HEADTEACHER,
    Role.SECRETARY,
    Role.PEDAGOGUE,
    Role.TEACHER,
    Role.LIBRARIAN,
}
MUNICIPAL_ROLES = {Role.OFFICER, Role.MUNICIPAL_ADMIN, Role.DPO}
STAFF_ROLES = {
    Role.SCHOOL_ADMIN,
    Role.HEADTEACHER,
    Role.SECRETARY,
    Role.PEDAGOGUE,
    Role.TEACHER,
    Role.LIBRARIAN,
    Role.OFFICER,
    Role.MUNICIPAL_ADMIN,
    Role.DPO,
}


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    school = models.ForeignKey(
        School,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("school"),
        help_text=_("Empty for roles over the whole municipality."),
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "school"], name="portal_role_unique_school"
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(school__isnull=True),
                name="portal_role_unique_municipal",
                violation_error_message=_("This person already has this municipal role."),
            ),
            models.CheckConstraint(
                condition=~Q(role__in=sorted(r.value for r in SCHOOL_SCOPED_ROLES))
                | Q(school__isnull=False),
                name="portal_role_school_required",
                violation_error_message=_("This role needs a school."),
            ),
            models.CheckConstraint(
                condition=~Q(role__in=sorted(r.value for r in MUNICIPAL_ROLES))
                | Q(school__isnull=True),
                name="portal_role_municipal_no_school",
                violation_error_message=_("A municipal role is not given for one school."),
            ),
        ]

    def __str__(self) -> str:
        where = self.school or _("municipality")
        return f"{self.user} – {self.get_role_display()} ({where})"

    def clean(self):
        if self.role in SCHOOL_SCOPED_ROLES and not self.school_id:
            raise ValidationError({"school": _("This role needs a school.")})
        if self.role in MUNICIPAL_ROLES and self.school_id:
            raise ValidationError({"school": _("This role covers the whole municipality.")})


class ImportRun(models.Model):
    """A CSV import of people, kept with its per-row report."""

    class Kind(models.TextChoices):
        PUPILS = "pupils", _("pupils")
        GUARDIANS = "guardians", _("guardians")
        TEACHERS = "teachers", _("teachers")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="imports", verbose_name=_("school")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    file_name = models.CharField(_("file"), max_length=255)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    rejected_count = models.PositiveIntegerField(_("rejected"), default=0)
    report = models.JSONField(_("report"), default=list)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.file_name}"


class ImportConflict(models.Model):
    """An import row that would change a person's login, e-mail or PESEL. An import
    never changes these silently: a school admin accepts or rejects each one."""

    class Status(models.TextChoices):
        OPEN = "open", _("waiting for a decision")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    run = models.ForeignKey(
        ImportRun, on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("import")
    )
    line = models.PositiveIntegerField(_("line"))
    person = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    field = models.CharField(_("field"), max_length=20)
    current_value = models.CharField(_("current value"), max_length=254, blank=True)
    imported_value = models.CharField(_("value in the file"), max_length=254)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    decided_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import conflict")
        verbose_name_plural = _("import conflicts")
        ordering = ["run", "line", "field"]

    def __str__(self) -> str:
        return f"{self.person}: {self.field} {self.current_value} → {self.imported_value}"


# --- Audit trail ------------------------------------------------------------------------


def actor_label(user) -> str:
    """The name kept beside an actor's id, so that history still says who after
    the account is deleted or anonymised."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    full = user.get_full_name()
    return f"{full} ({user.username})" if full else user.username


class Attributed(models.Model):
    """Who did it: the account and a copy of its name at the time, so deleting or
    anonymising an account never erases "who" (history rows, case timelines)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    actor_name = models.CharField(_("by (name)"), max_length=300, blank=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.actor_id and not self.actor_name:
            self.actor_name = actor_label(self.actor)
        super().save(*args, **kwargs)


class AuditEntry(Attributed):
    """What every history row has: who, when, what, before, after and why.

    The per-app history tables (grades, register, catalogue) and the portal's own
    trail (`AuditEvent`) share it."""

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=40)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        abstract = True
        ordering = ["-at", "-id"]

    @property
    def who(self) -> str:
        return self.actor_name or (str(self.actor) if self.actor_id else "")


class AuditEvent(AuditEntry):
    """The portal's own trail: account actions, settings, imports, term closing,
    timetable and free days. One row per change."""

    class Category(models.TextChoices):
        ACCOUNT = "account", _("account")
        ROLE = "role", _("role")
        IMPORT = "import", _("import")
        SETTINGS = "settings", _("settings")
        SCHOOL = "school", _("school data")
        TERM = "term", _("term closing")
        TIMETABLE = "timetable", _("timetable and free days")
        PRIVACY = "privacy", _("data protection")
        TASKS = "tasks", _("background work")
        GRADEBOOK = "gradebook", _("grade sheet columns")
        LIBRARY = "library", _("library")
        MESSAGING = "messaging", _("messages")
        INTRANET = "intranet", _("education office intranet")
        YEAR_END = "yearend", _("year-end documentation")
        ESERVICES = "eservices", _("e-services")

    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    school = models.ForeignKey(
        School,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("school"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person concerned"),
    )
    target_type = models.ForeignKey(
        "contenttypes.ContentType",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target_repr = models.CharField(_("what"), max_length=300, blank=True)

    class Meta(AuditEntry.Meta):
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        indexes = [
            models.Index(fields=["school", "-at"]),
            models.Index(fields=["person", "-at"]),
            models.Index(fields=["target_type", "target_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.who}: {self.action} {self.target_repr}"

    @property
    def action_label(self) -> str:
        """The action in words ("konto: zmienione"): `<thing>.<verb>` codes read
        through AUDIT_THINGS (or the target's model name) and AUDIT_VERBS."""
        if self.action in AUDIT_ACTIONS:
            return str(AUDIT_ACTIONS[self.action])
        thing, _dot, verb = self.action.rpartition(".")
        if thing in AUDIT_THINGS:
            thing_label = AUDIT_THINGS[thing]
        elif self.target_type_id and (model := self.target_type.model_class()) is not None:
            thing_label = model._meta.verbose_name
        else:
            thing_label = thing
        verb_label = AUDIT_VERBS.get(verb, verb)
        return f"{thing_label}: {verb_label}" if thing_label else str(verb_label)


AUDIT_VERBS = {
    "create": pgettext_lazy("audit", "created"),
    "update": pgettext_lazy("audit", "changed"),
    "delete": pgettext_lazy("audit", "deleted"),
    "save": pgettext_lazy("audit", "saved"),
    "close": pgettext_lazy("audit", "closed"),
    "reopen": pgettext_lazy("audit", "reopened"),
    "grant": pgettext_lazy("audit", "granted"),
    "revoke": pgettext_lazy("audit", "revoked"),
    "reset": pgettext_lazy("audit", "reset by the school"),
    "enable": pgettext_lazy("audit", "enabled"),
    "disable": pgettext_lazy("audit", "disabled"),
    "set_by_school": pgettext_lazy("audit", "set by the school"),
    "run": pgettext_lazy("audit", "carried out"),
    "retake": pgettext_lazy("audit", "changed after a retake exam"),
    "retry": pgettext_lazy("audit", "started again"),
    "send": pgettext_lazy("audit", "sent"),
    "handle": pgettext_lazy("audit", "dealt with"),
    "retract": pgettext_lazy("audit", "withdrawn"),
    "overdue_reminder": pgettext_lazy("audit", "overdue reminder sent"),
    "submit": pgettext_lazy("audit", "submitted"),
    "status": pgettext_lazy("audit", "status changed"),
    "note": pgettext_lazy("audit", "internal note added"),
    "answer": pgettext_lazy("audit", "answered"),
    "reply": pgettext_lazy("audit", "the applicant replied"),
    "reassign": pgettext_lazy("audit", "passed to another handler"),
    "document_issue": pgettext_lazy("audit", "document issued"),
    "document_revoke": pgettext_lazy("audit", "document revoked"),
    "remind": pgettext_lazy("audit", "reminder sent"),
    "cancel": pgettext_lazy("audit", "cancelled"),
    "add_pupils": pgettext_lazy("audit", "pupils added to the list"),
    "confirm_homeroom": pgettext_lazy("audit", "confirmed by the homeroom teacher"),
    "confirm_school": pgettext_lazy("audit", "confirmed by the school"),
    "unconfirm": pgettext_lazy("audit", "confirmation withdrawn"),
    "redecide": pgettext_lazy("audit", "decided again"),
    "end": pgettext_lazy("audit", "ended"),
}
AUDIT_THINGS = {
    "account": _("account"),
    "password": _("password"),
    "role": _("role"),
    "email": _("e-mail address"),
    "guardian_link": _("guardian link"),
    "import": _("import"),
    "term": _("term"),
    "school": _("school data"),
    "assessment": _("grade sheet column"),
    "loan_rule": _("loan rule"),
    "closed_period": _("days the library is closed"),
    "analytics": pgettext_lazy("audit", "computation of the figures"),
    "answer": pgettext_lazy("audit", "answer to a data request"),
    "bell_schedule": pgettext_lazy("audit", "bell schedule"),
    "case": pgettext_lazy("audit", "e-service case"),
    "circular": pgettext_lazy("audit", "circular"),
    "free_day": pgettext_lazy("audit", "day free of classes"),
    "grade_category": pgettext_lazy("audit", "grade category"),
    "grading_settings": pgettext_lazy("audit", "grading settings"),
    "homework": pgettext_lazy("audit", "homework"),
    "infomat": pgettext_lazy("audit", "infomat"),
    "loan": pgettext_lazy("audit", "loan"),
    "message": pgettext_lazy("audit", "message"),
    "notification_preferences": pgettext_lazy("audit", "a person's notification settings"),
    "notification_settings": pgettext_lazy("audit", "the school's notification settings"),
    "post": pgettext_lazy("audit", "notice board post"),
    "promotion_decision": pgettext_lazy("audit", "promotion decision"),
    "push_subscription": pgettext_lazy("audit", "push notification subscription"),
    "register_settings": pgettext_lazy("audit", "register settings"),
    "report": pgettext_lazy("audit", "report of a message"),
    "request": pgettext_lazy("audit", "data request"),
    "retake_exam": pgettext_lazy("audit", "retake exam"),
    "school_year": pgettext_lazy("audit", "school year"),
    "service": pgettext_lazy("audit", "e-service"),
    "service_field": pgettext_lazy("audit", "question of an e-service form"),
    "settings": pgettext_lazy("audit", "messaging settings"),
    "task": pgettext_lazy("audit", "background job"),
    "term_grade": pgettext_lazy("audit", "term grade"),
    "test": pgettext_lazy("audit", "test"),
    "timetable_entry": pgettext_lazy("audit", "timetable lesson"),
    "trip": pgettext_lazy("audit", "trip"),
    "external_reader": pgettext_lazy("audit", "reader from outside the school"),
}
AUDIT_ACTIONS = {
    "export": _("export of personal data"),
    "anonymise": _("anonymisation"),
    "password_changed": _("password changed by its owner"),
    "password_reset": _("password reset by e-mail link"),
    "email_changed": _("e-mail address confirmed by its owner"),
    "mfa_added": _("second factor added"),
    "mfa_removed": _("second factor removed"),
    "login.locked": _("sign-ins refused after too many failed attempts"),
    "loan.checkout_override": _("loan despite a refusal"),
    "loan.renew_override": _("renewal despite a refusal"),
    "register_export.xml": _("register exported to XML"),
    "register_export.json": _("register exported to JSON"),
    "register_export.request": _("export of the whole school's register requested"),
    "school_year.rollover": _("next school year started from this one"),
    "register_export.register-pdfs": _("the whole school's register PDFs downloaded"),
    "sheets_export.request": _("a class's record sheets requested as a background job"),
    "register_export.sheets-pdf": _("a class's record sheets downloaded from a background job"),
    "statutory_print.register": _("class register printed to PDF"),
    "statutory_print.attendance_pdf": _("attendance report printed to PDF"),
    "statutory_print.attendance_csv": _("attendance report exported to CSV"),
    "year_archive.request": _("year-end archive requested"),
    "year_archive.create": _("year-end archive made and signed"),
    "year_archive.verify": _("year-end archive verified"),
    "year_archive.download": _("year-end archive downloaded"),
    "case.answer": _("e-service case: the school's message to the applicant"),
    "trip.answer": _("trip: a guardian's answer"),
    "infomat.on": _("this browser made an infomat"),
    "infomat.off": _("infomat mode switched off"),
}


class ReadAccess(models.Model):
    """A staff member opened a pupil's data (read auditing, RODO art. 32).
    Written in one batch at the end of the request."""

    class What(models.TextChoices):
        GRADES = "grades", _("grades")
        ATTENDANCE = "attendance", _("attendance")
        REMARKS = "remarks", _("remarks")
        PERSONAL = "personal", _("personal data")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    actor_name = models.CharField(_("by (name)"), max_length=300, blank=True)
    pupil = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("pupil"),
    )
    school = models.ForeignKey(
        School,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("school"),
    )
    what = models.CharField(_("what"), max_length=20, choices=What.choices)
    path = models.CharField(_("page"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("read access")
        verbose_name_plural = _("read accesses")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["pupil", "-at"]),
            models.Index(fields=["school", "-at"]),
            models.Index(fields=["actor", "-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.actor_name} → {self.pupil_id} ({self.what})"
