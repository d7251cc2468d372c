import time
from functools import wraps

from allauth.mfa.utils import is_mfa_enabled
from csp.middleware import CSPMiddleware

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
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


# --- Security headers ---------------------------------------------------------------

# Django's and Wagtail's admin still rely on inline scripts and styles; they are
# for staff with a second factor only and get `CSP_ADMIN_DIRECTIVES`. Everything
# a parent, pupil or visitor sees runs under the strict site policy.
ADMIN_PREFIXES = ("/cms-admin/", "/django-admin/")


class PortalCSPMiddleware(CSPMiddleware):
    """django-csp with the admin's own policy (see `CSP_ADMIN_DIRECTIVES`)."""

    def get_policy_parts(self, request, response, report_only: bool = False):
        parts = super().get_policy_parts(request, response, report_only)
        if (
            not report_only
            and parts.config is None
            and request.path_info.startswith(ADMIN_PREFIXES)
        ):
            parts.config = settings.CSP_ADMIN_DIRECTIVES
        return parts


def cacheable(view):
    """Let caches keep this view's answer although the user is signed in (for
    content that is the same for everyone, such as the public news feed)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.portal_cacheable = True
        return response

    return wrapped


class SecurityHeadersMiddleware:
    """Headers Django does not set by itself:

    - `Cache-Control: private, no-store` on every answer to a signed-in user
      (grades, attendance, remarks and loans are read on shared school and kiosk
      computers), unless the view is marked `cacheable`;
    - `Permissions-Policy` turning off browser features the portal never uses;
    - `X-Frame-Options: SAMEORIGIN` for the admin (Wagtail shows its page preview
      in a frame) while the rest of the site is DENY. Listed after Django's
      XFrameOptionsMiddleware, so it answers first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not getattr(response, "portal_cacheable", False)
        ):
            # Whatever the view said, nothing of a signed-in user's is kept.
            response.headers.pop("Cache-Control", None)
            patch_cache_control(response, private=True, no_store=True)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if request.path_info.startswith(ADMIN_PREFIXES):
            response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return response


# --- The sessions list (allauth.usersessions) ------------------------------------------

USERSESSION_SEEN_KEY = "portal_usersession_seen"
USER_AGENT_CHARS = 200


class ThrottledUserSessionsMiddleware:
    """allauth's UserSessionsMiddleware wrote the "your sessions" row (last seen,
    IP address, browser) on every request: three queries and a write each time.
    This records it when the session is new to it, when the IP address or the
    browser changes (so the list and its "client changed" signal stay true at
    once), and otherwise at most once a minute."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from allauth.account.adapter import get_adapter
        from allauth.usersessions import app_settings
        from allauth.usersessions.models import UserSession

        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if (
            app_settings.TRACK_ACTIVITY
            and session is not None
            and session.session_key
            and user is not None
            and user.is_authenticated
        ):
            now = int(time.time())
            # A new session key (signing in again keeps the session's data) is a new row.
            client = [
                session.session_key,
                get_adapter().get_client_ip(request),
                request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_CHARS],
            ]
            seen = session.get(USERSESSION_SEEN_KEY)
            if not seen or seen[1:] != client or now - int(seen[0]) >= 60:
                UserSession.objects.create_from_request(request)
                session[USERSESSION_SEEN_KEY] = [now, *client]
        return self.get_response(request)


# --- Idle sign-out for staff ----------------------------------------------------------

IDLE_SESSION_KEY = "portal_last_activity"


# What the browser fetches on its own (the service worker's script, which it
# checks for updates on every page, the web app manifest) is not the person's
# activity: counted as such, it kept an idle kiosk or staff session alive.
BACKGROUND_FETCH_DESTINATIONS = frozenset({"serviceworker", "sharedworker", "worker", "manifest"})


def is_activity(request) -> bool:
    """Whether this request is the person at the screen doing something."""
    return request.headers.get("Sec-Fetch-Dest", "") not in BACKGROUND_FETCH_DESTINATIONS


def staff_idle_timeout(user) -> int:
    """Seconds of inactivity after which this user is signed out (0: never)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return settings.STAFF_IDLE_TIMEOUT if requires_mfa(user) else 0


def idle_timeout_for(request) -> int:
    """The idle sign-out the page should warn about: a reader at a public terminal
    (the library's kiosk, portal.terminal; on an infomat anyone, signed in or
    not, whose screen is cleared) or a member of staff."""
    from .terminal import idle_seconds, is_infomat, is_terminal

    user = getattr(request, "user", None)
    signed_in = getattr(user, "is_authenticated", False)
    if is_terminal(request) and (signed_in or is_infomat(request)):
        return idle_seconds()
    return staff_idle_timeout(user) if signed_in else 0


@receiver(user_logged_in)
def _start_idle_clock(sender, request, user, **kwargs):
    """Signing in is activity: the first page after it writes no session."""
    if request is not None and hasattr(request, "session") and staff_idle_timeout(user):
        request.session[IDLE_SESSION_KEY] = int(time.time())


class StaffIdleTimeoutMiddleware:
    """Staff (everyone who must use a second factor) are signed out after
    STAFF_IDLE_TIMEOUT seconds without a request; the page warns before (see
    static/js/portal.js, which also keeps the session alive while the user types)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        timeout = staff_idle_timeout(user)
        if timeout:
            now = int(time.time())
            last = request.session.get(IDLE_SESSION_KEY)
            if last is not None and now - int(last) > timeout:
                logout(request)
                messages.info(
                    request,
                    _(
                        "You were signed out after %(minutes)d minutes without activity. "
                        "Sign in again to continue."
                    )
                    % {"minutes": timeout // 60},
                )
                return redirect_to_login(
                    request.get_full_path() if request.method == "GET" else "/",
                    reverse(settings.LOGIN_URL),
                )
            # Write the session at most once a minute, not on every request.
            if (last is None or now - int(last) >= 60) and is_activity(request):
                request.session[IDLE_SESSION_KEY] = now
        return self.get_response(request)
