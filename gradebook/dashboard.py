"""Dashboard panels and the navigation rule of the e-register."""

from portal.header import header_counts
from portal.models import TeachingAssignment
from portal.permissions import user_roles

from .selectors import latest_grades, unread_notifications


def uses(request) -> bool:
    if not request.user.is_authenticated:
        return False
    roles = user_roles(request.user)
    return bool(
        roles.is_superuser
        or roles.is_teacher
        or roles.is_homeroom_teacher
        or roles.is_guardian
        or roles.is_pupil
        or roles.schools("school_admin")
    )


def teacher(request):
    roles = user_roles(request.user)
    if not roles.is_teacher:
        return None
    assignments = list(
        TeachingAssignment.objects.current()
        .filter(teacher=request.user)
        .select_related("subject", "school_class", "group")
        .order_by("school_class__level", "school_class__name", "subject__name")
    )
    if not assignments:
        return None
    return {"assignments": assignments}


def family(request):
    roles = user_roles(request.user)
    ids = set(roles.child_ids)
    if roles.is_pupil:
        ids.add(request.user.pk)
    if not ids:
        return None
    # The header's bell shows the same number: counted once for the page.
    unread = header_counts(request).count("notifications")
    if unread is None:
        unread = unread_notifications(request.user).count()
    return {"grades": list(latest_grades(ids, limit=8)), "unread": unread}
