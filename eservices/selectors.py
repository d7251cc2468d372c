"""Reads of the e-services, each in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Case as When_
from django.db.models import Count, IntegerField, Q, Value, When
from django.utils import timezone

from .models import OPEN_STATUSES, Status
from .permissions import family_cases, family_trip_consents, handled_cases, organised_trips


def queue(user, *, status: str = ""):
    """The handler's cases: open ones first, overdue before those due later,
    then the closed ones newest first."""
    today = timezone.localdate()
    cases = handled_cases(user).select_related("service", "school", "pupil", "handler", "applicant")
    if status in Status.values:
        cases = cases.filter(status=status)
    elif status != "all":
        cases = cases.filter(status__in=OPEN_STATUSES)
    return cases.annotate(
        rank=When_(
            When(status__in=OPEN_STATUSES, due_date__lt=today, then=Value(0)),
            When(status__in=OPEN_STATUSES, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("rank", "due_date", "pk")


def my_cases(user):
    return (
        family_cases(user)
        .select_related("service", "school", "pupil")
        .order_by("-submitted_at", "-pk")
    )


def timeline(case, *, staff: bool):
    events = case.events.select_related("actor").prefetch_related("attachments")
    if not staff:
        events = events.filter(internal=False)
    return list(events)


def is_overdue(case) -> bool:
    return case.status in OPEN_STATUSES and case.due_date < timezone.localdate()


# --- Trips -----------------------------------------------------------------------------


def family_trips(user):
    """The consent rows of the user's children for trips not yet over, soonest
    first: the guardian's list on the e-services page."""
    today = timezone.localdate()
    return (
        family_trip_consents(user)
        .filter(
            Q(trip__ends_on__gte=today) | Q(trip__ends_on__isnull=True, trip__starts_on__gte=today)
        )
        .select_related("trip", "trip__school_class", "pupil")
        .order_by("trip__starts_on", "trip__pk", "pupil__first_name")
    )


def teacher_trips(user):
    return (
        organised_trips(user)
        .select_related("school_class")
        .annotate(
            pupils=Count("consents"),
            consented=Count("consents", filter=_answered("consent")),
            refused=Count("consents", filter=_answered("refusal")),
        )
        .order_by("-starts_on", "-pk")
    )


def _answered(answer: str):
    return Q(consents__answer=answer)


def trip_list(trip) -> dict:
    """The trip's consent list with its counts (two queries)."""
    consents = list(
        trip.consents.select_related("pupil").order_by(
            "pupil__last_name", "pupil__first_name", "pk"
        )
    )
    counts = {"consent": 0, "refusal": 0, "": 0}
    for consent in consents:
        counts[consent.answer] += 1
    return {
        "consents": consents,
        "total": len(consents),
        "consented": counts["consent"],
        "refused": counts["refusal"],
        "waiting": counts[""],
    }
