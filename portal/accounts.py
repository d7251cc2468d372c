"""Accounts and sign-in: which e-mail address may receive a password reset, how a
school sets a person's address, and the audit trail of account changes made
through allauth (password, e-mail address, second factor).

An address is trusted for password resets only once it is verified (an allauth
`EmailAddress` row with `verified=True`): the owner followed the link sent to it.
Addresses that schools had set before this rule were marked verified by the
migration `portal.0003_account_security`; an address a school sets from now on
goes through `email_set_by_school`, which asks its owner to confirm it."""

from __future__ import annotations

from urllib.parse import urlsplit

from allauth.account import signals as account_signals
from allauth.account.adapter import get_adapter
from allauth.account.forms import LoginForm, ResetPasswordForm
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from allauth.mfa import signals as mfa_signals

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.dispatch import receiver
from django.test import RequestFactory
from django.utils.translation import gettext as _

from .audit import audit_record
from .models import AuditEvent, User


class PortalLoginForm(LoginForm):
    """allauth's sign-in form; the one field takes a login or an e-mail address,
    so browsers and password managers are told it is a username (allauth marks
    it `email` when both are allowed)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].widget.attrs["autocomplete"] = "username"


class PortalResetPasswordForm(ResetPasswordForm):
    """allauth's reset form, but the link goes only to accounts whose address is
    verified. An address added (or set by the school) and not yet confirmed by
    its owner gets nothing, so taking over a session and typing a new address
    does not turn into taking over the account. The answer on the page is the
    same either way (allauth's enumeration prevention)."""

    def clean_email(self) -> str:
        email = super().clean_email()
        verified = set(
            EmailAddress.objects.filter(
                user_id__in=[u.pk for u in self.users], email__iexact=email, verified=True
            ).values_list("user_id", flat=True)
        )
        self.users = [u for u in self.users if u.pk in verified]
        return email


def _request_for_mail(request):
    """The request that builds links in allauth's mails: the given one, the one
    being handled, or (in a task or a command) one for the portal's public
    address (WAGTAILADMIN_BASE_URL)."""
    request = request or allauth_context.request
    if request is not None:
        return request
    base = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    request = RequestFactory().get(
        "/", HTTP_HOST=base.netloc or "localhost", secure=base.scheme == "https"
    )
    request.user = AnonymousUser()
    request.session = {}
    return request


def _normalise(email: str) -> str:
    email = (email or "").strip().lower()
    if email:
        validate_email(email)
    return email


def email_set_by_school(
    *, user: User, email: str, actor, school=None, request=None
) -> EmailAddress | None:
    """A school administrator gives `user` the address `email` (empty: none).

    The address is stored at once (User.email, shown in the school's screens) but
    as *unverified*: a confirmation link goes to it and password resets do not
    use it until its owner follows that link. The previous addresses are removed
    and their owner is told (at the old address) that it changed. One
    AuditEvent (ACCOUNT) records the before and after. Setting the same address
    again changes nothing and only resends the link if it is still unconfirmed.

    Raises ValidationError (on "email") for a malformed address or one that
    another account already uses."""
    new = _normalise(email)
    old = user.email or ""
    current = EmailAddress.objects.filter(user=user, email__iexact=new).first() if new else None
    if new and new == old.lower() and current is not None and current.verified:
        return current
    if new and (
        User.objects.filter(email__iexact=new).exclude(pk=user.pk).exists()
        or EmailAddress.objects.filter(email__iexact=new, verified=True).exclude(user=user).exists()
    ):
        raise ValidationError(
            {"email": _("Another account already uses this e-mail address.")},
            code="email_taken",
        )
    before = {
        "email": old,
        "verified": EmailAddress.objects.filter(
            user=user, email__iexact=old, verified=True
        ).exists()
        if old
        else False,
    }
    with transaction.atomic():
        EmailAddress.objects.filter(user=user).exclude(pk=getattr(current, "pk", None)).delete()
        user.email = new
        user.save(update_fields=["email"])
        address = None
        if new:
            address = current or EmailAddress(user=user, email=new)
            address.verified = False
            address.primary = True
            address.save()
        audit_record(
            actor=actor,
            category=AuditEvent.Category.ACCOUNT,
            action="email.set_by_school",
            target=user,
            school=school,
            person=user,
            before=before,
            after={"email": new, "verified": False},
        )
    mail_request = _request_for_mail(request)
    with allauth_context.request_context(mail_request):
        adapter = get_adapter(mail_request)
        if old and old.lower() != new:
            adapter.send_notification_mail(
                "account/email/email_changed",
                user,
                context={"from_email": old, "to_email": new or "—"},
                email=old,
            )
        if address is not None:
            address.send_confirmation(mail_request)
    return address


# --- Audit trail of changes made through allauth ---------------------------------------


def _audit_account(request, user, action: str, *, self_service: bool, before=None, after=None):
    """One ACCOUNT row for a change made through allauth. `self_service`: the
    person acts on their own account when no one is signed in on the request
    (e.g. a change of password); a reset link or a confirmation link followed
    while signed out has no actor."""
    actor = getattr(request, "user", None)
    if actor is None or not actor.is_authenticated:
        actor = user if self_service else None
    audit_record(
        actor=actor,
        category=AuditEvent.Category.ACCOUNT,
        action=action,
        target=user,
        person=user,
        before=before,
        after=after,
    )


@receiver(account_signals.password_changed)
def _audit_password_changed(sender, request, user, **kwargs):
    _audit_account(request, user, "password_changed", self_service=True)


@receiver(account_signals.password_reset)
def _audit_password_reset(sender, request, user, **kwargs):
    _audit_account(request, user, "password_reset", self_service=False)


@receiver(account_signals.email_changed)
def _audit_email_changed(sender, request, user, from_email_address, to_email_address, **kwargs):
    _audit_account(
        request,
        user,
        "email_changed",
        self_service=False,
        before={"email": getattr(from_email_address, "email", "")},
        after={"email": to_email_address.email, "verified": True},
    )


@receiver(mfa_signals.authenticator_added)
def _audit_authenticator_added(sender, request, user, authenticator, **kwargs):
    _audit_account(
        request, user, "mfa_added", self_service=True, after={"type": authenticator.type}
    )


@receiver(mfa_signals.authenticator_removed)
def _audit_authenticator_removed(sender, request, user, authenticator, **kwargs):
    _audit_account(
        request, user, "mfa_removed", self_service=True, before={"type": authenticator.type}
    )
