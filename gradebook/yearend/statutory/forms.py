"""The printout form: a class the user may print, a month of its school year or
the whole year, and which document."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.utils.translation import gettext_lazy as _

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str) -> datetime.date | None:
    """`YYYY-MM` (what `<input type="month">` sends) as the month's first day;
    None for an empty value. ValueError for anything else."""
    value = (value or "").strip()
    if not value:
        return None
    match = MONTH.match(value)
    if not match:
        raise ValueError(value)
    return datetime.date(int(match[1]), int(match[2]), 1)


def month_error(school_class, month: datetime.date | None) -> str | None:
    """Why the month cannot be printed for the class (None: it can)."""
    year = school_class.school_year
    if month is not None and not (year.start.replace(day=1) <= month <= year.end.replace(day=1)):
        return _("Choose a month of the school year %(name)s (%(start)s – %(end)s).") % {
            "name": year.name,
            "start": year.start.strftime("%m.%Y"),
            "end": year.end.strftime("%m.%Y"),
        }
    return None


class PrintoutForm(forms.Form):
    DOCUMENTS = (
        ("register", _("class register (PDF)")),
        ("attendance-pdf", _("attendance report of the month (PDF)")),
        ("attendance-csv", _("attendance report of the month (CSV)")),
    )

    school_class = forms.ModelChoiceField(
        queryset=None,
        label=_("Class"),
        error_messages={"invalid_choice": _("Choose one of the classes listed.")},
    )
    month = forms.CharField(
        label=_("Month"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2027-03"}),
        help_text=_("Empty for the whole school year (the register only)."),
    )
    document = forms.ChoiceField(label=_("Document"), choices=DOCUMENTS, initial="register")

    def __init__(self, *args, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = classes
        self.fields["school_class"].label_from_instance = lambda c: (
            f"{c.name} ({c.school_year.name})"
        )

    def clean_month(self):
        try:
            return parse_month(self.cleaned_data.get("month", ""))
        except ValueError:
            raise forms.ValidationError(
                _("Give the month as year and month, e.g. 2027-03."), code="bad_month"
            ) from None

    def clean(self):
        data = super().clean()
        school_class, month = data.get("school_class"), data.get("month")
        if school_class is None or "month" in self.errors:
            return data
        error = month_error(school_class, month)
        if error:
            self.add_error("month", error)
        elif month is None and data.get("document", "").startswith("attendance"):
            self.add_error("month", _("The attendance report is made for one month: choose it."))
        return data
