"""The officer's pages: the overview of the gmina's schools, the definitions of
every figure, and the button that asks for a computation now."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .measures import MEASURES
from .permissions import can_compute_analytics, can_view_analytics
from .selectors import municipal_overview
from .services import aggregation_run_queue


def _check(user, rule) -> None:
    # Like every page of the portal: a refused role gets 404, never 403.
    if not rule(user):
        raise Http404


@login_required
@require_GET
def overview(request):
    _check(request.user, can_view_analytics)
    return render(request, "analytics/overview.html", municipal_overview())


@login_required
@require_GET
def definitions(request):
    _check(request.user, can_view_analytics)
    return render(request, "analytics/definitions.html", {"measures": MEASURES.values()})


@login_required
@require_POST
def compute(request):
    _check(request.user, can_compute_analytics)
    aggregation_run_queue(user=request.user, full=request.POST.get("full") == "1")
    messages.success(
        request, _("The figures will be computed again in the background; this page shows when.")
    )
    return redirect("analytics:overview")
