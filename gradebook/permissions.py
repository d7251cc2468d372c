"""Named rules of the e-register, built on portal.permissions.

Views look objects up through the scoped querysets here (`assignments_visible_to`,
`classes_visible_to`), so another school's objects answer 404; the predicates
decide what a user may do with an object they can see. Attendance and the
class register will reuse the same rules."""

from __future__ import annotations

import rules

from django.db.models import Q

from portal.models import Role, SchoolClass, TeachingAssignment
from portal.permissions import can_manage_school, can_view_pupil, user_roles


def _school_id_of_assignment(assignment) -> int:
    return assignment.school_class.school_year.school_id


@rules.predicate
def can_edit_assignment(user, assignment) -> bool:
    """Only the teacher of the assignment enters its grades."""
    return assignment is not None and user.is_authenticated and assignment.teacher_id == user.pk


@rules.predicate
def can_view_assignment(user, assignment) -> bool:
    """Its teacher, the class's homeroom teacher, the school admin."""
    if assignment is None or not user.is_authenticated:
        return False
    roles = user_roles(user)
    return (
        roles.is_superuser
        or assignment.teacher_id == user.pk
        or assignment.school_class_id in roles.homeroom_class_ids
        or roles.has(Role.SCHOOL_ADMIN, _school_id_of_assignment(assignment))
    )


@rules.predicate
def can_view_grade_history(user, assignment) -> bool:
    """Teachers of the assignment and school admins see a grade's history."""
    if assignment is None or not user.is_authenticated:
        return False
    roles = user_roles(user)
    return (
        roles.is_superuser
        or assignment.teacher_id == user.pk
        or roles.has(Role.SCHOOL_ADMIN, _school_id_of_assignment(assignment))
    )


@rules.predicate
def can_view_class_register(user, school_class) -> bool:
    """The homeroom teacher and school admins read every subject of a class."""
    if school_class is None:
        return False
    roles = user_roles(user)
    return (
        roles.is_superuser
        or school_class.pk in roles.homeroom_class_ids
        or roles.has(Role.SCHOOL_ADMIN, school_class.school_year.school_id)
    )


@rules.predicate
def can_set_behaviour(user, school_class) -> bool:
    """Behaviour grades are the homeroom teacher's."""
    return school_class is not None and school_class.homeroom_teacher_id == user.pk


@rules.predicate
def can_view_pupil_register(user, pupil) -> bool:
    """The pupil, their guardians, their teachers and homeroom teacher, school admins."""
    return can_view_pupil(user, pupil)


@rules.predicate
def can_manage_grading(user, school) -> bool:
    """School settings, categories, closing and reopening terms."""
    return can_manage_school(user, school)


@rules.predicate
def is_gradebook_staff(user) -> bool:
    """Teachers, homeroom teachers and school admins work in the gradebook itself;
    pupils and guardians read a pupil's page."""
    roles = user_roles(user)
    return (
        roles.is_superuser
        or roles.is_teacher
        or roles.is_homeroom_teacher
        or bool(roles.schools(Role.SCHOOL_ADMIN))
    )


def assignments_visible_to(user):
    """Teaching assignments whose grades the user may read."""
    roles = user_roles(user)
    qs = TeachingAssignment.objects.select_related(
        "subject", "school_class__school_year__school", "group", "teacher"
    )
    if roles.is_superuser:
        return qs
    condition = Q(teacher=user) | Q(school_class_id__in=roles.homeroom_class_ids)
    admin_schools = roles.schools(Role.SCHOOL_ADMIN)
    if admin_schools:
        condition |= Q(school_class__school_year__school_id__in=admin_schools)
    return qs.filter(condition)


def classes_visible_to(user):
    """Classes whose whole register the user may read (homeroom, school admin)."""
    roles = user_roles(user)
    qs = SchoolClass.objects.select_related("school_year__school", "homeroom_teacher")
    if roles.is_superuser:
        return qs
    condition = Q(pk__in=roles.homeroom_class_ids)
    admin_schools = roles.schools(Role.SCHOOL_ADMIN)
    if admin_schools:
        condition |= Q(school_year__school_id__in=admin_schools)
    return qs.filter(condition)


rules.add_perm("gradebook.edit_assignment", can_edit_assignment)
rules.add_perm("gradebook.view_assignment", can_view_assignment)
rules.add_perm("gradebook.view_grade_history", can_view_grade_history)
rules.add_perm("gradebook.view_class_register", can_view_class_register)
rules.add_perm("gradebook.set_behaviour", can_set_behaviour)
rules.add_perm("gradebook.view_pupil_register", can_view_pupil_register)
rules.add_perm("gradebook.manage_grading", can_manage_grading)
rules.add_perm("gradebook.is_staff", is_gradebook_staff)
