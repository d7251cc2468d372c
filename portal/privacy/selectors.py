"""Reads for the data-protection pages, each scoped to what the user may see."""

from __future__ import annotations

import datetime

from ..models import AuditEvent, ReadAccess, User
from ..permissions import audit_school_ids, read_audit_school_ids
from ..selectors import name_search


def person_search(*, q: str):
    """People of the whole gmina by name, login or e-mail (for the DPO)."""
    return User.objects.filter(name_search(q, email=True)).order_by(
        "last_name", "first_name", "username"
    )


def _scoped(queryset, *, school_ids, actor: str, since, until):
    """The filters both viewers share: the schools a user may see (None for
    all), the staff member by name, and the dates."""
    if school_ids is not None:
        queryset = queryset.filter(school_id__in=school_ids)
    if actor:
        queryset = queryset.filter(actor_name__icontains=actor)
    if since:
        queryset = queryset.filter(at__date__gte=since)
    if until:
        queryset = queryset.filter(at__date__lte=until)
    return queryset


def audit_events_for(
    *,
    user,
    category: str = "",
    person: str = "",
    actor: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
):
    """The audit trail as `user` may see it (all of it, or their schools')."""
    events = AuditEvent.objects.select_related("school", "person", "target_type")
    if category:
        events = events.filter(category=category)
    if person:
        events = events.filter(name_search(person, prefix="person__"))
    return _scoped(events, school_ids=audit_school_ids(user), actor=actor, since=since, until=until)


def read_accesses_for(
    *,
    user,
    pupil: str = "",
    actor: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
):
    """Who opened which pupil's data, as `user` may see it."""
    reads = ReadAccess.objects.select_related("school", "pupil")
    if pupil:
        reads = reads.filter(name_search(pupil, prefix="pupil__"))
    return _scoped(
        reads, school_ids=read_audit_school_ids(user), actor=actor, since=since, until=until
    )
