"""Forms of the class register. Choice fields are built from querysets scoped
to the user, so a crafted id of another school or family is an invalid choice."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.inputs import IdMultipleChoiceField, id_from
from portal.models import Role, SchoolClass, TeachingAssignment, User

from .models import Announcement, FreeDay, PlannedTest, RegisterSettings, Remark, TimetableEntry


class AssignmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: TeachingAssignment) -> str:
        target = (
            f"{obj.school_class.name} {obj.group.name}" if obj.group_id else obj.school_class.name
        )
        school = obj.school_class.school_year.school.short_name
        return f"{target} ({school}) – {obj.subject.name}, {obj.teacher.get_full_name()}"


def _assignments(qs):
    """Every picker of a teacher's lessons shows class, school, subject and
    teacher: "8a (SP 1) – Matematyka, Jan Nowak", so two schools' 8a differ."""
    return qs.select_related(
        "school_class__school_year__school", "group", "subject", "teacher"
    ).order_by("school_class__level", "school_class__name", "subject__name")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class LessonAddForm(forms.Form):
    """A one-off lesson or a substitution (a lesson given by another teacher)."""

    assignment = AssignmentChoiceField(label=_("Class and subject"), queryset=None)
    date = forms.DateField(label=_("Date"), widget=DateInput, initial=timezone.localdate)
    number = forms.IntegerField(label=_("Lesson number"), min_value=1, max_value=10)
    substitute = forms.ModelChoiceField(
        label=_("Substitute teacher"),
        queryset=None,
        required=False,
        help_text=_("Leave empty when the lesson's own teacher gives it."),
    )

    def __init__(self, *args, assignments, school_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].queryset = _assignments(assignments)
        self.fields["substitute"].queryset = User.objects.filter(
            role_assignments__role=Role.TEACHER, role_assignments__school_id__in=school_ids
        ).distinct()


class TimetableEntryForm(forms.ModelForm):
    assignment = AssignmentChoiceField(label=_("Subject and teacher"), queryset=None)

    class Meta:
        model = TimetableEntry
        fields = ["assignment", "weekday", "number", "room", "valid_from", "valid_until"]
        widgets = {"valid_from": DateInput, "valid_until": DateInput}

    def __init__(self, *args, school_class: SchoolClass, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].queryset = _assignments(
            TeachingAssignment.objects.filter(school_class=school_class)
        )


class RegisterSettingsForm(forms.ModelForm):
    class Meta:
        model = RegisterSettings
        fields = [
            "late_counts_as_present",
            "tests_per_week",
            "tests_per_day",
            "test_notice_days",
            "test_limits_block",
            "closed_before",
            "absence_warning_percent",
        ]
        widgets = {"closed_before": DateInput}


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class BellScheduleForm(forms.Form):
    """Start and end of lessons 1 to 10; a lesson left empty is not in the schedule."""

    NUMBERS = range(1, 11)

    def __init__(self, *args, hours: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for n in self.NUMBERS:
            start, end = hours.get(n, (None, None))
            self.fields[f"start_{n}"] = forms.TimeField(
                label=_("Lesson %(n)s starts") % {"n": n},
                required=False,
                initial=start,
                widget=TimeInput,
            )
            self.fields[f"end_{n}"] = forms.TimeField(
                label=_("Lesson %(n)s ends") % {"n": n},
                required=False,
                initial=end,
                widget=TimeInput,
            )

    def rows(self):
        """(number, start field, end field) for the table of the settings page."""
        return [(n, self[f"start_{n}"], self[f"end_{n}"]) for n in self.NUMBERS]

    def clean(self):
        data = super().clean()
        hours, previous_end = {}, None
        for n in self.NUMBERS:
            start, end = data.get(f"start_{n}"), data.get(f"end_{n}")
            if f"start_{n}" in self.errors or f"end_{n}" in self.errors:
                continue
            if start is None and end is None:
                continue
            if start is None or end is None:
                missing = f"start_{n}" if start is None else f"end_{n}"
                self.add_error(missing, _("Give both the start and the end of the lesson."))
                continue
            if end <= start:
                self.add_error(f"end_{n}", _("A lesson must end after it starts."))
                continue
            if previous_end is not None and start < previous_end:
                self.add_error(
                    f"start_{n}", _("A lesson cannot start before the previous one ends.")
                )
                continue
            hours[n] = (start, end)
            previous_end = end
        data["hours"] = hours
        return data


class FreeDayForm(forms.ModelForm):
    class Meta:
        model = FreeDay
        fields = ["name", "start", "end"]
        widgets = {"start": DateInput, "end": DateInput}


class ExcuseForm(forms.Form):
    """Whole days, single lessons, or both."""

    days = forms.MultipleChoiceField(
        label=_("Whole days"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A whole day also covers that day's lessons the teachers mark later."),
    )
    attendances = IdMultipleChoiceField(
        label=_("Single lessons"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, absences, **kwargs):
        super().__init__(*args, **kwargs)
        self.absences = list(absences)
        self.fields["attendances"].queryset = absences
        self.fields["attendances"].label_from_instance = lambda a: (
            f"{a.lesson.date:%d.%m.%Y}, {a.lesson.number}. {a.lesson.assignment.subject.name}"
        )
        dates = sorted({a.lesson.date for a in self.absences}, reverse=True)
        self.fields["days"].choices = [(d.isoformat(), f"{d:%d.%m.%Y}") for d in dates]

    def clean(self):
        data = super().clean()
        days = set(data.get("days") or [])
        chosen = {a.pk for a in data.get("attendances") or []}
        chosen |= {a.pk for a in self.absences if a.lesson.date.isoformat() in days}
        if not chosen:
            raise forms.ValidationError(_("Choose at least one day or lesson."))
        data["attendance_ids"] = sorted(chosen)
        data["whole_days"] = sorted(datetime.date.fromisoformat(day) for day in days)
        return data


class DecisionForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("accept")), ("0", _("reject"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (required when rejecting)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RemarkForm(forms.ModelForm):
    pupil = forms.ModelChoiceField(label=_("Pupil"), queryset=None)

    class Meta:
        model = Remark
        fields = ["pupil", "kind", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, pupils, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = pupils


class RemarkEditForm(forms.ModelForm):
    class Meta:
        model = Remark
        fields = ["kind", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}


class HomeworkForm(forms.Form):
    assignment = AssignmentChoiceField(label=_("Class and subject"), queryset=None)
    due_date = forms.DateField(label=_("Due date"), widget=DateInput)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    attachment = forms.FileField(
        label=_("Attachment"),
        required=False,
        help_text=_("PDF, image, DOCX, ODT or text; at most 5 MB."),
    )

    def __init__(self, *args, assignments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].queryset = _assignments(assignments)


class PlannedTestForm(forms.Form):
    assignment = AssignmentChoiceField(label=_("Class and subject"), queryset=None)
    date = forms.DateField(label=_("Date"), widget=DateInput)
    kind = forms.ChoiceField(label=_("Kind"), choices=PlannedTest.Kind.choices)
    scope = forms.CharField(label=_("Scope"), max_length=300)
    confirmed = forms.BooleanField(
        label=_("Plan it although it breaks a school limit"), required=False
    )

    def __init__(self, *args, assignments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].queryset = _assignments(assignments)


class HomeworkEditForm(forms.Form):
    due_date = forms.DateField(label=_("Due date"), widget=DateInput)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    attachment = forms.FileField(
        label=_("New attachment"),
        required=False,
        help_text=_("PDF, image, DOCX, ODT or text; at most 5 MB. Replaces the current one."),
    )
    remove_attachment = forms.BooleanField(label=_("Remove the attachment"), required=False)


class PlannedTestEditForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    kind = forms.ChoiceField(label=_("Kind"), choices=PlannedTest.Kind.choices)
    scope = forms.CharField(label=_("Scope"), max_length=300)
    confirmed = forms.BooleanField(
        label=_("Move it although it breaks a school limit"), required=False
    )


class AnnouncementForm(forms.Form):
    school = forms.ModelChoiceField(label=_("School"), queryset=None)
    audience = forms.ChoiceField(label=_("To"), choices=Announcement.Audience.choices)
    classes = IdMultipleChoiceField(
        label=_("Classes"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only when the announcement goes to chosen classes."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, schools, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        self.fields["classes"].queryset = classes.select_related("school_year__school")
        self.fields["classes"].label_from_instance = lambda c: f"{c.name} ({c.school_year.school})"


def attendance_marks(post) -> tuple[dict, list[str]]:
    """The lesson screen's marks: `s-<pupil>` is a status code, `m-<pupil>` the
    minutes late. Returns {pupil id: Mark} and the errors (a pupil id that is
    no id answers 400 through portal.inputs)."""
    from .services import Mark

    marks, errors = {}, []
    for key, value in post.items():
        if not key.startswith("s-"):
            continue
        pupil_id = id_from(key[2:], key)
        minutes = post.get(f"m-{pupil_id}") or None
        try:
            minutes = int(minutes) if minutes else None
        except ValueError:
            return {}, [_("Minutes late must be a whole number.")]
        marks[pupil_id] = Mark(value, minutes)
    return marks, errors
