from allauth.mfa.utils import is_mfa_enabled

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from .permissions import requires_mfa, user_roles

# Paths a staff member without a second factor may still reach: signing in and
# out, setting up MFA, changing language, static files.
ALLOWED_PREFIXES = ("/konto/", "/i18n/", "/static/", "/media/", "/favicon.ico")


class RequireStaffMFAMiddleware:
    """Staff roles (admins, teachers, librarians, officers), CMS editors and
    moderators and anyone with Wagtail admin access must enrol TOTP before they
    reach any tool (see `permissions.requires_mfa`); everyone else may enrol when
    they wish."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(ALLOWED_PREFIXES)
            and requires_mfa(user)
            and not is_mfa_enabled(user)
        ):
            if user_roles(user).is_staff_member:
                reason = _(
                    "Your role gives access to pupils' data, so two-factor authentication is "
                    "required. Set up an authenticator app to continue."
                )
            else:
                reason = _(
                    "You publish on the portal, so two-factor authentication is required. "
                    "Set up an authenticator app to continue."
                )
            messages.warning(request, reason)
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


class PortalLocaleMiddleware:
    """Polish unless the user chose otherwise with the language switch (a cookie).
    Unlike Django's LocaleMiddleware, the browser's Accept-Language is ignored: a
    municipal portal speaks Polish by default whatever the device is set to."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response
