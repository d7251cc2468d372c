"""Views of the trip consents: the teacher's trips (their own classes only,
anything else a 404), the consent list, its printout and the reminder; the
guardian's answer for their own child."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from portal.inputs import parse_id

from . import forms, selectors, services
from .permissions import family_trip_consents, may_organise_trips, organised_trips, trip_classes


def _organiser(request):
    if not may_organise_trips(request.user):
        raise Http404


@login_required
@require_GET
def trips_view(request):
    _organiser(request)
    return render(request, "eservices/trips.html", {"trips": selectors.teacher_trips(request.user)})


@login_required
def trip_create_view(request):
    _organiser(request)
    classes = trip_classes(request.user).order_by("school_year__school__name", "level", "name")
    pupils_by_class = {c: services.class_pupils(c) for c in classes}
    form = forms.TripForm(
        request.POST or None, classes=classes, pupils_by_class=pupils_by_class, prefix="trip"
    )
    if request.method == "POST" and form.is_valid():
        try:
            trip = services.trip_create(
                user=request.user, trip=form.instance, pupils=form.chosen_pupils()
            )
        except services.EservicesError as exc:
            form.add_error(None, exc.message)
        else:
            flash.success(request, _("The trip was saved and the guardians were asked."))
            return redirect("eservices:trip", pk=trip.pk)
    return render(request, "eservices/trip_edit.html", {"form": form})


def _trip_context(request, pk) -> dict:
    trip = get_object_or_404(
        organised_trips(request.user).select_related("school_class", "school"), pk=pk
    )
    return {
        "trip": trip,
        "frozen": trip.is_frozen(),
        "now": timezone.now(),
        "cancel_form": forms.TripCancelForm(),
        "missing": [] if trip.is_frozen() else services.trip_missing_pupils(trip),
        **selectors.trip_list(trip),
    }


@login_required
@require_GET
def trip_view(request, pk):
    return render(request, "eservices/trip.html", _trip_context(request, pk))


@login_required
@require_GET
def trip_print_view(request, pk):
    return render(request, "eservices/trip_print.html", _trip_context(request, pk))


def _trip_step(request, pk, step, said):
    """An organiser's POST on their trip: the service, then its message (or the
    service's refusal), then back to the trip."""
    trip = get_object_or_404(organised_trips(request.user), pk=pk)
    try:
        result = step(trip)
    except services.EservicesError as exc:
        flash.error(request, exc.message)
    else:
        flash.success(request, said(result))
    return redirect("eservices:trip", pk=trip.pk)


@login_required
@require_POST
def trip_remind_view(request, pk):
    return _trip_step(
        request,
        pk,
        lambda trip: services.trip_remind(trip=trip, user=request.user),
        lambda told: (
            ngettext(
                "A reminder was sent to %(count)d guardian.",
                "A reminder was sent to %(count)d guardians.",
                len(told),
            )
            % {"count": len(told)}
        ),
    )


@login_required
def trip_edit_view(request, pk):
    trip = get_object_or_404(organised_trips(request.user).select_related("school_class"), pk=pk)
    if trip.is_frozen():
        flash.error(request, _("The deadline for answers has passed; the list is final."))
        return redirect("eservices:trip", pk=trip.pk)
    form = forms.TripChangeForm(request.POST or None, instance=trip, prefix="trip")
    if request.method == "POST" and form.is_valid():
        try:
            services.trip_update(trip=form.instance, user=request.user)
        except services.EservicesError as exc:
            form.add_error(None, exc.message)
        else:
            flash.success(request, _("The trip was saved and the guardians were told."))
            return redirect("eservices:trip", pk=trip.pk)
    return render(request, "eservices/trip_edit.html", {"form": form, "trip": trip})


@login_required
@require_POST
def trip_add_pupils_view(request, pk):
    ids = [pk for pk in map(parse_id, request.POST.getlist("pupils")) if pk is not None]
    return _trip_step(
        request,
        pk,
        lambda trip: services.trip_add_pupils(trip=trip, user=request.user, pupil_ids=ids),
        lambda added: (
            ngettext(
                "%(count)d pupil was added and their guardians were asked.",
                "%(count)d pupils were added and their guardians were asked.",
                len(added),
            )
            % {"count": len(added)}
        ),
    )


@login_required
@require_POST
def trip_cancel_view(request, pk):
    form = forms.TripCancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _trip_step(
        request,
        pk,
        lambda trip: services.trip_cancel(trip=trip, user=request.user, reason=reason),
        lambda _trip: _("The trip was cancelled and the guardians were told."),
    )


@login_required
@require_POST
def trip_answer_view(request, pk):
    consent = get_object_or_404(family_trip_consents(request.user), pk=pk)
    form = forms.TripAnswerForm(request.POST)
    if not form.is_valid():
        flash.error(request, _("Choose consent or refusal."))
    else:
        try:
            services.trip_answer(
                consent=consent,
                user=request.user,
                answer=form.cleaned_data["answer"],
                note=form.cleaned_data["note"],
            )
        except services.EservicesError as exc:
            flash.error(request, exc.message)
        else:
            flash.success(request, _("Your answer was saved."))
    return redirect(reverse("eservices:home") + "#wycieczki")
