"""The background-work status page and its retry button: thin views, each
checking its named rule (portal.permissions)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.permissions import can_view_task_status
from portal.services import PortalError

from . import selectors, services
from .taskinfo import database_backend_in_use, task_label

FAILED_PER_PAGE = 20


@login_required
@require_GET
def status(request):
    if not can_view_task_status(request.user):
        raise Http404
    context = {"database_backend": database_backend_in_use()}
    if context["database_backend"]:
        page = Paginator(selectors.failed_tasks(), FAILED_PER_PAGE).get_page(
            request.GET.get("page")
        )
        context.update(selectors.task_overview())
        context.update(page=page, failed=selectors.describe_failed(request.user, page))
    return render(request, "background/status.html", context)


@login_required
@require_POST
def retry(request, task_id):
    if not can_view_task_status(request.user):
        raise Http404
    try:
        row = services.task_retry(user=request.user, task_id=task_id)
    except PortalError as exc:
        if exc.code in ("not_found", "not_allowed"):
            raise Http404 from exc
        messages.warning(request, exc.message)
    else:
        messages.success(
            request,
            _("“%(task)s” is back in the queue; the worker will run it again.")
            % {"task": task_label(row.task_path)},
        )
    return redirect("background:status")
