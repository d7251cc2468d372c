"""The class register: timetable, lessons, attendance, excuses, remarks, homework,
the test calendar, announcements, calendar feed tokens and the change history."""

from __future__ import annotations

import datetime
import secrets
import uuid
from pathlib import PurePath

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.files import private_storage
from portal.models import AuditEntry, School, SchoolClass, TeachingAssignment

LESSON_NUMBERS = [MinValueValidator(1), MaxValueValidator(10)]


class RegisterSettings(models.Model):
    """Per-school rules of the register (school statute), with the domain defaults."""

    school = models.OneToOneField(
        School, on_delete=models.CASCADE, related_name="register_settings", verbose_name=_("school")
    )
    late_counts_as_present = models.BooleanField(_("lateness counts as present"), default=True)
    tests_per_week = models.PositiveSmallIntegerField(_("tests per week per class"), default=3)
    tests_per_day = models.PositiveSmallIntegerField(_("tests per day per class"), default=1)
    test_notice_days = models.PositiveSmallIntegerField(_("days of notice for a test"), default=7)
    test_limits_block = models.BooleanField(
        _("test limits block"),
        default=False,
        help_text=_("When off, breaking a limit only warns the teacher."),
    )
    closed_before = models.DateField(
        _("register closed before"),
        null=True,
        blank=True,
        help_text=_("No entries may be made for lessons before this date (a closed term)."),
    )
    absence_warning_percent = models.PositiveSmallIntegerField(
        _("warn at absence percent"), default=40
    )

    class Meta:
        verbose_name = _("register settings")
        verbose_name_plural = _("register settings")

    def __str__(self) -> str:
        return str(self.school)

    @classmethod
    def for_school(cls, school_id: int) -> RegisterSettings:
        found = cls.objects.filter(school_id=school_id).first()
        return found or cls(school_id=school_id)


class FreeDay(models.Model):
    """A holiday or a day free of lessons (a range of dates)."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="free_days", verbose_name=_("school")
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("free day")
        verbose_name_plural = _("free days")
        ordering = ["school", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=F("start")),
                name="register_freeday_dates",
                violation_error_message=_("The free period cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class LessonHour(models.Model):
    """The school's bell schedule: when lesson N starts and ends."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="lesson_hours", verbose_name=_("school")
    )
    number = models.PositiveSmallIntegerField(_("lesson number"), validators=LESSON_NUMBERS)
    start = models.TimeField(_("starts"))
    end = models.TimeField(_("ends"))

    class Meta:
        verbose_name = _("lesson hours")
        verbose_name_plural = _("bell schedule")
        ordering = ["school", "number"]
        constraints = [
            models.UniqueConstraint(fields=["school", "number"], name="register_lessonhour_unique"),
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="register_lessonhour_times",
                violation_error_message=_("A lesson must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.start:%H:%M}–{self.end:%H:%M}"


class TimetableEntry(models.Model):
    """A weekly slot: this assignment is taught on this weekday in this lesson."""

    assignment = models.ForeignKey(
        TeachingAssignment,
        on_delete=models.CASCADE,
        related_name="timetable_entries",
        verbose_name=_("teaching assignment"),
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"),
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
        ],
    )
    number = models.PositiveSmallIntegerField(_("lesson number"), validators=LESSON_NUMBERS)
    room = models.CharField(_("room"), max_length=20, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("timetable entry")
        verbose_name_plural = _("timetable entries")
        ordering = ["weekday", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "weekday", "number"], name="register_timetable_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.number}: {self.assignment}"

    def overlaps(self, other: TimetableEntry) -> bool:
        """Both slots are in force on some common day."""
        return (
            self.valid_from is None
            or other.valid_until is None
            or self.valid_from <= other.valid_until
        ) and (
            other.valid_from is None
            or self.valid_until is None
            or other.valid_from <= self.valid_until
        )

    def applies_on(self, day: datetime.date) -> bool:
        return (
            day.weekday() == self.weekday
            and (self.valid_from is None or self.valid_from <= day)
            and (self.valid_until is None or day <= self.valid_until)
        )


class LessonQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related(
            "assignment__school_class__school_year__school",
            "assignment__group",
            "assignment__subject",
            "assignment__teacher",
            "substitute_teacher",
        )

    def for_teacher(self, user):
        return self.filter(Q(assignment__teacher=user) | Q(substitute_teacher=user))


class Lesson(models.Model):
    """One lesson held (or to be held): materialised from the timetable when a
    teacher opens it, or entered as a one-off lesson."""

    assignment = models.ForeignKey(
        TeachingAssignment,
        on_delete=models.PROTECT,
        related_name="lessons",
        verbose_name=_("teaching assignment"),
    )
    date = models.DateField(_("date"))
    number = models.PositiveSmallIntegerField(_("lesson number"), validators=LESSON_NUMBERS)
    topic = models.CharField(_("topic"), max_length=300, blank=True)
    substitute_teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="substitute_lessons",
        verbose_name=_("substitute teacher"),
    )
    is_one_off = models.BooleanField(_("one-off lesson"), default=False)
    attendance_taken = models.BooleanField(_("attendance taken"), default=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = LessonQuerySet.as_manager()

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ["date", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "date", "number"], name="register_lesson_unique"
            )
        ]
        indexes = [models.Index(fields=["date", "number"])]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y} {self.number}. {self.assignment.subject} {self.target}"

    @property
    def target(self) -> str:
        a = self.assignment
        return f"{a.school_class.name} {a.group.name}" if a.group_id else a.school_class.name

    @property
    def teacher(self):
        return self.substitute_teacher if self.substitute_teacher_id else self.assignment.teacher

    @property
    def is_complete(self) -> bool:
        return bool(self.topic) and self.attendance_taken


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "p", _("present")
        EXCUSED = "u", _("excused absence")
        UNEXCUSED = "n", _("unexcused absence")
        LATE = "s", _("late")
        RELEASED = "z", _("released")
        SCHOOL = "sz", _("absent for school reasons")

    ABSENT = {Status.EXCUSED, Status.UNEXCUSED}

    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("lesson")
    )
    pupil = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="attendances",
        verbose_name=_("pupil"),
    )
    status = models.CharField(_("status"), max_length=2, choices=Status.choices)
    minutes_late = models.PositiveSmallIntegerField(
        _("minutes late"), null=True, blank=True, validators=[MaxValueValidator(45)]
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["lesson", "pupil"], name="register_attendance_unique")
        ]
        indexes = [models.Index(fields=["pupil", "status"])]

    def __str__(self) -> str:
        return f"{self.pupil} {self.lesson}: {self.get_status_display()}"


class Excuse(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    pupil = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="excuses",
        verbose_name=_("pupil"),
    )
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="excuses", verbose_name=_("class")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="submitted_excuses",
        verbose_name=_("submitted by"),
    )
    reason = models.TextField(_("reason"))
    attendances = models.ManyToManyField(
        Attendance, related_name="excuses", verbose_name=_("absences")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason of the decision"), blank=True)
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("excuse")
        verbose_name_plural = _("excuses")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.pupil} ({self.get_status_display()})"


class ExcuseDay(models.Model):
    """A whole school day an excuse covers: lessons of that day marked absent
    later are covered too (attached while the excuse is pending, excused once it
    is accepted)."""

    excuse = models.ForeignKey(
        Excuse, on_delete=models.CASCADE, related_name="days", verbose_name=_("excuse")
    )
    date = models.DateField(_("day"))
    # An advance notice may cover only some lessons of the day (both empty: all)
    first_lesson = models.PositiveSmallIntegerField(
        _("from lesson"), null=True, blank=True, validators=LESSON_NUMBERS
    )
    last_lesson = models.PositiveSmallIntegerField(
        _("to lesson"), null=True, blank=True, validators=LESSON_NUMBERS
    )

    class Meta:
        verbose_name = _("excused day")
        verbose_name_plural = _("excused days")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["excuse", "date"],
                name="register_excuse_day_unique",
                violation_error_message=_("This day is already in the excuse."),
            )
        ]
        indexes = [models.Index(fields=["date"])]

    def __str__(self) -> str:
        return f"{self.excuse_id}: {self.date:%d.%m.%Y}"

    def covers(self, number: int) -> bool:
        """Whether the lesson `number` of the day is covered."""
        return (self.first_lesson or 1) <= number <= (self.last_lesson or 99)


class Remark(models.Model):
    class Kind(models.TextChoices):
        POSITIVE = "positive", _("positive")
        NEGATIVE = "negative", _("negative")
        NEUTRAL = "neutral", _("neutral")

    pupil = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="remarks",
        verbose_name=_("pupil"),
    )
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="remarks", verbose_name=_("class")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="authored_remarks",
        verbose_name=_("author"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("remark")
        verbose_name_plural = _("remarks")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.pupil}: {self.get_kind_display()}"


def homework_upload_to(instance, filename: str) -> str:
    """The server chooses the stored name; only the checked extension is kept."""
    suffix = PurePath(filename).suffix.lower()
    return f"register/homework/{uuid.uuid4().hex}{suffix}"


class Homework(models.Model):
    assignment = models.ForeignKey(
        TeachingAssignment,
        on_delete=models.CASCADE,
        related_name="homework",
        verbose_name=_("teaching assignment"),
    )
    due_date = models.DateField(_("due date"))
    description = models.TextField(_("description"))
    # In the private storage: only `register:homework_file` (homework_visible_to) serves it.
    attachment = models.FileField(
        _("attachment"), upload_to=homework_upload_to, storage=private_storage, blank=True
    )
    attachment_name = models.CharField(_("original file name"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("homework")
        verbose_name_plural = _("homework")
        ordering = ["due_date"]

    def __str__(self) -> str:
        return f"{self.assignment.subject} {self.due_date}"


class PlannedTest(models.Model):
    class Kind(models.TextChoices):
        TEST = "test", _("test")
        QUIZ = "quiz", _("quiz")

    assignment = models.ForeignKey(
        TeachingAssignment,
        on_delete=models.CASCADE,
        related_name="planned_tests",
        verbose_name=_("teaching assignment"),
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TEST)
    scope = models.CharField(_("scope"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("test")
        verbose_name_plural = _("tests")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.assignment.subject} {self.date}"


class Announcement(models.Model):
    class Audience(models.TextChoices):
        SCHOOL = "school", _("the whole school")
        CLASSES = "classes", _("chosen classes")
        GUARDIANS = "guardians", _("guardians")
        STAFF = "staff", _("staff")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="announcements", verbose_name=_("school")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="announcements",
        verbose_name=_("author"),
    )
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices)
    classes = models.ManyToManyField(
        SchoolClass, blank=True, related_name="announcements", verbose_name=_("classes")
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class AnnouncementRead(models.Model):
    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="reads", verbose_name=_("announcement")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    read_at = models.DateTimeField(_("read at"), auto_now_add=True)

    class Meta:
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        constraints = [
            models.UniqueConstraint(fields=["announcement", "user"], name="register_read_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.announcement_id}"


def new_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarToken(models.Model):
    """The secret of a user's iCalendar feed URL; deleting it revokes the feed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="register_calendar_token",
        verbose_name=_("user"),
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user_id}"


class RegisterChange(AuditEntry):
    """History of every change in the register: who, when, before and after."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")

    class Meta(AuditEntry.Meta):
        verbose_name = _("register change")
        verbose_name_plural = _("register changes")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.action} {self.content_type_id}:{self.object_id}"
