"""School admin: the weekly timetable and the register settings with free days."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from portal.confirm import confirm_delete
from portal.inputs import id_param
from portal.models import SchoolClass
from portal.permissions import (
    can_manage_school,
    managed_schools,
)

from .. import forms, selectors, services
from ..models import (
    FreeDay,
    RegisterSettings,
    TimetableEntry,
)
from ..permissions import (
    classes_for_staff,
)


@login_required
def timetable_view(request, class_id: int):
    school_class = get_object_or_404(classes_for_staff(request.user), pk=class_id)
    may_edit = can_manage_school(request.user, school_class.school_year.school_id)
    form = forms.TimetableEntryForm(request.POST or None, school_class=school_class)
    if request.method == "POST":
        if not may_edit:
            raise Http404
        if "delete" in request.POST:
            entry_id = id_param(request.POST, "delete")
            asked = confirm_delete(
                request, what=_("The lesson disappears from the class's timetable.")
            )
            if asked:
                return asked
            services.timetable_entry_delete(
                school_class=school_class, entry_id=entry_id, user=request.user
            )
            return redirect(request.path)
        if form.is_valid():
            try:
                warnings = services.timetable_entry_save(entry=form.instance, user=request.user)
            except services.RegisterError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The timetable has been updated."))
                for warning in warnings:
                    messages.warning(request, warning)
                return redirect(request.path)
    entries = (
        TimetableEntry.objects.filter(assignment__school_class=school_class)
        .select_related("assignment__subject", "assignment__teacher", "assignment__group")
        .order_by("weekday", "number")
    )
    grid = {}
    for entry in entries:
        grid.setdefault(entry.number, {}).setdefault(entry.weekday, []).append(entry)
    numbers = sorted(grid)
    hours = selectors.bell_schedule(school_class.school_year.school_id)
    table = [(n, hours.get(n), [grid[n].get(d, []) for d in range(5)]) for n in numbers]
    return render(
        request,
        "register/timetable.html",
        {
            "school_class": school_class,
            "table": table,
            "entries": entries,
            "form": form if may_edit else None,
            "weekdays": [label for _v, label in TimetableEntry._meta.get_field("weekday").choices],
        },
    )


@login_required
def settings_view(request, school_id: int):
    school = get_object_or_404(managed_schools(request.user), pk=school_id)
    if not can_manage_school(request.user, school):
        raise Http404
    instance = RegisterSettings.for_school(school.pk)
    form = forms.RegisterSettingsForm(
        request.POST if "settings" in request.POST else None, instance=instance
    )
    free_form = forms.FreeDayForm(request.POST if "free_day" in request.POST else None)
    bell_form = forms.BellScheduleForm(
        request.POST if "bell" in request.POST else None,
        hours=selectors.bell_schedule(school.pk),
    )
    if request.method == "POST":
        if "delete" in request.POST:
            free_day_id = id_param(request.POST, "delete")
            asked = confirm_delete(request, what=_("The day becomes a school day again."))
            if asked:
                return asked
            services.free_day_delete(school=school, free_day_id=free_day_id, user=request.user)
            return redirect(request.path)
        if "settings" in request.POST and form.is_valid():
            form.instance.school = school
            services.register_settings_save(settings=form.instance, user=request.user)
            messages.success(request, _("The settings have been saved."))
            return redirect(request.path)
        if "bell" in request.POST and bell_form.is_valid():
            services.bell_schedule_save(
                school=school, hours=bell_form.cleaned_data["hours"], user=request.user
            )
            messages.success(request, _("The lesson hours have been saved."))
            return redirect(request.path)
        if "free_day" in request.POST and free_form.is_valid():
            free_form.instance.school = school
            services.free_day_save(free_day=free_form.instance, user=request.user)
            messages.success(request, _("The free day has been added."))
            return redirect(request.path)
    classes = SchoolClass.objects.current().for_school(school)
    return render(
        request,
        "register/settings.html",
        {
            "school": school,
            "form": form,
            "free_form": free_form,
            "bell_form": bell_form,
            "free_days": FreeDay.objects.filter(school=school),
            "classes": classes,
        },
    )
