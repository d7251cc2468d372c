"""Forms of the e-services: the family's form built from the service's fields,
the handler's steps, and the catalogue."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import HandlerRole, Service, ServiceField, Status, Trip

MAX_UPLOAD = 5 * 1024 * 1024


def _check_upload(upload):
    if upload and upload.size > MAX_UPLOAD:
        raise forms.ValidationError(_("An attachment may have at most 5 MB."))
    return upload


class CaseForm(forms.Form):
    """The service's questions; a pupil to choose when the service is about one,
    and the consent when the service needs it."""

    def __init__(self, *args, service: Service, children=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.service = service
        self.service_fields = list(service.fields.all())
        if service.needs_pupil:
            self.fields["pupil"] = forms.TypedChoiceField(
                label=_("Child"),
                choices=[("", "---------")]
                + [(c.pk, c.get_full_name() or c.username) for c in children],
                coerce=int,
            )
        for field in self.service_fields:
            self.fields[f"f{field.pk}"] = self._field(field)
        if service.consents:
            self.fields["consent"] = forms.BooleanField(label=service.consents, required=True)

    @staticmethod
    def _field(field: ServiceField):
        common = {"label": field.label, "required": field.required, "help_text": field.help_text}
        kind = field.kind
        if kind == ServiceField.Kind.LONG_TEXT:
            return forms.CharField(
                widget=forms.Textarea(attrs={"rows": 4}), max_length=4000, **common
            )
        if kind == ServiceField.Kind.DATE:
            return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
        if kind == ServiceField.Kind.CHOICE:
            return forms.ChoiceField(
                choices=[("", "---------")] + [(c, c) for c in field.choice_list], **common
            )
        if kind == ServiceField.Kind.CHECKBOX:
            return forms.BooleanField(**common)
        if kind == ServiceField.Kind.ATTACHMENT:
            return forms.FileField(validators=[_check_upload], **common)
        return forms.CharField(max_length=500, **common)

    def clean(self):
        data = super().clean()
        by_key = {f.key: f"f{f.pk}" for f in self.service_fields if f.key}
        first, last = data.get(by_key.get("first_day", "")), data.get(by_key.get("last_day", ""))
        if first and last and last < first:
            self.add_error(by_key["last_day"], _("The last day comes before the first."))
        lo, hi = data.get(by_key.get("first_lesson", "")), data.get(by_key.get("last_lesson", ""))
        if lo and hi and int(lo) > int(hi):
            self.add_error(by_key["last_lesson"], _("The last lesson comes before the first."))
        return data

    def answers(self) -> dict[int, object]:
        return {
            f.pk: self.cleaned_data.get(f"f{f.pk}")
            for f in self.service_fields
            if f.kind != ServiceField.Kind.ATTACHMENT
        }

    def files_by_field(self) -> dict[int, object]:
        return {
            f.pk: self.cleaned_data.get(f"f{f.pk}")
            for f in self.service_fields
            if f.kind == ServiceField.Kind.ATTACHMENT and self.cleaned_data.get(f"f{f.pk}")
        }


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        required=False,
    )
    attachment = forms.FileField(label=_("Attachment"), required=False, validators=[_check_upload])


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("New status"), choices=Status.choices)
    text = forms.CharField(
        label=_("Reason or what to complete"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
        help_text=_("Required for a refusal and a request for completion; the family sees it."),
    )


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    internal = forms.BooleanField(
        label=_("Internal note (the family does not see it)"), required=False
    )


class ReassignForm(forms.Form):
    reason = forms.CharField(label=_("Why (optional)"), max_length=300, required=False)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"] = forms.ModelChoiceField(
            label=_("Hand over to"), queryset=candidates
        )


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason of revoking"), max_length=500)


class ServiceForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = [
            "name",
            "description",
            "handler_role",
            "deadline_days",
            "consents",
            "needs_pupil",
            "enabled",
            "position",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "consents": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler_role"].choices = HandlerRole.choices
        if self.instance.kind:  # the built-ins' handling is what the portal does
            self.fields["needs_pupil"].disabled = True
            if self.instance.kind in ("advance_absence",):
                self.fields["handler_role"].disabled = True


class ServiceFieldForm(forms.ModelForm):
    class Meta:
        model = ServiceField
        fields = ["label", "kind", "required", "choices", "help_text", "position"]
        widgets = {"choices": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.key:
            self.fields["kind"].disabled = True


class TripForm(forms.ModelForm):
    """A teacher's new trip: one of their classes, and optionally a group of its
    pupils (none chosen: the whole class)."""

    pupils = forms.TypedMultipleChoiceField(
        label=_("Group of pupils"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for the whole class."),
    )

    class Meta:
        model = Trip
        fields = [
            "school_class",
            "title",
            "starts_on",
            "ends_on",
            "place",
            "cost",
            "description",
            "consent_deadline",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "consent_deadline": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, classes, pupils_by_class: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = classes
        self.fields["school_class"].empty_label = None
        self.fields["pupils"].choices = [
            (p.pk, f"{school_class}: {p.get_full_name() or p.username}")
            for school_class, pupils in pupils_by_class.items()
            for p in pupils
        ]
        self.pupils_by_class = pupils_by_class

    def chosen_pupils(self):
        """The chosen pupils of the chosen class, or None for the whole class."""
        ids = set(self.cleaned_data.get("pupils") or ())
        if not ids:
            return None
        pupils = self.pupils_by_class.get(self.cleaned_data["school_class"], [])
        return [p for p in pupils if p.pk in ids]


class TripChangeForm(forms.ModelForm):
    """The organiser's changes to a trip still open for answers (the class and its
    pupils stay as they are)."""

    class Meta:
        model = Trip
        fields = TripForm.Meta.fields[1:]
        widgets = TripForm.Meta.widgets


class TripCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the trip cancelled?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The guardians are told."),
    )


class TripAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=pgettext_lazy("trip consent", "Answer"),
        choices=[("consent", _("I consent")), ("refusal", _("I do not consent"))],
    )
    note = forms.CharField(label=_("Note for the teacher"), max_length=500, required=False)
