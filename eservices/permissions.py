"""Who sees and handles which case, as named rules.

- the family: the applicant and the guardians of the pupil a case is about see
  the case, without the internal notes;
- a handler sees the cases of their school that their role answers: the
  secretariat, the librarian, the pedagogue the cases of services they handle,
  a homeroom teacher those about pupils of their class, anyone the case was
  handed to that case; the school's administrators and headteacher all of the
  school's cases; a municipal administrator every school's;
- the school's administrators manage the catalogue.
Another school's case is not in any of these querysets: its views answer 404.
"""

from __future__ import annotations

import rules

from django.db.models import Q

from portal.models import Role, School
from portal.permissions import can_manage_school, user_roles

from .models import Case, HandlerRole, IssuedDocument, Service

# A school role that answers the cases of services handled by it.
ROLE_OF_HANDLER = {
    HandlerRole.SECRETARY: Role.SECRETARY,
    HandlerRole.HEADTEACHER: Role.HEADTEACHER,
    HandlerRole.LIBRARIAN: Role.LIBRARIAN,
    HandlerRole.PEDAGOGUE: Role.PEDAGOGUE,
}
# Roles that see (and may handle) every case of their school.
OVERSEEING_ROLES = (Role.SCHOOL_ADMIN, Role.HEADTEACHER)


def family_cases(user):
    """The cases the user filed or that are about their children."""
    if not user.is_authenticated:
        return Case.objects.none()
    roles = user_roles(user)
    return Case.objects.filter(Q(applicant=user) | Q(pupil_id__in=roles.child_ids))


def _handler_condition(user) -> Q | None:
    roles = user_roles(user)
    if roles.is_municipal_admin:
        return Q()
    condition = Q(pk__in=[])
    overseen = set()
    for role in OVERSEEING_ROLES:
        overseen |= roles.schools(role)
    if overseen:
        condition |= Q(school_id__in=overseen)
    for handler_role, role in ROLE_OF_HANDLER.items():
        schools = roles.schools(role)
        if schools:
            condition |= Q(handler_role=handler_role, school_id__in=schools)
    if roles.homeroom_class_ids:
        condition |= Q(
            handler_role=HandlerRole.HOMEROOM, pupil_class_id__in=roles.homeroom_class_ids
        )
    if roles.staff_school_ids:
        condition |= Q(handler=user, school_id__in=roles.staff_school_ids)
    return condition


def handled_cases(user):
    """The cases the user may handle (the handler's queue)."""
    if not user.is_authenticated:
        return Case.objects.none()
    condition = _handler_condition(user)
    return Case.objects.filter(condition)


def may_handle_cases(user) -> bool:
    """Whether the handler's queue is for the user at all (the menu, the queue)."""
    roles = user_roles(user)
    if roles.is_municipal_admin or roles.is_homeroom_teacher:
        return True
    return any(roles.has(role) for role in (*OVERSEEING_ROLES, *ROLE_OF_HANDLER.values()))


@rules.predicate
def can_handle_case(user, case) -> bool:
    return case is not None and handled_cases(user).filter(pk=case.pk).exists()


@rules.predicate
def is_family_of_case(user, case) -> bool:
    if case is None or not user.is_authenticated:
        return False
    return case.applicant_id == user.pk or case.pupil_id in user_roles(user).child_ids


def case_for(user, pk: int) -> tuple[Case, bool]:
    """The case `pk` as the user may see it, and whether they see it as its handler
    (with the internal notes). Anyone else: `Case.DoesNotExist` (a 404)."""
    case = (
        Case.objects.select_related(
            "service", "school", "applicant", "pupil", "pupil_class", "handler"
        )
        .filter(Q(pk=pk))
        .get()
    )
    if can_handle_case(user, case):
        return case, True
    if is_family_of_case(user, case):
        return case, False
    raise Case.DoesNotExist


def family_schools(user):
    """The schools whose services the user may file: those of their children."""
    from portal.selectors import children_with_classes

    school_ids = {
        child["school_class"].school_year.school_id
        for child in children_with_classes(user)
        if child["school_class"] is not None
    }
    return School.objects.filter(pk__in=school_ids)


def services_for_family(user):
    return (
        Service.objects.filter(enabled=True, school__in=family_schools(user))
        .select_related("school")
        .order_by("school__name", "position", "name")
    )


@rules.predicate
def can_manage_catalogue(user, school) -> bool:
    return can_manage_school(user, school)


def documents_handled_by(user):
    return IssuedDocument.objects.filter(case__in=handled_cases(user))


def handler_candidates(case):
    """Whom a case may be handed to: the school's staff of the handling roles and
    the homeroom teacher of the pupil's class."""
    from django.contrib.auth import get_user_model

    from portal.models import RoleAssignment

    roles = [*OVERSEEING_ROLES, *ROLE_OF_HANDLER.values()]
    ids = set(
        RoleAssignment.objects.filter(school_id=case.school_id, role__in=roles).values_list(
            "user_id", flat=True
        )
    )
    if case.pupil_class_id and case.pupil_class.homeroom_teacher_id:
        ids.add(case.pupil_class.homeroom_teacher_id)
    return (
        get_user_model()
        .objects.filter(pk__in=ids, is_active=True)
        .order_by("last_name", "first_name")
    )


# --- Trips -----------------------------------------------------------------------------


def trip_classes(user):
    """The classes a teacher may organise a trip for: those they teach or are the
    homeroom teacher of (this school year's, through the role cache)."""
    from portal.models import SchoolClass

    if not user.is_authenticated:
        return SchoolClass.objects.none()
    roles = user_roles(user)
    return SchoolClass.objects.filter(
        pk__in=roles.homeroom_class_ids | roles.taught_class_ids
    ).select_related("school_year__school")


def may_organise_trips(user) -> bool:
    if not user.is_authenticated:
        return False
    roles = user_roles(user)
    return bool(roles.homeroom_class_ids or roles.taught_class_ids)


def organised_trips(user):
    """The trips a teacher sees with their consent lists: those of their classes.
    Another class's or school's trip is not here (404)."""
    from .models import Trip

    if not user.is_authenticated:
        return Trip.objects.none()
    roles = user_roles(user)
    return Trip.objects.filter(
        school_class_id__in=roles.homeroom_class_ids | roles.taught_class_ids
    )


def family_trip_consents(user):
    """The consent rows of the user's own children (a guardian answers only these)."""
    from .models import TripConsent

    if not user.is_authenticated:
        return TripConsent.objects.none()
    return TripConsent.objects.filter(pupil_id__in=user_roles(user).child_ids)
