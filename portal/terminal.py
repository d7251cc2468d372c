"""Public terminals: the library's kiosk and the gmina's infomaty, one mechanism.

A browser is a terminal while its session says so (`session["kiosk"]`): the
session then ends with the browser ("remember me" or not) and after
`CIRCULATION_KIOSK_IDLE_SECONDS` without activity the person is signed out,
even if the page's own timer did not fire. The library's kiosk page turns the
flag on for the session it serves (library.circulation.views.kiosk).

An infomat is a terminal for the whole portal, for good: the gmina opens a
signed link on the machine once (`manage.py infomat_link`), which leaves a
signed marker cookie; every request carrying it is in terminal mode, even after
the session was cleared. On an infomat the idle limit also clears an anonymous
visitor's session, the page warns with a countdown and then opens the reset
address, which signs out, flushes the session and deletes every cookie but the
marker (static/js/portal.js does the rest in the browser: forms, storage,
pages kept for the Back button). Nothing of an infomat's is cached."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.core import signing
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_cache_control

from .middleware import is_activity

TERMINAL_KEY = "kiosk"
SEEN_KEY = "kiosk_seen"
INFOMAT_COOKIE = "portal_infomat"
INFOMAT_SALT = "portal.terminal.infomat"
INFOMAT_COOKIE_AGE = 5 * 365 * 24 * 60 * 60


def idle_seconds() -> int:
    return getattr(settings, "CIRCULATION_KIOSK_IDLE_SECONDS", 180)


def infomat_token(name: str) -> str:
    """The signed part of the link that turns a browser into the infomat `name`."""
    return signing.dumps(name, salt=INFOMAT_SALT)


def infomat_name_from_token(token: str) -> str | None:
    try:
        return signing.loads(token, salt=INFOMAT_SALT)
    except signing.BadSignature:
        return None


def infomat_name(request) -> str | None:
    """The name of the infomat this browser is, from its signed marker cookie."""
    if not hasattr(request, "_infomat_name"):
        token = request.COOKIES.get(INFOMAT_COOKIE)
        request._infomat_name = infomat_name_from_token(token) if token else None
    return request._infomat_name


def is_infomat(request) -> bool:
    return bool(infomat_name(request))


def is_terminal(request) -> bool:
    session = getattr(request, "session", None)
    return bool(session is not None and session.get(TERMINAL_KEY))


def terminal_start(request) -> None:
    """Put this session in terminal mode; the idle clock starts now."""
    request.session[TERMINAL_KEY] = True
    request.session.setdefault(SEEN_KEY, int(time.time()))
    request.session.set_expiry(0)


def terminal_clear(request) -> None:
    """Sign out and forget the session, staying a terminal."""
    logout(request)  # flushes the session, signed in or not
    terminal_start(request)


def infomat_set(response, name: str) -> None:
    # The signed token (ASCII) rather than the name, which may hold Polish letters.
    response.set_cookie(
        INFOMAT_COOKIE,
        infomat_token(name),
        max_age=INFOMAT_COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def cookies_clear(request, response) -> None:
    """Delete every cookie the browser sent except the infomat marker (the session
    middleware sets the new session's own cookie after this)."""
    keep = {INFOMAT_COOKIE, settings.SESSION_COOKIE_NAME}
    for name in request.COOKIES:
        if name not in keep:
            response.delete_cookie(name)


def idle_end_url(request) -> str | None:
    """Where the page goes when the idle time is up: the infomat's reset, the
    library kiosk's search page, or (staff) the page itself."""
    name = "portal:infomat_reset" if is_infomat(request) else "circulation:kiosk"
    if not is_terminal(request):
        return None
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def infomat_home_url() -> str:
    # The home of an infomat is a cms page: reached by URL, never by import.
    try:
        return reverse("cms:infomat")
    except NoReverseMatch:
        return "/"


class PublicTerminalMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is None:
            return self.get_response(request)
        infomat = is_infomat(request)
        if infomat and not session.get(TERMINAL_KEY):
            terminal_start(request)
        if session.get(TERMINAL_KEY):
            now = int(time.time())
            last = session.get(SEEN_KEY, now)
            if now - last > idle_seconds() and (request.user.is_authenticated or infomat):
                terminal_clear(request)
            if is_activity(request):
                request.session[SEEN_KEY] = now
        response = self.get_response(request)
        if request.session.get(TERMINAL_KEY):
            # Also after signing in with "remember me" (which sets an age).
            request.session.set_expiry(0)
        if infomat:
            response.headers.pop("Cache-Control", None)
            patch_cache_control(response, private=True, no_store=True)
        return response
