import time

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from .middleware import IDLE_SESSION_KEY, staff_idle_timeout
from .models import School
from .permissions import is_officer, user_roles
from .registry import dashboard_panels
from .selectors import school_overview


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
@require_GET
def municipality(request):
    """Aggregates across the gmina's schools, for education officers."""
    if not is_officer(request.user):
        raise Http404
    overview = school_overview(School.objects.active())
    totals = {key: sum(row[key] for row in overview) for key in ("classes", "pupils", "teachers")}
    largest = max((row["pupils"] for row in overview), default=0) or 1
    for row in overview:
        row["share"] = round(100 * row["pupils"] / largest)
    return render(request, "portal/municipality.html", {"overview": overview, "totals": totals})


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
