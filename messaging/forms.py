"""Forms of messages: plain text only (no markup is accepted or rendered)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MessagingSettings


class ComposeForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Message"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Plain text; web addresses become links."),
    )
    reply_all = forms.BooleanField(
        label=_("Replies go to everyone in the thread"),
        required=False,
        help_text=_("Otherwise each reply goes to you only."),
    )
    attachment = forms.FileField(
        label=_("Attachment"),
        required=False,
        help_text=_("PDF, image, DOCX, ODT or text, at most 5 MB."),
    )


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"), max_length=10000, widget=forms.Textarea(attrs={"rows": 5})
    )
    attachment = forms.FileField(
        label=_("Attachment"),
        required=False,
        help_text=_("PDF, image, DOCX, ODT or text, at most 5 MB."),
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        if choices:
            self.fields["only_to"] = forms.TypedChoiceField(
                label=_("Reply to"),
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", _("everyone in the thread"))] + [(p.pk, str(p)) for p in choices],
            )


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong with the message?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The school administrator will see the message and your words."),
    )


class HandleReportForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SettingsForm(forms.ModelForm):
    class Meta:
        model = MessagingSettings
        fields = ["pupils_may_write", "retention_days", "family_hourly_limit"]
