"""Shared by the register views: paging, dates, read auditing and the staff gate."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from portal.audit import note_reads
from portal.models import ReadAccess

from ..permissions import (
    is_register_staff,
)

PAGE_SIZE = 30


ATTENDANCE, REMARKS = ReadAccess.What.ATTENDANCE, ReadAccess.What.REMARKS


def _note_reads(request, pupils, what: str, school_class) -> None:
    """Read auditing: staff saw these pupils' attendance or remarks (written once
    per request by portal.audit.ReadAuditMiddleware)."""
    school_id = school_class.school_year.school_id if school_class else None
    note_reads(request, pupils=pupils, what=what, school=school_id)


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _parse_date(value, default=None) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value) if value else (default or timezone.localdate())
    except ValueError as exc:
        raise Http404 from exc


def _staff_only(request):
    if not is_register_staff(request.user):
        raise Http404


def _own_or_404(model, request, pk):
    """A teacher's own homework or test (their class and subject), else 404."""
    own = model.objects.filter(assignment__teacher=request.user).select_related(
        "assignment__school_class__school_year__school", "assignment__subject"
    )
    return get_object_or_404(own, pk=pk)


def _delete_flow(request, item, *, template: str, delete, done: str, back: str):
    """The shared delete pattern: "Usuń" first shows a confirmation on the same
    page; only the confirmation's own button deletes. None when no delete was asked."""
    if request.method != "POST" or "delete" not in request.POST:
        return None
    if "confirm" not in request.POST:
        return render(request, template, _edit_ctx(item, None))
    delete()
    messages.success(request, done)
    return redirect(back)


def _edit_ctx(item, form, warnings=()) -> dict:
    return {"item": item, "form": form, "confirm_delete": form is None, "warnings": warnings}
