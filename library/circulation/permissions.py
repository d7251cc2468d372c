"""Named rules of circulation, built on portal.permissions. Scoped querysets
turn other schools' copies and other people's accounts into 404."""

from __future__ import annotations

import rules

from portal.models import Role, School, User
from portal.permissions import is_librarian_of, user_roles


def desk_schools(user):
    """Libraries whose desk the user may run."""
    roles = user_roles(user)
    if roles.is_superuser:
        return School.objects.all()
    return School.objects.filter(pk__in=roles.schools(Role.LIBRARIAN))


@rules.predicate
def can_run_desk(user, school) -> bool:
    return school is not None and is_librarian_of(user, school)


@rules.predicate
def is_any_librarian(user) -> bool:
    roles = user_roles(user)
    return roles.is_superuser or roles.has(Role.LIBRARIAN)


@rules.predicate
def can_view_account(user, reader) -> bool:
    """A reader sees their own account; guardians their children's."""
    if reader is None or not user.is_authenticated:
        return False
    return reader.pk == user.pk or reader.pk in user_roles(user).child_ids


def viewable_readers(user):
    roles = user_roles(user)
    return User.objects.filter(pk__in={user.pk, *roles.child_ids})


@rules.predicate
def has_library_account(user) -> bool:
    roles = user_roles(user)
    return user.is_authenticated and (roles.is_pupil or roles.is_guardian or roles.is_staff_member)


rules.add_perm("circulation.run_desk", can_run_desk)
rules.add_perm("circulation.view_account", can_view_account)
