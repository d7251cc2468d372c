"""Named access rules of the year-end paperwork, built on portal.permissions.

A school's own admins and headteachers run the year's end for their school; a
homeroom teacher sees the classification of their own class. Views look classes
and schools up through the scoped querysets below, so another school's class
answers 404, never 403."""

from __future__ import annotations

import rules

from portal.models import Role, School, SchoolClass
from portal.permissions import is_homeroom_teacher_of, user_roles


def year_end_school_ids(user) -> frozenset[int] | None:
    """Schools whose year's end the user runs (None: every school, for municipal
    administrators and superusers)."""
    roles = user_roles(user)
    if roles.is_municipal_admin:
        return None
    return roles.schools(Role.SCHOOL_ADMIN) | roles.schools(Role.HEADTEACHER)


@rules.predicate
def can_run_year_end(user, school) -> bool:
    """School admins and headteachers of this school (and municipal admins)."""
    if school is None:
        return False
    school_ids = year_end_school_ids(user)
    school_id = school if isinstance(school, int) else school.pk
    return school_ids is None or school_id in school_ids


@rules.predicate
def can_view_class_classification(user, school_class) -> bool:
    """The class's homeroom teacher, and those who run the school's year end."""
    if school_class is None:
        return False
    return is_homeroom_teacher_of(user, school_class) or can_run_year_end(
        user, school_class.school_year.school_id
    )


def year_end_schools(user):
    school_ids = year_end_school_ids(user)
    if school_ids is None:
        return School.objects.all()
    return School.objects.filter(pk__in=school_ids)


def classes_visible_to(user):
    """Classes whose classification the user may see, as a queryset."""
    school_ids = year_end_school_ids(user)
    classes = SchoolClass.objects.select_related("school_year__school")
    if school_ids is None:
        return classes
    homeroom = user_roles(user).homeroom_class_ids
    return classes.filter(school_year__school_id__in=school_ids) | classes.filter(pk__in=homeroom)


rules.add_perm("yearend.run_year_end", can_run_year_end)
rules.add_perm("yearend.view_class_classification", can_view_class_classification)
