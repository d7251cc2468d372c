"""Named rules of circulation, built on portal.permissions and the library's.
Scoped querysets turn other schools' copies and other people's accounts into 404;
the views check the rule on what they found."""

from __future__ import annotations

import rules

from library.permissions import (
    can_manage_school_library,
    is_any_librarian,
    librarian_schools,
)
from portal.models import User
from portal.permissions import user_roles

from .models import ExternalReader

__all__ = [
    "can_manage_external_readers",
    "can_override_refusal",
    "can_remind_readers",
    "can_run_desk",
    "can_view_account",
    "desk_schools",
    "is_any_librarian",
]

# The desk of a library is run by its librarians: the same schools and rule as the
# catalogue's librarian tools.
desk_schools = librarian_schools
can_run_desk = can_manage_school_library


@rules.predicate
def can_override_refusal(user, school) -> bool:
    """Lending or renewing despite a refusal (the limit, an overdue block), with
    a reason, is for the librarians of that school's library only."""
    return can_manage_school_library(user, school)


@rules.predicate
def can_remind_readers(user, school) -> bool:
    """Reminding overdue readers from the desk: that library's librarians."""
    return can_manage_school_library(user, school)


@rules.predicate
def can_manage_external_readers(user, school) -> bool:
    """Granting and ending the membership of a reader from outside the school
    (a library card application, or at the desk): that library's librarians."""
    return can_manage_school_library(user, school)


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
    if not user.is_authenticated:
        return False
    roles = user_roles(user)
    if roles.is_pupil or roles.is_guardian or roles.is_staff_member:
        return True
    # A reader from outside the school with no role of the portal (a resident).
    return ExternalReader.objects.active_of(user).exists()


rules.add_perm("circulation.run_desk", can_run_desk)
rules.add_perm("circulation.view_account", can_view_account)
rules.add_perm("circulation.override_refusal", can_override_refusal)
rules.add_perm("circulation.remind_readers", can_remind_readers)
rules.add_perm("circulation.manage_external_readers", can_manage_external_readers)
