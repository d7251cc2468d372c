"""Reads of the e-services, each in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Case as When_
from django.db.models import IntegerField, Value, When
from django.utils import timezone

from .models import OPEN_STATUSES, Status
from .permissions import family_cases, handled_cases


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
