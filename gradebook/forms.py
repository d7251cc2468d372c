from django import forms
from django.utils.translation import gettext_lazy as _

from . import scale as grade_scale
from .models import Assessment, GradeCategory, GradingSettings


class AssessmentForm(forms.ModelForm):
    class Meta:
        model = Assessment
        fields = [
            "name",
            "category",
            "weight",
            "date",
            "term",
            "description",
            "counts_to_average",
            "improves",
        ]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, assignment, categories, terms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
        self.fields["term"].queryset = terms
        improves = Assessment.objects.filter(assignment=assignment)
        if self.instance.pk:
            improves = improves.exclude(pk=self.instance.pk)
        self.fields["improves"].queryset = improves
        # A new column starts with an empty weight, which means the category's default;
        # the model's default (1) shown in the box was saved as a deliberate 1.
        self.fields["weight"].required = False
        if self.instance.pk is None:
            self.initial["weight"] = None
        defaults = ", ".join(f"{c.name} {c.weight}" for c in categories)
        self.fields["weight"].help_text = _(
            "Empty: the category's default weight (%(defaults)s)."
        ) % {"defaults": defaults}

    def clean(self):
        data = super().clean()
        if data.get("weight") in (None, "") and data.get("category"):
            data["weight"] = data["category"].weight
            self.instance.weight = data["weight"]
        return data


class GradingSettingsForm(forms.ModelForm):
    symbols = forms.MultipleChoiceField(
        label=_("Symbols in use"),
        choices=[(s, s) for s in grade_scale.ALL_SYMBOLS],
        widget=forms.CheckboxSelectMultiple,
    )
    convention = forms.ChoiceField(
        label=_("Value of “+” and “−”"),
        choices=[("050", _("+0.5 / −0.25")), ("033", _("±0.33")), ("custom", _("custom"))],
        required=False,
    )

    class Meta:
        model = GradingSettings
        fields = [
            "symbols",
            "plus_value",
            "minus_value",
            "improvement_replaces",
            "threshold_6",
            "threshold_5",
            "threshold_4",
            "threshold_3",
            "threshold_2",
        ]

    def clean(self):
        data = super().clean()
        convention = data.get("convention")
        if convention == "050":
            data["plus_value"], data["minus_value"] = (
                grade_scale.Decimal("0.5"),
                grade_scale.Decimal("0.25"),
            )
        elif convention == "033":
            data["plus_value"] = data["minus_value"] = grade_scale.Decimal("0.33")
        self.instance.plus_value = data.get("plus_value")
        self.instance.minus_value = data.get("minus_value")
        return data


class CategoryForm(forms.ModelForm):
    class Meta:
        model = GradeCategory
        fields = ["name", "weight", "colour", "counts_to_average", "order"]
        widgets = {"colour": forms.TextInput(attrs={"type": "color", "class": "colour-input"})}
