from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ClosedPeriod, ItemType, LoanRule


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


class CheckoutForm(forms.Form):
    card = forms.CharField(label=_("Reader's card"), max_length=20)
    barcodes = forms.CharField(
        label=_("Copy barcodes (one per line)"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_barcodes(self):
        codes = _lines(self.cleaned_data["barcodes"])
        if not codes:
            raise forms.ValidationError(_("Scan at least one copy."))
        return codes[:50]


class OverrideForm(forms.Form):
    """Lend or renew despite an overridable refusal: the scanned codes travel
    back in hidden fields, the reason is the librarian's."""

    kind = forms.ChoiceField(
        choices=[("checkout", "checkout"), ("renew", "renew")], widget=forms.HiddenInput
    )
    card = forms.CharField(max_length=20, required=False, widget=forms.HiddenInput)
    barcodes = forms.CharField(max_length=2000, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason (recorded with your name)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": _("Give the reason for going ahead despite the refusal."),
        },
    )

    def clean_barcodes(self):
        codes = _lines(self.cleaned_data["barcodes"])
        if not codes:
            raise forms.ValidationError(_("Scan at least one copy."))
        return codes[:50]

    def clean(self):
        data = super().clean()
        if data.get("kind") == "checkout" and not data.get("card"):
            raise forms.ValidationError(_("Scan the reader's card again."))
        return data


class BarcodeForm(forms.Form):
    barcode = forms.CharField(label=_("Copy barcode"), max_length=32)


class CopyBatchForm(forms.Form):
    school = forms.ModelChoiceField(label=_("Library"), queryset=None, empty_label=None)
    count = forms.IntegerField(label=_("Number of copies"), min_value=1, max_value=200, initial=1)
    barcodes = forms.CharField(
        label=_("Barcodes (optional, one per line; generated when empty)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    shelf_mark = forms.CharField(label=_("Shelf mark"), max_length=64, required=False)
    item_type = forms.ChoiceField(label=_("Item type"), choices=ItemType.choices)
    acquired_on = forms.DateField(
        label=_("Acquisition date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    acquisition_source = forms.CharField(
        label=_("Acquisition source"), max_length=200, required=False
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools

    def clean_barcodes(self):
        return _lines(self.cleaned_data["barcodes"])


class CopyMarkForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Change"),
        choices=[
            ("lost", _("mark lost")),
            ("withdrawn", _("withdraw")),
            ("found", _("found again")),
        ],
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class LoanRuleForm(forms.ModelForm):
    class Meta:
        model = LoanRule
        fields = [
            "reader_category",
            "item_type",
            "loan_days",
            "max_loans",
            "max_renewals",
            "hold_shelf_days",
        ]


class ClosedPeriodForm(forms.ModelForm):
    class Meta:
        model = ClosedPeriod
        fields = ["name", "start", "end"]
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}),
            "end": forms.DateInput(attrs={"type": "date"}),
        }


class StocktakeScanForm(forms.Form):
    shelf = forms.CharField(
        label=_("Shelf (the start of the shelf marks kept there)"), max_length=64
    )
    barcodes = forms.CharField(
        label=_("Barcodes scanned on this shelf"), widget=forms.Textarea(attrs={"rows": 6})
    )

    def clean_barcodes(self):
        return _lines(self.cleaned_data["barcodes"])[:2000]


class ReaderSettingsForm(forms.Form):
    keep_history = forms.BooleanField(label=_("Keep my loan history"), required=False)
    notify_due_soon = forms.BooleanField(
        label=_("Remind me two days before the due date"), required=False
    )
    notify_overdue = forms.BooleanField(label=_("Tell me when a loan is overdue"), required=False)
    notify_hold_ready = forms.BooleanField(label=_("Tell me when a hold is ready"), required=False)
