"""Spam protection for public forms without an external captcha: a honeypot
field, a signed time token (bots submit instantly or replay old forms) and a
per-address rate limit in the shared cache."""

from __future__ import annotations

import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from portal.clientip import client_ip

HONEYPOT_FIELD = "website_url"
TIMESTAMP_FIELD = "form_started"
_SALT = "cms.contact-form"


def min_seconds() -> int:
    return getattr(settings, "CMS_FORM_MIN_SECONDS", 3)


def max_age() -> int:
    return getattr(settings, "CMS_FORM_MAX_AGE", 60 * 60 * 24)


def rate_limit() -> tuple[int, int]:
    """(submissions, per seconds) from one address."""
    return getattr(settings, "CMS_FORM_RATE_LIMIT", (5, 600))


def make_token(now: float | None = None) -> str:
    return signing.dumps(int(now if now is not None else time.time()), salt=_SALT)


class SpamProtectedForm(forms.Form):
    """Mixed into the form built from the editor's fields."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[HONEYPOT_FIELD] = forms.CharField(
            label=_("Leave this field empty"),
            required=False,
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )
        self.fields[TIMESTAMP_FIELD] = forms.CharField(
            required=False, widget=forms.HiddenInput, initial=make_token
        )
        self.is_spam = False

    def clean(self):
        data = super().clean()
        if data.get(HONEYPOT_FIELD):
            self.is_spam = True
            raise forms.ValidationError(
                _("The form could not be sent. Please try again."), code="honeypot"
            )
        try:
            started = signing.loads(data.get(TIMESTAMP_FIELD) or "", salt=_SALT, max_age=max_age())
        except signing.BadSignature:
            raise forms.ValidationError(
                _("The form has expired. Please fill it in again."), code="expired"
            ) from None
        if time.time() - int(started) < min_seconds():
            self.is_spam = True
            raise forms.ValidationError(
                _("The form was sent too quickly. Please wait a moment and send it again."),
                code="too_fast",
            )
        # The spam-check fields are not part of the message.
        data.pop(HONEYPOT_FIELD, None)
        data.pop(TIMESTAMP_FIELD, None)
        return data


def rate_limited(request, scope: str) -> bool:
    """Count one submission from the client; True when over the limit."""
    limit, window = rate_limit()
    key = f"cms:rate:{scope}:{client_ip(request)}"
    added = cache.add(key, 1, window)
    if added:
        return False
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, window)
        return False
    return count > limit
