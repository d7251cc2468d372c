"""The test calendar: planned, moved and taken off under the school limits."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import forms, services
from ..models import (
    PlannedTest,
)
from ..permissions import (
    assignments_for,
)
from ._common import (
    _delete_flow,
    _edit_ctx,
    _own_or_404,
    _page,
    _staff_only,
)


@login_required
def tests_view(request):
    _staff_only(request)
    assignments = assignments_for(request.user)
    form = forms.PlannedTestForm(request.POST or None, assignments=assignments)
    warnings = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            test, warnings = services.test_plan(
                assignment=data["assignment"],
                date=data["date"],
                kind=data["kind"],
                scope=data["scope"],
                user=request.user,
                confirmed=data["confirmed"],
            )
        except services.RegisterError as exc:
            form.add_error(None, exc.message)
        else:
            if test:
                messages.success(request, _("The test has been added to the calendar."))
                return redirect("register:tests")
    class_ids = set(assignments.values_list("school_class_id", flat=True))
    tests = (
        PlannedTest.objects.filter(
            assignment__school_class_id__in=class_ids,
            date__gte=timezone.localdate() - datetime.timedelta(days=7),
        )
        .select_related("assignment__school_class", "assignment__subject", "assignment__teacher")
        .order_by("date")
    )
    return render(
        request,
        "register/tests.html",
        {"form": form, "warnings": warnings, "page": _page(request, tests)},
    )


@login_required
def test_edit_view(request, pk: int):
    _staff_only(request)
    test = _own_or_404(PlannedTest, request, pk)
    deleted = _delete_flow(
        request,
        test,
        template="register/test_edit.html",
        delete=lambda: services.test_delete(test=test, user=request.user),
        done=_("The test is off the calendar; the families are told."),
        back="register:tests",
    )
    if deleted is not None:
        return deleted
    initial = {"date": test.date, "kind": test.kind, "scope": test.scope}
    form = forms.PlannedTestEditForm(request.POST or None, initial=initial)
    warnings = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        moved = data["date"] != test.date
        try:
            saved, warnings = services.test_update(
                test=test,
                date=data["date"],
                kind=data["kind"],
                scope=data["scope"],
                confirmed=data["confirmed"],
                user=request.user,
            )
        except services.RegisterError as exc:
            form.add_error(None, exc.message)
        else:
            if saved:
                messages.success(
                    request,
                    _("The test has been moved; the families are told.")
                    if moved
                    else _("The test has been saved."),
                )
                return redirect("register:tests")
    return render(request, "register/test_edit.html", _edit_ctx(test, form, warnings))
