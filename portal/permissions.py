"""Named permission rules of the portal, reused by every app.

Each rule is a `rules` predicate, so it can be called directly
(`can_manage_school(user, school)`), through `user.has_perm("portal.manage_school",
school)`, or in templates with `{% has_perm %}`. Views turn a failed rule on an
object of another school into 404 (`get_object_or_404` on a scoped queryset),
never 403, so nothing of another school is disclosed.

A user's roles are read once per request and cached on the user object, and
between requests in the "roles" cache under the user's `roles_version`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import rules

from django.conf import settings
from django.core.cache import caches
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import (
    STAFF_ROLES,
    Enrolment,
    GuardianLink,
    Role,
    RoleAssignment,
    School,
    SchoolClass,
    TeachingAssignment,
    User,
)

_CACHE_ATTR = "_portal_roles"
_FRESH_ATTR = "_portal_roles_fresh"
ROLES_CACHE = "roles"


@dataclass(frozen=True)
class RoleSet:
    """What a user is, read in a fixed number of queries."""

    grants: frozenset[tuple[str, int | None]] = frozenset()
    homeroom_class_ids: frozenset[int] = frozenset()
    taught_class_ids: frozenset[int] = frozenset()
    child_ids: frozenset[int] = frozenset()
    pupil_school_ids: frozenset[int] = frozenset()
    is_superuser: bool = False
    # Also read on every request, so cached with the roles: whether the user has a
    # second factor (allauth's `is_mfa_enabled`) and the Wagtail admin permission.
    mfa_enabled: bool = False
    admin_permission: bool = False

    def has(self, role: str, school_id: int | None = None) -> bool:
        if school_id is None:
            return any(r == role for r, _school in self.grants)
        return (role, school_id) in self.grants

    def schools(self, role: str) -> frozenset[int]:
        return frozenset(s for r, s in self.grants if r == role and s is not None)

    @property
    def is_pupil(self) -> bool:
        return bool(self.pupil_school_ids)

    @property
    def is_guardian(self) -> bool:
        return bool(self.child_ids)

    @property
    def is_teacher(self) -> bool:
        return self.has(Role.TEACHER)

    @property
    def is_homeroom_teacher(self) -> bool:
        return bool(self.homeroom_class_ids)

    @property
    def is_officer(self) -> bool:
        return self.has(Role.OFFICER)

    @property
    def is_municipal_admin(self) -> bool:
        return self.is_superuser or self.has(Role.MUNICIPAL_ADMIN)

    @property
    def is_dpo(self) -> bool:
        return self.is_superuser or self.has(Role.DPO)

    @property
    def is_staff_member(self) -> bool:
        return self.is_superuser or any(r in STAFF_ROLES for r, _school in self.grants)

    @property
    def staff_school_ids(self) -> frozenset[int]:
        return frozenset(s for r, s in self.grants if s is not None and r in STAFF_ROLES)

    def labels(self) -> list[str]:
        names = []
        for role in Role:
            if self.has(role):
                names.append(role.label)
        if self.is_homeroom_teacher:
            names.append(_("homeroom teacher"))
        if self.is_guardian:
            names.append(_("guardian"))
        if self.is_pupil:
            names.append(_("pupil"))
        return [str(n) for n in names]


def user_roles(user) -> RoleSet:
    """The roles of `user`: memoised on the instance (one computation per request)
    and kept in the "roles" cache under the user's `roles_version` and today's date,
    so a request usually makes no query for them at all. Every change to what the
    roles are computed from bumps `roles_version` (portal/role_changes.py), so the
    very next request computes them again: a revoked role is never served stale."""
    if user is None or not user.is_authenticated:
        return RoleSet()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    today = timezone.localdate()
    fresh = getattr(user, _FRESH_ATTR, False)
    key = _cache_key(user, today)
    roles = None if fresh else caches[ROLES_CACHE].get(key)
    if roles is None:
        roles = _compute_roles(user, today)
        if not fresh:
            caches[ROLES_CACHE].set(key, roles)
    if roles.is_superuser != user.is_superuser:
        roles = replace(roles, is_superuser=user.is_superuser)
    setattr(user, _CACHE_ATTR, roles)
    return roles


def _cache_key(user, today) -> str:
    # date_joined tells apart two accounts that got the same id (an id reused
    # after a rolled-back transaction on SQLite).
    joined = int(user.date_joined.timestamp() * 1_000_000) if user.date_joined else 0
    return f"portal-roles:{user.pk}:{joined}:{user.roles_version}:{today.isoformat()}"


def _compute_roles(user, today) -> RoleSet:
    from allauth.mfa.models import Authenticator

    from django.contrib.auth.models import Permission

    grants = frozenset(RoleAssignment.objects.filter(user=user).values_list("role", "school_id"))
    homeroom = frozenset(
        SchoolClass.objects.current().filter(homeroom_teacher=user).values_list("id", flat=True)
    )
    taught = frozenset(
        TeachingAssignment.objects.current()
        .filter(teacher=user)
        .values_list("school_class_id", flat=True)
    )
    children = frozenset(
        GuardianLink.objects.filter(guardian=user).values_list("pupil_id", flat=True)
    )
    pupil_schools = frozenset(
        Enrolment.objects.active_on(today)
        .filter(pupil=user, school_class__school_year__is_current=True)
        .values_list("school_class__school_year__school_id", flat=True)
    )
    # Both in one query: the second factor, and the Wagtail admin permission given
    # to the user or to one of their groups.
    admin_permission = Permission.objects.filter(
        Q(user=OuterRef("pk")) | Q(group__user=OuterRef("pk")),
        content_type__app_label="wagtailadmin",
        codename="access_admin",
    )
    flags = (
        User.objects.filter(pk=user.pk)
        .values(
            mfa=Exists(Authenticator.objects.filter(user_id=OuterRef("pk"))),
            admin=Exists(admin_permission),
        )
        .first()
    ) or {"mfa": False, "admin": False}
    return RoleSet(
        grants=grants,
        homeroom_class_ids=homeroom,
        taught_class_ids=taught,
        child_ids=children,
        pupil_school_ids=pupil_schools,
        is_superuser=user.is_superuser,
        mfa_enabled=flags["mfa"],
        admin_permission=flags["admin"],
    )


def forget_roles(user) -> None:
    """Drop the roles memoised on this instance (after roles change within one
    request or test): the next call computes them from the database."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
    if user is not None and getattr(user, "pk", None) is not None:
        # This instance's roles_version is older than the database's now.
        setattr(user, _FRESH_ATTR, True)


def roles_changed(*users) -> None:
    """What the roles of `users` (instances or ids) are computed from has changed:
    bump their `roles_version`, so every process computes them again."""
    ids = {u if isinstance(u, int) else u.pk for u in users if u is not None}
    ids.discard(None)
    if ids:
        User.objects.filter(pk__in=ids).update(roles_version=F("roles_version") + 1)
    for u in users:
        if isinstance(u, User):
            forget_roles(u)


def roles_changed_for_everyone() -> None:
    """A change that may move anyone's roles (the current school year switched,
    a year's classes copied in bulk): every user's roles are computed again."""
    User.objects.update(roles_version=F("roles_version") + 1)


def can_access_cms_admin(user) -> bool:
    """The `wagtailadmin.access_admin` permission, from the cached roles (no query):
    what `user.has_perm("wagtailadmin.access_admin")` answers."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user_roles(user).admin_permission


def _school_id(obj) -> int | None:
    if obj is None:
        return None
    if isinstance(obj, School):
        return obj.pk
    if isinstance(obj, int):
        return obj
    return getattr(obj, "school_id", None)


# --- Schools -------------------------------------------------------------------------


@rules.predicate
def can_manage_school(user, school) -> bool:
    """School admins manage their own school; superusers every school."""
    roles = user_roles(user)
    if roles.is_municipal_admin:
        return True
    return school is not None and roles.has(Role.SCHOOL_ADMIN, _school_id(school))


def managed_schools(user):
    """Schools the user administers, as a queryset (all of them for superusers
    and municipal administrators)."""
    roles = user_roles(user)
    if roles.is_municipal_admin:
        return School.objects.all()
    return School.objects.filter(pk__in=roles.schools(Role.SCHOOL_ADMIN))


def manages_a_school(user) -> bool:
    """Whether `managed_schools(user)` holds any school, from the roles alone (no
    query: asked on every page by the navigation). A municipal administrator
    manages every school, so also when the gmina has none yet."""
    roles = user_roles(user)
    return roles.is_municipal_admin or bool(roles.schools(Role.SCHOOL_ADMIN))


def staff_schools(user):
    """Schools where the user holds any staff role."""
    roles = user_roles(user)
    if roles.is_superuser:
        return School.objects.all()
    return School.objects.filter(pk__in=roles.staff_school_ids)


@rules.predicate
def is_staff_member(user) -> bool:
    return user_roles(user).is_staff_member


@rules.predicate
def is_officer(user) -> bool:
    roles = user_roles(user)
    return roles.is_superuser or roles.is_officer


@rules.predicate
def is_librarian_of(user, school) -> bool:
    roles = user_roles(user)
    return roles.is_superuser or roles.has(Role.LIBRARIAN, _school_id(school))


# Roles that publish on the gmina's site: a stolen password would let anyone
# put words in the municipality's mouth, so they need a second factor too.
CMS_ROLES = (Role.EDITOR, Role.MODERATOR)


def requires_mfa(user) -> bool:
    """Who must have a second factor before reaching their tools: staff roles
    (pupils' data), CMS editors and moderators, and anyone else who may open the
    Wagtail admin (they publish on the gmina's site). Demo accounts are exempt
    while DEBUG is on, so newcomers can click around."""
    if not getattr(settings, "PORTAL_MFA_REQUIRED_FOR_STAFF", True):
        return False
    if not user.is_authenticated:
        return False
    if settings.DEBUG and user.is_demo:
        return False
    roles = user_roles(user)
    if roles.is_staff_member or any(roles.has(role) for role in CMS_ROLES):
        return True
    return can_access_cms_admin(user)


# --- Classes and pupils ----------------------------------------------------------------


@rules.predicate
def is_homeroom_teacher_of(user, school_class) -> bool:
    return school_class is not None and school_class.pk in user_roles(user).homeroom_class_ids


@rules.predicate
def teaches_class(user, school_class) -> bool:
    return school_class is not None and school_class.pk in user_roles(user).taught_class_ids


def children_of(user):
    """The pupils a guardian is linked to."""
    return User.objects.filter(guardian_links__guardian=user).order_by("first_name", "last_name")


@rules.predicate
def is_guardian_of(user, pupil) -> bool:
    return pupil is not None and pupil.pk in user_roles(user).child_ids


def _visible_enrolment_condition(user) -> Q | None:
    """The enrolments whose period `user` may see, as a condition on Enrolment:
    every enrolment of themself and of their children (superusers: all);
    teachers the current enrolments in the classes they teach or lead; school
    admins the enrolments in their school, whatever the date, but none elsewhere,
    so after a transfer the old school keeps its own period and nothing later.
    None when the user may see none."""
    roles = user_roles(user)
    if not user.is_authenticated:
        return None
    if roles.is_superuser:
        return Q()
    condition = Q(pupil_id=user.pk) | Q(pupil_id__in=roles.child_ids)
    class_ids = roles.homeroom_class_ids | roles.taught_class_ids
    if class_ids:
        today = timezone.localdate()
        condition |= Q(
            pk__in=Enrolment.objects.active_on(today)
            .filter(school_class_id__in=class_ids)
            .values("pk")
        )
    admin_schools = roles.schools(Role.SCHOOL_ADMIN)
    if admin_schools:
        condition |= Q(school_class__school_year__school_id__in=admin_schools)
    return condition


def visible_enrolments(user, pupil):
    """The enrolments of `pupil` whose period `user` may see, latest first. Pupil
    pages show the data of these enrolments' classes and dates only."""
    condition = _visible_enrolment_condition(user)
    if condition is None or pupil is None:
        return Enrolment.objects.none()
    return (
        Enrolment.objects.filter(condition, pupil=pupil)
        .select_related("school_class__school_year__school", "school_class__homeroom_teacher")
        .order_by("-start_date", "-pk")
    )


def shown_enrolment(user, pupil, day=None, *, visible=None):
    """The enrolment a pupil page shows `user`: the pupil's enrolment on `day`
    (today) if its period is visible, else the latest visible one already begun.
    `visible`: `visible_enrolments(user, pupil)` already read (a list), to choose
    from without another query."""
    day = day or timezone.localdate()
    if visible is not None:
        begun = [e for e in visible if e.start_date <= day]
        active = [e for e in begun if e.end_date is None or e.end_date >= day]
        return (active or begun or [None])[0]
    enrolments = visible_enrolments(user, pupil).filter(start_date__lte=day)
    return enrolments.filter(pk__in=Enrolment.objects.active_on(day)).first() or enrolments.first()


def pupils_visible_to(user):
    """Every pupil the user may see, as a queryset (for scoping lookups by id)."""
    condition = _visible_enrolment_condition(user)
    if condition is None:
        return User.objects.none()
    return User.objects.filter(pk__in=Enrolment.objects.filter(condition).values("pupil_id"))


@rules.predicate
def can_view_pupil(user, pupil) -> bool:
    """A pupil sees themself, guardians their children, teachers the pupils of the
    classes they teach or lead, school admins the pupils who were ever in their
    school (for that period only: see `visible_enrolments`)."""
    return visible_enrolments(user, pupil).exists()


rules.add_perm("portal.manage_school", can_manage_school)
rules.add_perm("portal.view_pupil", can_view_pupil)
rules.add_perm("portal.is_staff_member", is_staff_member)
rules.add_perm("portal.is_officer", is_officer)


# --- People and accounts ---------------------------------------------------------------
#
# Who manages an account: a school admin may act on a person (edit, reset the
# password, disable, link as guardian, update by import) only while every current
# link of that person (enrolment, guardianship, teaching assignment, homeroom
# class, role) is inside that school. Anyone else (teachers shared with another
# school, guardians with children in two schools, holders of municipal roles,
# superusers) is managed by a municipal administrator or the superuser.
# A person with no current link at all (a pupil between school years) belongs to
# the school of their latest enrolment.


# Municipal roles whose holders only a superuser manages.
MUNICIPAL_MANAGERS = (Role.MUNICIPAL_ADMIN, Role.DPO)


def current_enrolments(day):
    """Enrolments that have not ended on `day`: not by their own end date, and
    their school year has not ended or is still the one the school marks current
    (the summer between two years, until the new one is made current, as
    teaching assignments and the retention rules count it). Future enrolments
    count."""
    return Enrolment.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day),
        Q(school_class__school_year__end__gte=day) | Q(school_class__school_year__is_current=True),
    )


def _link_user_ids(day, *, school=None, outside=None):
    """Subqueries of user ids with a current link inside `school`, or (with
    `outside`) anywhere but in it, municipal roles included."""
    if school is not None:
        where, roles = Q(school_class__school_year__school=school), Q(school=school)
        years, classes = Q(school_year__school=school), Q(school_class__school_year__school=school)
    else:
        where = ~Q(school_class__school_year__school=outside)
        roles = Q(school__isnull=True) | ~Q(school=outside)
        years = ~Q(school_year__school=outside)
        classes = ~Q(school_class__school_year__school=outside)
    enrolled = current_enrolments(day).filter(where).values("pupil_id")
    return [
        RoleAssignment.objects.filter(roles).values("user_id"),
        enrolled,
        TeachingAssignment.objects.current().filter(classes).values("teacher_id"),
        SchoolClass.objects.current()
        .filter(years, homeroom_teacher__isnull=False)
        .values("homeroom_teacher_id"),
        GuardianLink.objects.filter(pupil_id__in=enrolled).values("guardian_id"),
    ]


def _any_of(subqueries) -> Q:
    condition = Q(pk__in=subqueries[0])
    for sub in subqueries[1:]:
        condition |= Q(pk__in=sub)
    return condition


def people_managed_by(school, day=None):
    """The accounts a school admin of `school` may act on (one SQL query)."""
    day = day or timezone.localdate()
    school_id = _school_id(school)
    inside = _any_of(_link_user_ids(day, school=school_id))
    outside = _any_of(_link_user_ids(day, outside=school_id))
    anywhere = _any_of(
        [
            RoleAssignment.objects.values("user_id"),
            current_enrolments(day).values("pupil_id"),
            TeachingAssignment.objects.current().values("teacher_id"),
            SchoolClass.objects.current()
            .filter(homeroom_teacher__isnull=False)
            .values("homeroom_teacher_id"),
            GuardianLink.objects.filter(
                pupil_id__in=current_enrolments(day).values("pupil_id")
            ).values("guardian_id"),
        ]
    )
    latest_school = Subquery(
        Enrolment.objects.filter(pupil=OuterRef("pk"))
        .order_by("-start_date", "-pk")
        .values("school_class__school_year__school_id")[:1]
    )
    orphans = User.objects.exclude(anywhere).annotate(latest_school=latest_school)
    orphans = orphans.filter(latest_school=school_id).values("pk")
    return User.objects.filter((inside & ~outside) | Q(pk__in=orphans)).exclude(is_superuser=True)


def people_manageable(school, manager):
    """The accounts `manager` may act on from `school`'s screens: the school's own
    people, or (for a municipal administrator) everyone but superusers."""
    roles = user_roles(manager)
    if roles.is_superuser:
        return User.objects.all()
    if roles.is_municipal_admin:
        municipal = RoleAssignment.objects.filter(role__in=MUNICIPAL_MANAGERS)
        return User.objects.exclude(is_superuser=True).exclude(
            Q(pk__in=municipal.values("user_id")) & ~Q(pk=manager.pk)
        )
    return people_managed_by(school)


def current_pupils_manageable(school, manager):
    """Pupils now in `school` whose accounts `manager` may act on: the only pupils
    a guardian may be linked to from the school's screens."""
    today = timezone.localdate()
    in_school = current_enrolments(today).filter(school_class__school_year__school=school)
    return people_manageable(school, manager).filter(pk__in=in_school.values("pupil_id"))


def _holds_municipal_admin(person) -> bool:
    return RoleAssignment.objects.filter(user=person, role__in=MUNICIPAL_MANAGERS).exists()


def manages_person(user, person, school=None) -> bool:
    """Whether `user` may act on `person`'s account, at `school` when given (the
    school of the management screen) or at any school the user administers."""
    if person is None or not user.is_authenticated:
        return False
    roles = user_roles(user)
    if roles.is_superuser:
        return True
    if person.is_superuser:
        return False
    if roles.has(Role.MUNICIPAL_ADMIN):
        return person.pk == user.pk or not _holds_municipal_admin(person)
    schools = roles.schools(Role.SCHOOL_ADMIN)
    if school is not None:
        schools = schools & {_school_id(school)}
    return any(people_managed_by(s).filter(pk=person.pk).exists() for s in sorted(schools))


@rules.predicate
def can_manage_person(user, person) -> bool:
    """Edit, reset the password of, disable or link `person` (see above)."""
    return manages_person(user, person)


rules.add_perm("portal.manage_person", can_manage_person)


# --- Data protection (RODO) ------------------------------------------------------------


@rules.predicate
def can_act_as_dpo(user) -> bool:
    """The data protection officer (municipal): person search, export of a
    person's data, the anonymisation report."""
    return user_roles(user).is_dpo


@rules.predicate
def can_view_audit(user, school=None) -> bool:
    """The audit trail: the DPO and municipal admins see every school (and the
    municipal events), school admins their own school's events."""
    roles = user_roles(user)
    if roles.is_dpo or roles.is_municipal_admin:
        return True
    if school is None:
        return bool(roles.schools(Role.SCHOOL_ADMIN))
    return roles.has(Role.SCHOOL_ADMIN, _school_id(school))


@rules.predicate
def can_view_read_audit(user, school=None) -> bool:
    """Who opened which pupil's data: the DPO everywhere, school admins in
    their own school."""
    roles = user_roles(user)
    if roles.is_dpo:
        return True
    if school is None:
        return bool(roles.schools(Role.SCHOOL_ADMIN))
    return roles.has(Role.SCHOOL_ADMIN, _school_id(school))


@rules.predicate
def can_use_privacy_pages(user) -> bool:
    """Anyone who may open one of the data-protection pages (the nav item)."""
    return can_act_as_dpo(user) or can_view_audit(user) or can_view_read_audit(user)


def audit_school_ids(user) -> frozenset[int] | None:
    """The schools whose audit events `user` sees; None means every event."""
    roles = user_roles(user)
    if roles.is_dpo or roles.is_municipal_admin:
        return None
    return roles.schools(Role.SCHOOL_ADMIN)


def read_audit_school_ids(user) -> frozenset[int] | None:
    """The schools whose read-audit rows `user` sees; None means every row."""
    roles = user_roles(user)
    if roles.is_dpo:
        return None
    return roles.schools(Role.SCHOOL_ADMIN)


rules.add_perm("portal.act_as_dpo", can_act_as_dpo)
rules.add_perm("portal.view_audit", can_view_audit)
rules.add_perm("portal.view_read_audit", can_view_read_audit)


# --- Background work -------------------------------------------------------------------
#
# The status page of the task worker (heartbeat, queues, failed tasks) is for the
# people who must notice that background work stopped: superusers, municipal admins
# and school admins. Task arguments are never shown. A school admin sees every
# task's name, counts, times and exception class, but the error message and the
# retry button only of runs that concern their own school(s) alone (a MARC import
# of their library); the traceback is for superusers only.


@rules.predicate
def can_view_task_status(user) -> bool:
    roles = user_roles(user)
    return roles.is_municipal_admin or bool(roles.schools(Role.SCHOOL_ADMIN))


def can_manage_task(user, school_ids) -> bool:
    """See a failed task's error message and retry it; `school_ids` are the
    schools the run concerns (None or empty: the whole portal)."""
    roles = user_roles(user)
    if roles.is_municipal_admin:
        return True
    return bool(school_ids) and set(school_ids) <= roles.schools(Role.SCHOOL_ADMIN)


def can_view_task_traceback(user) -> bool:
    return user_roles(user).is_superuser


rules.add_perm("portal.view_task_status", can_view_task_status)
