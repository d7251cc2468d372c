"""Excuses: guardians send them, homeroom teachers decide."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.inputs import id_list_param, id_param
from portal.models import User
from portal.permissions import (
    user_roles,
)

from .. import forms, selectors, services
from ..models import (
    Attendance,
    Excuse,
)
from ..permissions import (
    can_decide_excuse,
    can_excuse_for,
    decidable_classes,
    excuses_for,
    family_pupils,
)
from ._common import (
    _page,
)


@login_required
def excuses_view(request):
    roles = user_roles(request.user)
    decidable = decidable_classes(request.user)
    excuses = (
        excuses_for(request.user)
        .select_related("pupil", "school_class", "submitted_by", "decided_by")
        .prefetch_related(
            Prefetch(
                "attendances",
                queryset=Attendance.objects.select_related("lesson__assignment__subject").order_by(
                    "lesson__date", "lesson__number"
                ),
            ),
            "days",
        )
    )
    status = request.GET.get("status")
    if status in Excuse.Status.values:
        excuses = excuses.filter(status=status)
    return render(
        request,
        "register/excuses.html",
        {
            "page": _page(request, excuses),
            "is_guardian": roles.is_guardian,
            "may_decide": decidable.exists(),
            "children": family_pupils(request.user).filter(pk__in=roles.child_ids),
            "decision_form": forms.DecisionForm(),
            "statuses": Excuse.Status.choices,
            "status": status,
        },
    )


@login_required
def excuse_new_view(request):
    roles = user_roles(request.user)
    children = User.objects.filter(pk__in=roles.child_ids)
    pupil = get_object_or_404(children, pk=id_param(request.GET, "pupil"))
    if not can_excuse_for(request.user, pupil):
        raise Http404
    absences = selectors.excusable_absences(pupil)
    form = forms.ExcuseForm(request.POST or None, absences=absences)
    if request.method == "POST":
        ids = id_list_param(request.POST, "attendances")
        if ids and Attendance.objects.filter(pk__in=ids, pupil=pupil).count() != len(ids):
            raise Http404
        if form.is_valid():
            try:
                services.excuse_submit(
                    guardian=request.user,
                    pupil=pupil,
                    attendance_ids=form.cleaned_data["attendance_ids"],
                    reason=form.cleaned_data["reason"],
                    days=form.cleaned_data["whole_days"],
                )
            except services.RegisterError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The excuse has been sent to the homeroom teacher."))
                return redirect("register:excuses")
    return render(
        request,
        "register/form.html",
        {
            "form": form,
            "title": _("Excuse absences of %(name)s") % {"name": pupil},
            "empty": not absences.exists(),
            "empty_text": _("There are no absences to excuse."),
        },
    )


@login_required
@require_POST
def excuse_decide_view(request, pk: int):
    excuse = get_object_or_404(
        Excuse.objects.filter(school_class__in=decidable_classes(request.user)), pk=pk
    )
    if not can_decide_excuse(request.user, excuse):
        raise Http404
    form = forms.DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.excuse_decide(
                excuse=excuse,
                user=request.user,
                accept=form.cleaned_data["accept"],
                reason=form.cleaned_data["reason"],
            )
        except services.RegisterError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The decision has been saved."))
    else:
        messages.error(request, _("Choose accept or reject."))
    return redirect("register:excuses")
