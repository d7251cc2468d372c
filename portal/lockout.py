"""Failed sign-ins: limits that stop guessing without letting anyone lock others out.

allauth counts failed sign-ins per client address and per login. Keyed on the
login alone, five wrong passwords from anywhere would lock the account for its
owner too; so here (see `PortalAccountAdapter`):

- `login_failed` (allauth's action) counts per client address and per *login at
  that address*: a guesser locks only themselves out;
- `login_failed_account` counts per account over all addresses, against a
  guesser who rotates addresses. It does not apply on a device the account has
  signed in from before (a signed cookie set at sign-in), and a password reset
  by e-mail link clears it: the owner always has a way in.

Each lock is logged (logger `portal.security`) and recorded once per window in
the audit trail (`login.locked`).
"""

from __future__ import annotations

import logging

from allauth.account.signals import user_logged_in
from allauth.core.internal import ratelimit as allauth_ratelimit

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.dispatch import receiver

from .clientip import client_ip

logger = logging.getLogger("portal.security")

ACCOUNT_ACTION = "login_failed_account"
DEVICE_COOKIE = "portal_device"
DEVICE_SALT = "portal.lockout.device"
DEVICE_MAX_AGE = 60 * 60 * 24 * 365
DEVICE_MAX_ACCOUNTS = 5


def typed_login(credentials: dict) -> str:
    return str(credentials.get("email") or credentials.get("username") or "").strip().lower()


def account_for(credentials: dict):
    """The user a sign-in attempt names (by login or by any of its addresses), or None."""
    from allauth.account.models import EmailAddress

    from .models import User

    login = typed_login(credentials)
    if not login:
        return None
    user = User.objects.filter(username__iexact=login).first()
    if user is None:
        address = EmailAddress.objects.filter(email__iexact=login).select_related("user").first()
        user = address.user if address else User.objects.filter(email__iexact=login).first()
    return user


def account_key(credentials: dict, user=None) -> str:
    """One key per account whatever login or address was typed; unknown logins
    are limited by what was typed, so they answer exactly like real ones."""
    user = user if user is not None else account_for(credentials)
    return f"user:{user.pk}" if user is not None else f"login:{typed_login(credentials)}"


def known_devices(request) -> list[int]:
    value = request.COOKIES.get(DEVICE_COOKIE)
    if not value:
        return []
    try:
        devices = signing.loads(value, salt=DEVICE_SALT, max_age=DEVICE_MAX_AGE)
    except signing.BadSignature:
        return []
    return [pk for pk in devices if isinstance(pk, int)] if isinstance(devices, list) else []


def is_known_device(request, user) -> bool:
    return user is not None and user.pk in known_devices(request)


def consume_account_limit(request, key: str):
    """Count one attempt against the account-wide limit; None when over it."""
    return allauth_ratelimit.consume(request, app="allauth.account", action=ACCOUNT_ACTION, key=key)


def clear_account_limit(request, user) -> None:
    allauth_ratelimit.clear(
        request=request, app="allauth.account", action=ACCOUNT_ACTION, key=f"user:{user.pk}"
    )


def note_lockout(request, *, scope: str, credentials: dict, user=None) -> None:
    """Log every refused attempt; write the audit trail once per lock window."""
    address = client_ip(request)
    login = typed_login(credentials)
    logger.warning("sign-in refused (%s): login=%r client=%s", scope, login, address)
    user = user if user is not None else account_for(credentials)
    if scope == "account":
        noted, window = account_key(credentials, user), 60 * 60
    else:
        noted, window = f"{login}@{address}", 5 * 60
    if not cache.add(f"portal:lockout-noted:{scope}:{noted}", 1, window):
        return
    from .audit import audit_record

    audit_record(
        actor=None,
        category="account",
        action="login.locked",
        target=user,
        person=user,
        after={"scope": scope, "login": login, "client": address},
        reason=scope,
        only_changes=False,
    )


@receiver(user_logged_in)
def remember_device(sender, request, response=None, user=None, **kwargs):
    """Mark this browser as one the account has signed in from."""
    if response is None or user is None:
        return
    devices = [pk for pk in known_devices(request) if pk != user.pk]
    devices = [user.pk, *devices][:DEVICE_MAX_ACCOUNTS]
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps(devices, salt=DEVICE_SALT),
        max_age=DEVICE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
