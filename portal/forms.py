from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .inputs import IdMultipleChoiceField
from .models import (
    Enrolment,
    GuardianLink,
    ImportRun,
    Role,
    School,
    SchoolClass,
    SchoolYear,
    Subject,
    TeachingAssignment,
    TeachingGroup,
    Term,
    User,
)
from .permissions import current_enrolments, current_pupils_manageable, people_manageable
from .services import SCHOOL_ROLE_CHOICES


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def teachers_of(school):
    return User.objects.filter(
        role_assignments__school=school, role_assignments__role=Role.TEACHER
    ).distinct()


def pupils_of(school):
    return User.objects.filter(enrolments__school_class__school_year__school=school).distinct()


class SchoolScopedForm(forms.ModelForm):
    """A model form whose choices are limited to one school, so a crafted POST
    with another school's id fails validation like any other bad choice.
    `manager` is the signed-in user: choices of people are limited to the
    accounts they may act on."""

    def __init__(self, *args, school: School, manager: User | None = None, **kwargs):
        self.school = school
        self.manager = manager
        super().__init__(*args, **kwargs)
        self.scope(school)
        for field in self.fields.values():
            if isinstance(field.widget, forms.DateInput):
                field.widget = DateInput()

    def scope(self, school):
        pass


class SchoolForm(forms.ModelForm):
    class Meta:
        model = School
        fields = [
            "name",
            "short_name",
            "school_type",
            "rspo",
            "street",
            "postal_code",
            "city",
            "phone",
            "email",
            "website",
            "headteacher",
        ]


class SchoolYearForm(SchoolScopedForm):
    class Meta:
        model = SchoolYear
        fields = ["name", "start", "end", "is_current"]
        widgets = {"start": DateInput(), "end": DateInput()}

    def _post_clean(self):
        self.instance.school = self.school
        super()._post_clean()

    def validate_unique(self):
        # The one-current-year rule is applied by school_year_save.
        try:
            self.instance.validate_unique(exclude=self._get_validation_exclusions())
        except forms.ValidationError as e:
            self._update_errors(e)

    def validate_constraints(self):
        pass


class TermForm(SchoolScopedForm):
    class Meta:
        model = Term
        fields = ["school_year", "number", "start", "end"]
        widgets = {"start": DateInput(), "end": DateInput()}

    def scope(self, school):
        self.fields["school_year"].queryset = SchoolYear.objects.filter(school=school)


class SchoolClassForm(SchoolScopedForm):
    class Meta:
        model = SchoolClass
        fields = ["school_year", "name", "level", "homeroom_teacher"]

    def scope(self, school):
        self.fields["school_year"].queryset = SchoolYear.objects.filter(school=school)
        self.fields["homeroom_teacher"].queryset = teachers_of(school)


class TeachingGroupForm(SchoolScopedForm):
    class Meta:
        model = TeachingGroup
        fields = ["school_class", "name", "pupils"]
        widgets = {"pupils": forms.CheckboxSelectMultiple}
        field_classes = {"pupils": IdMultipleChoiceField}

    def scope(self, school):
        self.fields["school_class"].queryset = SchoolClass.objects.current().for_school(school)
        self.fields["pupils"].queryset = pupils_of(school)

    def clean(self):
        cleaned = super().clean()
        school_class = cleaned.get("school_class")
        if school_class:
            members = set(school_class.enrolments.values_list("pupil_id", flat=True))
            outsiders = [p for p in cleaned.get("pupils", []) if p.pk not in members]
            if outsiders:
                self.add_error(
                    "pupils",
                    _("Only pupils of class %(name)s can be in its groups.")
                    % {"name": school_class.name},
                )
        return cleaned


class SubjectForm(SchoolScopedForm):
    class Meta:
        model = Subject
        fields = ["name", "short_name"]

    def _post_clean(self):
        self.instance.school = self.school
        super()._post_clean()


class TeachingAssignmentForm(SchoolScopedForm):
    class Meta:
        model = TeachingAssignment
        fields = ["teacher", "school_class", "group", "subject"]

    def scope(self, school):
        self.fields["teacher"].queryset = teachers_of(school)
        self.fields["school_class"].queryset = SchoolClass.objects.current().for_school(school)
        self.fields["group"].queryset = TeachingGroup.objects.filter(
            school_class__school_year__school=school
        )
        self.fields["subject"].queryset = Subject.objects.filter(school=school)


class EnrolmentForm(SchoolScopedForm):
    class Meta:
        model = Enrolment
        fields = ["pupil", "school_class", "start_date", "end_date", "register_number"]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def scope(self, school):
        # A pupil's existing enrolment stays editable (it is the school's register);
        # a new one only for pupils whose accounts the school manages.
        pupils = people_manageable(school, self.manager).filter(enrolments__isnull=False)
        condition = Q(pk__in=pupils.values("pk"))
        if self.instance.pupil_id:
            condition |= Q(pk=self.instance.pupil_id)
        self.fields["pupil"].queryset = User.objects.filter(condition)
        self.fields["school_class"].queryset = SchoolClass.objects.for_school(school)

    def clean(self):
        from .years import year_closed_error

        cleaned = super().clean()
        years = [c.school_year for c in (cleaned.get("school_class"), self.instance_class()) if c]
        for year in years:
            if year.closed_at is not None:
                raise forms.ValidationError(year_closed_error(year).message)
        return cleaned

    def instance_class(self):
        return self.instance.school_class if self.instance.school_class_id else None


class GuardianLinkForm(SchoolScopedForm):
    class Meta:
        model = GuardianLink
        fields = ["guardian", "pupil", "relation"]

    def scope(self, school):
        pupils = current_pupils_manageable(school, self.manager)
        self.fields["pupil"].queryset = pupils
        self.fields["guardian"].queryset = (
            people_manageable(school, self.manager)
            .exclude(pk__in=current_enrolments(timezone.localdate()).values("pupil_id"))
            .order_by("last_name", "first_name")
        )


class PersonForm(forms.Form):
    """Create or edit a person of the school with their roles there."""

    KIND_CHOICES = [
        ("staff", _("staff member")),
        ("pupil", _("pupil")),
        ("guardian", _("guardian")),
    ]

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    username = forms.CharField(
        label=_("Login"),
        max_length=150,
        required=False,
        help_text=_("Leave empty to generate one like jan.kowalski."),
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    pesel = forms.CharField(label=_("PESEL"), max_length=11, required=False)
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput())
    kind = forms.ChoiceField(
        label=_("Kind of account"), choices=KIND_CHOICES, widget=forms.RadioSelect, initial="staff"
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles at this school"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(r.value, r.label) for r in SCHOOL_ROLE_CHOICES],
    )
    school_class = forms.ModelChoiceField(
        label=_("Class (for a pupil)"), required=False, queryset=SchoolClass.objects.none()
    )
    register_number = forms.IntegerField(
        label=_("Number in the register"), required=False, min_value=1, max_value=99
    )
    child = forms.ModelChoiceField(
        label=_("Child (for a guardian)"), required=False, queryset=User.objects.none()
    )
    relation = forms.ChoiceField(
        label=_("Relation"), choices=GuardianLink.Relation.choices, required=False
    )

    ACCOUNT_FIELDS = ("first_name", "last_name", "username", "email", "phone", "pesel")

    def __init__(
        self,
        *args,
        school: School,
        manager: User | None = None,
        editing: bool = False,
        account_locked: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.school = school
        self.fields["school_class"].queryset = SchoolClass.objects.current().for_school(school)
        self.fields["child"].queryset = current_pupils_manageable(school, manager)
        if editing:
            for name in ("kind", "school_class", "register_number", "child", "relation"):
                del self.fields[name]
        if account_locked:
            # Another school or the municipality shares this account: its data is
            # not this school's to change; only the roles at this school are.
            for name in (*self.ACCOUNT_FIELDS, "date_of_birth"):
                self.fields[name].disabled = True

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == "pupil" and not cleaned.get("school_class"):
            self.add_error("school_class", _("Choose the pupil's class."))
        if kind == "guardian" and not cleaned.get("child"):
            self.add_error("child", _("Choose the guardian's child."))
        if kind == "staff" and "roles" in self.fields and not cleaned.get("roles"):
            self.add_error("roles", _("Choose at least one role."))
        return cleaned


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file contains"), choices=ImportRun.Kind.choices)
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Semicolon-separated, UTF-8 or Windows-1250, with a header "
            "row, as exported from the secretariat software."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(_("Upload a .csv file."))
        return upload
