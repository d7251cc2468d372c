import base64
import hashlib
import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.utils import is_mfa_enabled
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from . import lockout
from .clientip import client_ip


class PortalAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by schools (by hand or by import), never by sign-up."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "account_locked": _(
            "Too many failed sign-in attempts to this account from different places. "
            "Sign in on a device you have used before, or set a new password with "
            '"Forgot your password?" (a link is sent to your e-mail address).'
        ),
    }

    def is_open_for_signup(self, request):
        return False

    def get_client_ip(self, request) -> str:
        """allauth's rate limits and session list use the client's address as
        seen through our trusted proxies (`portal.clientip`)."""
        return client_ip(request)

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # allauth keys failed sign-ins on the login alone: five wrong passwords
        # from anywhere would lock the owner out. Per login *at this address*.
        key = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{key}@{client_ip(request)}"

    def pre_authenticate(self, request, **credentials) -> None:
        from django.core.exceptions import ValidationError

        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            lockout.note_lockout(request, scope="address", credentials=credentials)
            raise
        user = lockout.account_for(credentials)
        self._account_rl_usage = None
        if lockout.is_known_device(request, user):
            return
        usage = lockout.consume_account_limit(request, lockout.account_key(credentials, user))
        if not usage:
            lockout.note_lockout(request, scope="account", credentials=credentials, user=user)
            raise self.validation_error("account_locked")
        self._account_rl_usage = usage

    def _rollback_login_failed_rl_usage(self) -> None:
        # A successful sign-in takes back this attempt from both counters.
        super()._rollback_login_failed_rl_usage()
        usage = getattr(self, "_account_rl_usage", None)
        if usage:
            usage.rollback()
            self._account_rl_usage = None

    def _delete_login_attempts_cached_email(self, request, **credentials) -> None:
        # A password reset by e-mail link proves the owner: clear both counters.
        super()._delete_login_attempts_cached_email(request, **credentials)
        user = lockout.account_for(credentials)
        if user is not None:
            lockout.clear_account_limit(request, user)

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Staff are sent to enrol TOTP right after signing in; asking them for the
        password they typed seconds ago would only confuse. Within allauth's
        reauthentication window after sign-in, a user who has no second factor
        yet may activate one; everything else (e.g. turning MFA off) still asks."""
        request = getattr(self, "request", None)
        user = getattr(request, "user", None)
        if (
            app == "allauth.mfa"
            and user is not None
            and user.is_authenticated
            and not is_mfa_enabled(user)
        ):
            records = get_authentication_records(request, user)
            if records and time.time() - records[-1]["at"] < (
                account_settings.REAUTHENTICATION_TIMEOUT
            ):
                return False
        return super().is_reauthentication_required(app=app, **kwargs)


# --- MFA secrets at rest -------------------------------------------------------------

# Marks a value encrypted by `PortalMFAAdapter`; values without it were stored in
# the clear before encryption was introduced (migration 0003 encrypts those).
ENCRYPTED_PREFIX = "fernet:"


def mfa_fernet() -> MultiFernet:
    """The Fernet keys from MFA_ENCRYPTION_KEY (comma-separated: the first one
    encrypts, every one decrypts, so a key can be rotated). Without the setting
    (dev and tests only: production settings refuse to start) a key is derived
    from SECRET_KEY."""
    configured = getattr(settings, "MFA_ENCRYPTION_KEY", "") or ""
    keys = [k.strip() for k in configured.split(",") if k.strip()]
    if not keys:
        digest = hashlib.sha256(b"portal-mfa-secrets:" + settings.SECRET_KEY.encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured("MFA_ENCRYPTION_KEY is not a valid Fernet key.") from error


def encrypt_mfa_secret(text: str) -> str:
    if text.startswith(ENCRYPTED_PREFIX):
        return text
    return ENCRYPTED_PREFIX + mfa_fernet().encrypt(text.encode()).decode("ascii")


def _with_stored_token(stored: str, use):
    """Call `use(fernet, token)` on a prefixed value; a value the configured keys
    cannot open is a configuration error, said plainly."""
    token = stored[len(ENCRYPTED_PREFIX) :].encode("ascii")
    try:
        return use(mfa_fernet(), token)
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "An MFA secret cannot be decrypted: MFA_ENCRYPTION_KEY does not hold the key "
            "it was encrypted with."
        ) from error


def decrypt_mfa_secret(stored: str) -> str:
    if not stored.startswith(ENCRYPTED_PREFIX):
        return stored  # written before encryption, kept readable
    return _with_stored_token(stored, lambda fernet, token: fernet.decrypt(token).decode())


def reencrypt_mfa_secret(stored: str) -> str:
    """`stored` encrypted with the first (current) key, whichever key it was
    encrypted with, or encrypted for the first time if it was in the clear."""
    if not stored.startswith(ENCRYPTED_PREFIX):
        return encrypt_mfa_secret(stored)
    return ENCRYPTED_PREFIX + _with_stored_token(
        stored, lambda fernet, token: fernet.rotate(token).decode("ascii")
    )


# The fields of Authenticator.data that hold secrets: the TOTP "secret", the
# recovery codes' "seed" and codes carried over from django-allauth-2fa.
SECRET_FIELDS = ("secret", "seed")


def authenticator_secrets_rewrite(authenticators, transform) -> int:
    """Apply `transform` to every secret of `authenticators` (Authenticator rows,
    also the historical model in a migration); returns how many rows changed."""
    changed_rows = 0
    for authenticator in authenticators:
        data = dict(authenticator.data or {})
        for field in SECRET_FIELDS:
            if isinstance(data.get(field), str):
                data[field] = transform(data[field])
        if isinstance(data.get("migrated_codes"), list):
            data["migrated_codes"] = [
                transform(c) if isinstance(c, str) else c for c in data["migrated_codes"]
            ]
        if data != authenticator.data:
            authenticator.data = data
            authenticator.save(update_fields=["data"])
            changed_rows += 1
    return changed_rows


class PortalMFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are stored encrypted (Fernet), so a
    copy of the database (a backup, a dump for support) does not hand out
    everyone's second factor."""

    def is_mfa_enabled(self, user, types=None) -> bool:
        """Read on every request of staff (RequireStaffMFAMiddleware): answered
        from the cached roles, which a new or deleted authenticator invalidates
        (portal/role_changes.py), instead of a query each time."""
        if types is None and user.is_authenticated:
            from .permissions import user_roles

            return user_roles(user).mfa_enabled
        return super().is_mfa_enabled(user, types=types)

    def encrypt(self, text: str) -> str:
        return encrypt_mfa_secret(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_mfa_secret(encrypted_text)
