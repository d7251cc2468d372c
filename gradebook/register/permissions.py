"""Named access rules of the class register, built on portal.permissions.

Views look objects up through the scoped querysets below, so an object of
another school, class or family answers 404, never 403."""

from __future__ import annotations

import rules

from django.db.models import Q

from portal.models import Role, SchoolClass, TeachingAssignment, User
from portal.permissions import (
    can_manage_school,
    is_guardian_of,
    is_homeroom_teacher_of,
    manages_a_school,
    teaches_class,
    user_roles,
)

from .models import Announcement, Excuse, Homework, Lesson, Remark


def _admin_school_ids(user) -> frozenset[int]:
    return user_roles(user).schools(Role.SCHOOL_ADMIN)


def is_register_teacher(user) -> bool:
    roles = user_roles(user)
    return roles.is_teacher or roles.is_homeroom_teacher


@rules.predicate
def is_register_staff(user) -> bool:
    """Teachers, homeroom teachers and those who manage a school work in the
    register's staff screens (day, lessons, homework, tests, remarks)."""
    return is_register_teacher(user) or manages_a_school(user)


@rules.predicate
def is_family(user) -> bool:
    roles = user_roles(user)
    return roles.is_pupil or roles.is_guardian


@rules.predicate
def can_take_lesson(user, lesson: Lesson) -> bool:
    """The assignment's teacher, the substitute, or an admin of the school."""
    if lesson is None:
        return False
    if user.pk in (lesson.assignment.teacher_id, lesson.substitute_teacher_id):
        return True
    return bool(can_manage_school(user, lesson.assignment.school_class.school_year.school_id))


def assignments_taught_by(user):
    return TeachingAssignment.objects.current().filter(teacher=user)


def lessons_for(user):
    """Lessons a user may open: their own, their substitutions, their school's (admins)."""
    roles = user_roles(user)
    if roles.is_superuser:
        return Lesson.objects.all()
    condition = Q(assignment__teacher=user) | Q(substitute_teacher=user)
    admin_schools = _admin_school_ids(user)
    if admin_schools:
        condition |= Q(assignment__school_class__school_year__school_id__in=admin_schools)
    return Lesson.objects.filter(condition)


def assignments_for(user):
    """Assignments a user may plan lessons, homework and tests for."""
    roles = user_roles(user)
    qs = TeachingAssignment.objects.current()
    if roles.is_superuser:
        return qs
    condition = Q(teacher=user)
    admin_schools = _admin_school_ids(user)
    if admin_schools:
        condition |= Q(school_class__school_year__school_id__in=admin_schools)
    return qs.filter(condition)


def classes_for_staff(user):
    """Classes a teacher teaches or leads, and every class of an admin's school."""
    roles = user_roles(user)
    qs = SchoolClass.objects.current()
    if roles.is_superuser:
        return qs
    condition = Q(pk__in=roles.homeroom_class_ids | roles.taught_class_ids)
    admin_schools = _admin_school_ids(user)
    if admin_schools:
        condition |= Q(school_year__school_id__in=admin_schools)
    return qs.filter(condition)


def decidable_classes(user):
    """Classes whose excuses the user decides: the homeroom's own, or an admin's school."""
    roles = user_roles(user)
    condition = Q(pk__in=roles.homeroom_class_ids)
    admin_schools = _admin_school_ids(user)
    if admin_schools:
        condition |= Q(school_year__school_id__in=admin_schools)
    if roles.is_superuser:
        return SchoolClass.objects.current()
    return SchoolClass.objects.current().filter(condition)


def excuses_for(user):
    """Excuses a user may see: guardians their children's, homeroom teachers their
    class's, admins their school's."""
    roles = user_roles(user)
    if roles.is_superuser:
        return Excuse.objects.all()
    condition = Q(pupil_id__in=roles.child_ids) | Q(school_class__in=decidable_classes(user))
    return Excuse.objects.filter(condition)


@rules.predicate
def can_decide_excuse(user, excuse: Excuse) -> bool:
    return bool(
        is_homeroom_teacher_of(user, excuse.school_class)
        or can_manage_school(user, excuse.school_class.school_year.school_id)
    )


@rules.predicate
def can_excuse_for(user, pupil: User) -> bool:
    return bool(is_guardian_of(user, pupil))


@rules.predicate
def can_edit_remark(user, remark: Remark) -> bool:
    """Only its author corrects a remark (the change is kept in the history)."""
    return remark is not None and remark.author_id == user.pk


@rules.predicate
def can_acknowledge_remark(user, remark: Remark) -> bool:
    """Guardians confirm they have read a remark about their child."""
    return remark is not None and bool(is_guardian_of(user, remark.pupil))


@rules.predicate
def can_write_remark(user, school_class: SchoolClass) -> bool:
    return bool(
        teaches_class(user, school_class)
        or is_homeroom_teacher_of(user, school_class)
        or can_manage_school(user, school_class.school_year.school_id)
    )


def remarks_for(user):
    """Remarks visible to a user: families their own, teachers the ones they wrote,
    homeroom teachers their class's, admins their school's."""
    roles = user_roles(user)
    if roles.is_superuser:
        return Remark.objects.all()
    condition = Q(pupil_id__in=roles.child_ids) | Q(pupil=user) | Q(author=user)
    condition |= Q(school_class__in=decidable_classes(user))
    return Remark.objects.filter(condition)


def family_pupils(user):
    """The pupils whose week a user sees: themself (pupil) and their children."""
    roles = user_roles(user)
    ids = set(roles.child_ids)
    if roles.is_pupil:
        ids.add(user.pk)
    return User.objects.filter(pk__in=ids).order_by("first_name", "last_name")


@rules.predicate
def can_announce(user) -> bool:
    roles = user_roles(user)
    return roles.is_superuser or roles.is_teacher or bool(_admin_school_ids(user))


def announcement_schools(user):
    """Schools where a user may publish announcements."""
    roles = user_roles(user)
    return roles.schools(Role.TEACHER) | _admin_school_ids(user)


def own_announcements(user):
    return Announcement.objects.filter(author=user)


def homework_visible_to(user):
    """Homework a user may open: what they may plan (teachers, admins), and the
    homework of the classes they teach or lead or their family is in now."""
    from portal.selectors import current_class_of

    roles = user_roles(user)
    class_ids = set(roles.taught_class_ids | roles.homeroom_class_ids)
    for pupil in family_pupils(user):
        school_class = current_class_of(pupil)
        if school_class:
            class_ids.add(school_class.pk)
    return Homework.objects.filter(
        Q(assignment__in=assignments_for(user)) | Q(assignment__school_class_id__in=class_ids)
    )


rules.add_perm("register.take_lesson", can_take_lesson)
rules.add_perm("register.decide_excuse", can_decide_excuse)
rules.add_perm("register.write_remark", can_write_remark)
rules.add_perm("register.edit_remark", can_edit_remark)
rules.add_perm("register.acknowledge_remark", can_acknowledge_remark)
rules.add_perm("register.excuse_for", can_excuse_for)
rules.add_perm("register.is_staff", is_register_staff)
rules.add_perm("register.announce", can_announce)
