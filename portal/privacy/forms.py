from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import AuditEvent


class _DatesForm(forms.Form):
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput({"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput({"type": "date"})
    )
    actor = forms.CharField(label=_("Staff member"), required=False, max_length=100)

    def filters(self) -> dict:
        """The valid filters (an invalid one is shown with its error and ignored)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: v for k, v in data.items() if v and k not in self.errors}


class ReadAccessFilterForm(_DatesForm):
    pupil = forms.CharField(label=_("Pupil"), required=False, max_length=100)

    field_order = ["pupil", "actor", "since", "until"]


class AuditFilterForm(_DatesForm):
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("all"))] + list(AuditEvent.Category.choices),
    )
    person = forms.CharField(label=_("Person concerned"), required=False, max_length=100)

    field_order = ["category", "person", "actor", "since", "until"]


class PersonSearchForm(forms.Form):
    q = forms.CharField(label=_("Name, login or e-mail"), required=False, max_length=100)
