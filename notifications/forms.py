from django import forms
from django.utils.translation import gettext_lazy as _

from .models import EMAIL_KINDS, Kind, Preferences, SchoolSettings


class PreferencesForm(forms.ModelForm):
    """Per kind and channel (in the portal always), e-mail mode and quiet hours."""

    email_kinds = forms.MultipleChoiceField(
        label=_("By e-mail"),
        choices=[(k, label) for k, label in Kind.choices if k in EMAIL_KINDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Library reminders are e-mailed by the library, by your library settings."),
    )
    push_kinds = forms.MultipleChoiceField(
        label=_("By push to your phone or computer"),
        choices=Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Preferences
        fields = [
            "email_kinds",
            "push_kinds",
            "email_mode",
            "digest_time",
            "quiet_start",
            "quiet_end",
        ]
        widgets = {
            "email_mode": forms.RadioSelect,
            "digest_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        help_texts = {
            "digest_time": _("The digest lists what came since the previous one."),
            "quiet_start": _(
                "No e-mail or push in quiet hours: they wait until the end (e.g. 21:00 to 07:00)."
            ),
        }

    def clean(self):
        data = super().clean()
        start, end = data.get("quiet_start"), data.get("quiet_end")
        if (start is None) != (end is None):
            raise forms.ValidationError(
                _("Give both the start and the end of quiet hours, or neither.")
            )
        if start is not None and start == end:
            self.add_error("quiet_end", _("Quiet hours must end at another time than they start."))
        return data


class SchoolSettingsForm(forms.ModelForm):
    class Meta:
        model = SchoolSettings
        fields = ["tell_guardians"]
