"""Remarks: written from a class, corrected by their author, acknowledged by families."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.class_years import class_year_choice
from portal.http import safe_next_url
from portal.inputs import id_param
from portal.permissions import (
    user_roles,
)

from .. import forms, selectors, services
from ..models import (
    Remark,
)
from ..permissions import (
    can_acknowledge_remark,
    can_edit_remark,
    can_write_remark,
    classes_for_staff,
    family_pupils,
    is_register_staff,
    remarks_for,
)
from ._common import (
    REMARKS,
    _note_reads,
    _page,
    _staff_only,
)


@login_required
def remarks_view(request):
    """Remarks the user may see. A family's page of one pupil (?pupil= themself or
    their child) shows one school year and class, the current one by default and
    an earlier one of ?klasa= (portal.class_years); other lists are not split."""
    remarks = remarks_for(request.user).select_related(
        "pupil", "author", "school_class__school_year"
    )
    pupil_id = id_param(request.GET, "pupil")
    pupil = year_choice = None
    if pupil_id is not None:
        remarks = remarks.filter(pupil_id=pupil_id)
        pupil = family_pupils(request.user).filter(pk=pupil_id).first()
    if pupil is not None:
        year_choice = class_year_choice(request.user, pupil, request.GET)
        if year_choice.enrolment is not None:
            remarks = selectors.remarks_in_enrolment(remarks, year_choice.enrolment)
    page = _page(request, remarks)
    for remark in page:
        _note_reads(request, [remark.pupil_id], REMARKS, remark.school_class)
    return render(
        request,
        "register/remarks.html",
        {
            "page": page,
            "may_write": is_register_staff(request.user),
            "family_ids": set(user_roles(request.user).child_ids),
            "pupil": pupil,
            "year_choice": year_choice,
        },
    )


@login_required
def remark_new_view(request):
    """A remark starts from a class: choose one of your classes, then its pupil."""
    _staff_only(request)
    classes = (
        classes_for_staff(request.user)
        .select_related("school_year__school")
        .order_by("level", "name", "school_year__school__short_name")
    )
    class_id = id_param(request.GET, "class")
    if class_id is None:
        return render(request, "register/remark_class.html", {"classes": classes})
    school_class = get_object_or_404(classes, pk=class_id)
    if not can_write_remark(request.user, school_class):
        raise Http404
    form = forms.RemarkForm(request.POST or None, pupils=school_class.pupils_on())

    def save(data):
        services.remark_create(
            author=request.user,
            pupil=data["pupil"],
            school_class=school_class,
            kind=data["kind"],
            text=data["text"],
        )

    title = _("New remark: %(class)s (%(school)s)") % {
        "class": school_class.name,
        "school": school_class.school_year.school.short_name,
    }
    return _remark_form(request, form, save, title)


def _remark_form(request, form, save, title):
    """Shared by creating and correcting a remark: save, or show the form with the error."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except services.RegisterError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The remark has been saved."))
            return redirect("register:remarks")
    return render(request, "register/form.html", {"form": form, "title": title})


@login_required
def remark_edit_view(request, pk: int):
    """The author corrects a remark; the change is kept in the history."""
    remark = get_object_or_404(Remark.objects.filter(author=request.user), pk=pk)
    if not can_edit_remark(request.user, remark):
        raise Http404
    form = forms.RemarkEditForm(request.POST or None, instance=remark)

    def save(data):
        services.remark_update(
            remark=Remark.objects.get(pk=remark.pk),
            user=request.user,
            kind=data["kind"],
            text=data["text"],
        )

    return _remark_form(request, form, save, _("Edit the remark"))


@login_required
@require_POST
def remark_acknowledge_view(request, pk: int):
    roles = user_roles(request.user)
    remark = get_object_or_404(Remark.objects.filter(pupil_id__in=roles.child_ids), pk=pk)
    if not can_acknowledge_remark(request.user, remark):
        raise Http404
    services.remark_acknowledge(remark=remark, user=request.user)
    messages.success(request, _("Thank you, the remark is marked as read."))
    return redirect(safe_next_url(request, reverse("register:remarks")))
