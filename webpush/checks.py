"""`manage.py check` says when the VAPID settings are half set or do not fit."""

from django.conf import settings
from django.core.checks import Error, Warning, register


@register()
def vapid_settings(app_configs, **kwargs):
    from .services import configured_vapid, public_key_of

    values = [settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY, settings.VAPID_SUBJECT]
    if not any(values):
        return []
    if not all(values):
        return [
            Warning(
                "Web Push is off: set all of VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY and "
                "VAPID_SUBJECT (manage.py vapid_keys makes them).",
                id="webpush.W001",
            )
        ]
    problems = []
    if not settings.VAPID_SUBJECT.startswith(("mailto:", "https://")):
        problems.append(
            Error("VAPID_SUBJECT must start with mailto: or https://.", id="webpush.E002")
        )
    vapid = configured_vapid()
    if vapid is None:
        problems.append(Error("VAPID_PRIVATE_KEY cannot be read.", id="webpush.E003"))
    elif public_key_of(vapid) != settings.VAPID_PUBLIC_KEY:
        problems.append(
            Error(
                "VAPID_PUBLIC_KEY is not the public key of VAPID_PRIVATE_KEY.",
                id="webpush.E004",
            )
        )
    return problems
