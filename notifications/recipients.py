"""Who is told about a pupil's event: the pupil and, by their school's setting,
all their guardians."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from portal.models import GuardianLink, User

from .models import SchoolSettings


def family_of(pupil_ids: Iterable[int], school_id: int | None) -> dict[int, list[int]]:
    """pupil id -> the user ids to tell (the pupil first, then the guardians when
    the school tells guardians). Inactive accounts are left out."""
    pupil_ids = list(dict.fromkeys(pupil_ids))
    active = set(User.objects.filter(pk__in=pupil_ids, is_active=True).values_list("pk", flat=True))
    out: dict[int, list[int]] = {p: ([p] if p in active else []) for p in pupil_ids}
    if SchoolSettings.for_school(school_id).tell_guardians:
        links = GuardianLink.objects.filter(
            pupil_id__in=pupil_ids, guardian__is_active=True
        ).values_list("pupil_id", "guardian_id")
        guardians: dict[int, list[int]] = defaultdict(list)
        for pupil_id, guardian_id in links.order_by("pk"):
            guardians[pupil_id].append(guardian_id)
        for pupil_id, ids in guardians.items():
            out[pupil_id] += ids
    return out
