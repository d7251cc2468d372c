"""Who may write to whom, as named rules.

A person is always addressed *in a school* (`Target(user_id, school_id)`): the
school decides the rules (its pupils' setting, its staff, its families) and is
the school of the thread. Each rule says, for a sender, which people of which
school they may write to (`*_targets(user) -> {school_id: User queryset}`); the
predicate of the rule checks one target against it, and the recipient picker
offers the union of the rules. Nobody reaches another school's families: every
family set is built from the current enrolments of the sender's own schools.

- `guardian_may_write_to`: a guardian to the teachers of their children's
  classes, the homeroom teacher, and the school's secretariat, headteacher,
  librarian and pedagogue;
- `pupil_may_write_to`: a pupil to their teachers and homeroom teacher, unless
  the school's setting turns pupils' messages off;
- `staff_may_write_to`: a member of staff to anyone in their school (staff, its
  pupils, the guardians of its pupils) and to the education officers;
- `officer_may_write_to`: a municipal education officer to the staff of any
  school;
- `can_send_to_group`: staff to a class's guardians or pupils, all guardians or
  all staff of their school; an officer to all staff of any school.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import rules

from django.db.models import Q
from django.utils import timezone

from portal.inputs import parse_id
from portal.models import (
    Enrolment,
    GuardianLink,
    Role,
    RoleAssignment,
    SchoolClass,
    TeachingAssignment,
    User,
)
from portal.permissions import user_roles

from .models import MessagingSettings, Participant, Report

# The school roles families may write to beside teachers.
FAMILY_CONTACT_ROLES = (Role.SECRETARY, Role.HEADTEACHER, Role.LIBRARIAN, Role.PEDAGOGUE)
# Roles that make someone staff of a school (who may write to anyone in it).
SCHOOL_STAFF_ROLES = (
    Role.SCHOOL_ADMIN,
    Role.HEADTEACHER,
    Role.SECRETARY,
    Role.PEDAGOGUE,
    Role.TEACHER,
    Role.LIBRARIAN,
)


@dataclass(frozen=True)
class Target:
    """One person addressed in one school."""

    user_id: int
    school_id: int

    @property
    def token(self) -> str:
        return f"user:{self.school_id}:{self.user_id}"


@dataclass(frozen=True)
class Group:
    """A group addressed at once: `kind` is one of GROUP_KINDS; `ref` the class,
    school or pupil id."""

    kind: str
    ref: int

    @property
    def token(self) -> str:
        return f"{self.kind}:{self.ref}"


GROUP_KINDS = (
    "class_guardians",
    "class_pupils",
    "school_guardians",
    "school_staff",
    "guardians_of",
)


def parse_token(token: str) -> Target | Group | None:
    """A recipient token of the compose form, or None for junk."""
    parts = (token or "").split(":")
    ids = [parse_id(p) for p in parts[1:]]
    if None in ids:
        return None
    if parts[0] == "user" and len(ids) == 2:
        return Target(user_id=ids[1], school_id=ids[0])
    if parts[0] in GROUP_KINDS and len(ids) == 1:
        return Group(kind=parts[0], ref=ids[0])
    return None


def school_settings(school_id: int | None) -> MessagingSettings:
    from .models import DEFAULT_SETTINGS

    if school_id is None:
        return DEFAULT_SETTINGS
    return MessagingSettings.objects.filter(school_id=school_id).first() or DEFAULT_SETTINGS


def _current_enrolments():
    return Enrolment.objects.active_on(timezone.localdate()).filter(
        school_class__school_year__is_current=True
    )


def _staff_of(school_id: int, roles=SCHOOL_STAFF_ROLES):
    return RoleAssignment.objects.filter(school_id=school_id, role__in=roles).values("user_id")


def _people(*subqueries):
    condition = Q()
    for sub in subqueries:
        condition |= Q(pk__in=sub)
    return User.objects.filter(condition, is_active=True)


def _teachers_of_classes(class_ids):
    return [
        TeachingAssignment.objects.filter(school_class_id__in=class_ids).values("teacher_id"),
        SchoolClass.objects.filter(pk__in=class_ids, homeroom_teacher__isnull=False).values(
            "homeroom_teacher_id"
        ),
    ]


# --- The rules' target sets ---------------------------------------------------------------


def guardian_targets(user) -> dict[int, object]:
    roles = user_roles(user)
    if not roles.child_ids:
        return {}
    classes = defaultdict(set)
    for class_id, school_id in (
        _current_enrolments()
        .filter(pupil_id__in=roles.child_ids)
        .values_list("school_class_id", "school_class__school_year__school_id")
    ):
        classes[school_id].add(class_id)
    return {
        school_id: _people(
            *_teachers_of_classes(class_ids), _staff_of(school_id, FAMILY_CONTACT_ROLES)
        )
        for school_id, class_ids in classes.items()
    }


def pupil_targets(user) -> dict[int, object]:
    roles = user_roles(user)
    if not roles.pupil_school_ids:
        return {}
    classes = defaultdict(set)
    for class_id, school_id in (
        _current_enrolments()
        .filter(pupil=user)
        .values_list("school_class_id", "school_class__school_year__school_id")
    ):
        classes[school_id].add(class_id)
    turned_off = set(
        MessagingSettings.objects.filter(school_id__in=classes, pupils_may_write=False).values_list(
            "school_id", flat=True
        )
    )
    return {
        school_id: _people(*_teachers_of_classes(class_ids))
        for school_id, class_ids in classes.items()
        if school_id not in turned_off
    }


def _officers():
    return RoleAssignment.objects.filter(role=Role.OFFICER).values("user_id")


def families_of(school_id: int):
    """Subqueries of the pupils now in the school and their guardians."""
    pupils = _current_enrolments().filter(school_class__school_year__school_id=school_id)
    pupil_ids = pupils.values("pupil_id")
    return [pupil_ids, GuardianLink.objects.filter(pupil_id__in=pupil_ids).values("guardian_id")]


def staff_school_ids(user) -> set[int]:
    roles = user_roles(user)
    return {s for r, s in roles.grants if s is not None and r in SCHOOL_STAFF_ROLES}


def staff_targets(user) -> dict[int, object]:
    return {
        school_id: _people(_staff_of(school_id), *families_of(school_id), _officers())
        for school_id in staff_school_ids(user)
    }


def officer_targets(user) -> dict[int, object]:
    if not user_roles(user).is_officer:
        return {}
    from portal.models import School

    return {
        school_id: _people(_staff_of(school_id))
        for school_id in School.objects.active().values_list("pk", flat=True)
    }


RULE_TARGETS = (guardian_targets, pupil_targets, staff_targets, officer_targets)


def all_targets(user) -> dict[int, list]:
    """{school_id: [User querysets]} of every rule, for the picker."""
    found: dict[int, list] = defaultdict(list)
    for rule in RULE_TARGETS:
        for school_id, people in rule(user).items():
            found[school_id].append(people)
    return found


def _reaches(targets: dict, target) -> bool:
    if not isinstance(target, Target):
        return False
    people = targets.get(target.school_id)
    return people is not None and people.filter(pk=target.user_id).exists()


def reachable_ids(user, school_id: int, ids) -> set[int]:
    """Which of `ids` `user` may write to in that school now, by any rule."""
    found: set[int] = set()
    for rule in RULE_TARGETS:
        people = rule(user).get(school_id)
        if people is not None:
            found.update(people.filter(pk__in=ids).values_list("pk", flat=True))
    return found


def reply_reachable_ids(thread, sender, ids) -> list[int]:
    """The recipients of a reply the rules still allow, now (roles, links and
    the school's settings change after a thread starts): someone the sender may
    write to; in a thread started by someone else, someone who may write to the
    sender (a pupil answers a teacher); in a reply-all thread, someone its
    starter may still write to, when the starter may still write to the sender."""
    ids = list(ids)
    school_id = thread.school_id
    allowed = reachable_ids(sender, school_id, ids)
    rest = [i for i in ids if i not in allowed]
    starter_id = thread.created_by_id
    if rest and starter_id and starter_id != sender.pk:
        starter = User.objects.filter(pk=starter_id, is_active=True).first()
        if starter is not None:
            if thread.reply_all and sender.pk in reachable_ids(starter, school_id, [sender.pk]):
                allowed |= reachable_ids(starter, school_id, rest)
            rest = [i for i in rest if i not in allowed]
            for person in User.objects.filter(pk__in=rest[:20], is_active=True):
                if sender.pk in reachable_ids(person, school_id, [sender.pk]):
                    allowed.add(person.pk)
    return sorted(i for i in ids if i in allowed)


# --- Named rules -------------------------------------------------------------------------


@rules.predicate
def guardian_may_write_to(user, target) -> bool:
    return _reaches(guardian_targets(user), target)


@rules.predicate
def pupil_may_write_to(user, target) -> bool:
    return _reaches(pupil_targets(user), target)


@rules.predicate
def staff_may_write_to(user, target) -> bool:
    return _reaches(staff_targets(user), target)


@rules.predicate
def officer_may_write_to(user, target) -> bool:
    return _reaches(officer_targets(user), target)


can_write_to = (
    guardian_may_write_to | pupil_may_write_to | staff_may_write_to | officer_may_write_to
)


def group_school_id(group: Group) -> int | None:
    """The school a group belongs to (None if it does not exist)."""
    if group.kind in ("class_guardians", "class_pupils"):
        return (
            SchoolClass.objects.current()
            .filter(pk=group.ref)
            .values_list("school_year__school_id", flat=True)
            .first()
        )
    if group.kind in ("school_guardians", "school_staff"):
        from portal.models import School

        return School.objects.filter(pk=group.ref).values_list("pk", flat=True).first()
    if group.kind == "guardians_of":
        return (
            _current_enrolments()
            .filter(pupil_id=group.ref)
            .values_list("school_class__school_year__school_id", flat=True)
            .first()
        )
    return None


@rules.predicate
def can_send_to_group(user, group) -> bool:
    if not isinstance(group, Group):
        return False
    school_id = group_school_id(group)
    if school_id is None:
        return False
    if school_id in staff_school_ids(user):
        return True
    return group.kind == "school_staff" and user_roles(user).is_officer


@rules.predicate
def may_compose(user) -> bool:
    """Whether the user can write to anyone at all (the compose page)."""
    return user.is_authenticated and bool(all_targets(user))


# --- Threads ------------------------------------------------------------------------------


@rules.predicate
def is_participant(user, thread) -> bool:
    return (
        thread is not None
        and user.is_authenticated
        and Participant.objects.filter(thread=thread, user=user).exists()
    )


@rules.predicate
def can_retract(user, message) -> bool:
    """A sender may take back a message none of its recipients has read."""
    return (
        message is not None
        and message.sender_id == user.pk
        and message.retracted_at is None
        and not message.deliveries.filter(read_at__isnull=False).exists()
        # a reported message is the school admin's evidence
        and not message.reports.exists()
    )


@rules.predicate
def can_report(user, message) -> bool:
    """A recipient (not the sender) may report a message to the school admin."""
    return (
        message is not None
        and message.retracted_at is None
        and message.sender_id != user.pk
        and message.deliveries.filter(recipient=user).exists()
    )


@rules.predicate
def can_handle_reports(user, school) -> bool:
    """The school admin of the thread's school sees its reported threads (and
    nothing else of others' messages)."""
    school_id = school if isinstance(school, int) else getattr(school, "pk", None)
    return school_id is not None and user_roles(user).has(Role.SCHOOL_ADMIN, school_id)


def report_school_ids(user) -> frozenset[int]:
    """Schools whose reported messages the user handles (superusers: all)."""
    roles = user_roles(user)
    if roles.is_superuser:
        from portal.models import School

        return frozenset(School.objects.values_list("pk", flat=True))
    return roles.schools(Role.SCHOOL_ADMIN)


@rules.predicate
def can_edit_settings(user, school) -> bool:
    """Only the school admin of that school."""
    return can_handle_reports(user, school)


def reports_visible_to(user):
    return Report.objects.filter(school_id__in=report_school_ids(user))


rules.add_perm("messaging.write_to", can_write_to)
rules.add_perm("messaging.send_to_group", can_send_to_group)
rules.add_perm("messaging.view_thread", is_participant)
rules.add_perm("messaging.retract", can_retract)
rules.add_perm("messaging.report", can_report)
rules.add_perm("messaging.handle_reports", can_handle_reports)
rules.add_perm("messaging.edit_settings", can_edit_settings)
