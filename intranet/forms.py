"""Forms of the intranet. They parse input; rules live in services."""

from __future__ import annotations

import decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.inputs import IdMultipleChoiceField
from portal.models import School

from .models import DataRequest, RequestField


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


FILES_HELP = _("PDF, image, DOCX, XLSX, ODT, ODS, CSV or text; at most 10 MB each.")


class SchoolsField(IdMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(
            queryset=School.objects.order_by("name"),
            required=False,
            label=_("Schools"),
            help_text=_("Leave all unticked to send to every school."),
            **kwargs,
        )

    def label_from_instance(self, obj):
        return obj.name


class CircularForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Plain text; web addresses become links."),
    )
    schools = SchoolsField()
    files = MultipleFileField(label=_("Attachments"), required=False, help_text=FILES_HELP)


class RequestForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("Plain text; web addresses become links."),
    )
    kind = forms.ChoiceField(
        label=_("The schools send"), choices=DataRequest.Kind.choices, widget=forms.RadioSelect
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput)
    schools = SchoolsField()


class FieldForm(forms.Form):
    label = forms.CharField(label=_("Question"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=RequestField.Kind.choices)
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)


FieldFormSet = forms.formset_factory(FieldForm, extra=5, max_num=20)


class PostForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Plain text; web addresses become links."),
    )
    expires_on = forms.DateField(
        label=_("Visible until"),
        widget=DateInput,
        required=False,
        help_text=_("Leave empty to keep it on the noticeboard."),
    )
    files = MultipleFileField(label=_("Attachments"), required=False, help_text=FILES_HELP)


class AnswerForm(forms.Form):
    """A school's answer: the request's own questions, or a document."""

    def __init__(self, *args, data_request: DataRequest, answer=None, **kwargs):
        initial = {}
        if answer is not None:
            initial["note"] = answer.note
            for key, value in (answer.values or {}).items():
                initial[f"f{key}"] = value
        super().__init__(*args, initial=initial, **kwargs)
        self.request_fields = list(data_request.fields.all())
        if data_request.kind == DataRequest.Kind.DOCUMENT:
            self.fields["file"] = forms.FileField(
                label=_("Document"),
                required=answer is None or not answer.file,
                help_text=FILES_HELP,
            )
        for field in self.request_fields:
            name = f"f{field.pk}"
            if field.kind == RequestField.Kind.NUMBER:
                self.fields[name] = forms.DecimalField(
                    label=field.label, required=field.required, max_digits=14, decimal_places=4
                )
            elif field.kind == RequestField.Kind.YES_NO:
                self.fields[name] = forms.TypedChoiceField(
                    label=field.label,
                    required=field.required,
                    choices=[("", "—"), ("1", _("yes")), ("0", _("no"))]
                    if not field.required
                    else [("1", _("yes")), ("0", _("no"))],
                    coerce=lambda v: v == "1",
                    empty_value=None,
                    widget=forms.RadioSelect,
                )
                if name in self.initial and self.initial[name] is not None:
                    self.initial[name] = "1" if self.initial[name] else "0"
            else:
                self.fields[name] = forms.CharField(
                    label=field.label, required=field.required, max_length=2000
                )
        self.fields["note"] = forms.CharField(
            label=pgettext_lazy("intranet", "Note"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
        )

    def values(self) -> dict:
        result = {}
        for field in self.request_fields:
            value = self.cleaned_data.get(f"f{field.pk}")
            if isinstance(value, decimal.Decimal):
                value = format(value.normalize(), "f")
            result[str(field.pk)] = value
        return result
