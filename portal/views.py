import time
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from . import terminal
from .audit import audit_record
from .middleware import IDLE_SESSION_KEY, staff_idle_timeout
from .models import AuditEvent
from .permissions import user_roles
from .registry import dashboard_panels


@login_required
@require_GET
def dashboard(request):
    """What each role needs first; every app contributes its own panels."""
    panels = []
    for panel in dashboard_panels():
        context = panel.context(request)
        if context is not None:
            panels.append({"template": panel.template, "context": context, "key": panel.key})
    return render(
        request, "portal/dashboard.html", {"panels": panels, "roles": user_roles(request.user)}
    )


def _signed_in_or_at_an_infomat(view):
    """Like login_required, letting an anonymous visitor at an infomat through."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated and not terminal.is_infomat(request):
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


@_signed_in_or_at_an_infomat
@require_POST
def keepalive(request):
    """ "Stay signed in" of the idle notice, and the page's activity pings: the
    request itself is the activity (StaffIdleTimeoutMiddleware, and the public
    terminal's, which also counts an anonymous visitor at an infomat). 204; once
    the session has ended, the sign-in redirect."""
    if staff_idle_timeout(request.user):
        request.session[IDLE_SESSION_KEY] = int(time.time())
    return HttpResponse(status=204)


# --- Infomat: a public terminal for the whole portal (portal.terminal) -----------------


def _infomat_switch(request, token: str, action: str) -> str:
    """Check the signed link, record the switch, and start the terminal clean."""
    name = terminal.infomat_name_from_token(token)
    if not name:
        raise Http404
    audit_record(
        actor=request.user,
        category=AuditEvent.Category.SETTINGS,
        action=f"infomat.{action}",
        reason=name,
    )
    terminal.terminal_clear(request)
    return name


@require_GET
def infomat_on(request, token):
    """The signed link (manage.py infomat_link) that makes this browser an infomat."""
    name = _infomat_switch(request, token, "on")
    response = redirect(terminal.infomat_home_url())
    terminal.infomat_set(response, name)
    return response


@require_GET
def infomat_off(request, token):
    _infomat_switch(request, token, "off")
    request.session.pop(terminal.TERMINAL_KEY, None)
    response = redirect("/")
    response.delete_cookie(terminal.INFOMAT_COOKIE)
    return response


@require_GET
def infomat_reset(request):
    """Where an infomat's page goes when nobody has used it for a while: sign out,
    a new empty session, every cookie but the marker deleted, then the infomat's
    home (which clears the browser's storage and the pages kept for Back)."""
    if not terminal.is_infomat(request):
        raise Http404
    terminal.terminal_clear(request)
    response = redirect(f"{terminal.infomat_home_url()}?wyczyszczono=1")
    terminal.cookies_clear(request, response)
    return response


def csrf_failure(request, reason=""):
    """A form sent without a valid CSRF token (expired page, blocked cookies): the
    portal's own page in the user's language instead of Django's English one."""
    return render(request, "403_csrf.html", status=403)
