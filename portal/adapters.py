import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled


class PortalAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by schools (by hand or by import), never by sign-up."""

    def is_open_for_signup(self, request):
        return False

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
