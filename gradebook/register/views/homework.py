"""Homework: set, edited and deleted by its teacher; attachments served to those who see it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from portal.files import PRIVATE_STORAGE, serve_protected_file

from .. import forms, services
from ..models import (
    Homework,
)
from ..permissions import (
    assignments_for,
    homework_visible_to,
)
from ._common import (
    _delete_flow,
    _edit_ctx,
    _own_or_404,
    _page,
    _staff_only,
)


@login_required
def homework_view(request):
    _staff_only(request)
    assignments = assignments_for(request.user)
    form = forms.HomeworkForm(request.POST or None, request.FILES or None, assignments=assignments)
    if request.method == "POST" and form.is_valid():
        try:
            services.homework_create(
                assignment=form.cleaned_data["assignment"],
                due_date=form.cleaned_data["due_date"],
                description=form.cleaned_data["description"],
                attachment=form.cleaned_data["attachment"],
                user=request.user,
            )
        except services.RegisterError as exc:
            form.add_error("attachment", exc.message)
        else:
            messages.success(request, _("The homework has been set."))
            return redirect("register:homework")
    items = (
        Homework.objects.filter(assignment__in=assignments)
        .select_related("assignment__school_class", "assignment__subject", "assignment__group")
        .order_by("-due_date")
    )
    return render(request, "register/homework.html", {"form": form, "page": _page(request, items)})


@login_required
def homework_attachment_view(request, pk: int):
    homework = get_object_or_404(homework_visible_to(request.user), pk=pk)
    if not homework.attachment:
        raise Http404
    return serve_protected_file(
        request,
        PRIVATE_STORAGE,
        homework.attachment.name,
        homework.attachment_name or homework.attachment.name,
        as_attachment=True,
    )


@login_required
def homework_edit_view(request, pk: int):
    _staff_only(request)
    homework = _own_or_404(Homework, request, pk)
    deleted = _delete_flow(
        request,
        homework,
        template="register/homework_edit.html",
        delete=lambda: services.homework_delete(homework=homework, user=request.user),
        done=_("The homework has been deleted."),
        back="register:homework",
    )
    if deleted is not None:
        return deleted
    initial = {"due_date": homework.due_date, "description": homework.description}
    form = forms.HomeworkEditForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.homework_update(
                homework=homework,
                due_date=data["due_date"],
                description=data["description"],
                attachment=data["attachment"],
                remove_attachment=data["remove_attachment"],
                user=request.user,
            )
        except services.RegisterError as exc:
            form.add_error("attachment", exc.message)
        else:
            messages.success(request, _("The homework has been saved."))
            return redirect("register:homework")
    return render(request, "register/homework_edit.html", _edit_ctx(homework, form))
