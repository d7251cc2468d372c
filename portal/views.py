import time

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from .middleware import IDLE_SESSION_KEY, staff_idle_timeout
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


@login_required
@require_POST
def keepalive(request):
    """ "Stay signed in" of the idle notice, and the page's activity pings: the
    request itself is the activity (StaffIdleTimeoutMiddleware, and the kiosk's
    middleware). 204; once the session has ended, the sign-in redirect."""
    if staff_idle_timeout(request.user):
        request.session[IDLE_SESSION_KEY] = int(time.time())
    return HttpResponse(status=204)


def csrf_failure(request, reason=""):
    """A form sent without a valid CSRF token (expired page, blocked cookies): the
    portal's own page in the user's language instead of Django's English one."""
    return render(request, "403_csrf.html", status=403)
