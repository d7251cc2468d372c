"""Reads for the data-protection pages, each scoped to what the user may see."""

from __future__ import annotations

import datetime

from django.db.models import Q

from ..models import AuditEvent, ReadAccess, User
from ..permissions import audit_school_ids, read_audit_school_ids


def _names(text: str, *, prefix: str = "", email: bool = False) -> Q:
    """Every word of `text` in the first name, last name or login (or e-mail)
    of the user at `prefix` ("pupil__", "person__" or "" for the user itself)."""
    fields = ["first_name", "last_name", "username", *(["email"] if email else [])]
    condition = Q()
    for word in text.split():
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{prefix}{field}__icontains": word})
        condition &= any_field
    return condition


def person_search(*, q: str):
    """People of the whole gmina by name, login or e-mail (for the DPO)."""
    return User.objects.filter(_names(q, email=True)).order_by(
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
        events = events.filter(_names(person, prefix="person__"))
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
        reads = reads.filter(_names(pupil, prefix="pupil__"))
    return _scoped(
        reads, school_ids=read_audit_school_ids(user), actor=actor, since=since, until=until
    )
