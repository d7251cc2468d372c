"""Named rules of the library. Reading the catalogue needs no sign-in; writing
is for librarians (of the record's, list's or topic's school)."""

from __future__ import annotations

import rules

from django.db.models import Q

from portal.models import Role, School
from portal.permissions import is_librarian_of, user_roles

from .models import ReadingList


def librarian_schools(user):
    """Schools whose library the user runs (all schools for superusers)."""
    roles = user_roles(user)
    if roles.is_superuser:
        return School.objects.all()
    return School.objects.filter(pk__in=roles.schools(Role.LIBRARIAN))


@rules.predicate
def is_any_librarian(user) -> bool:
    roles = user_roles(user)
    return roles.is_superuser or roles.has(Role.LIBRARIAN)


@rules.predicate
def can_edit_record(user, record) -> bool:
    """Records of the shared catalogue (no school) are kept by every librarian;
    a school's own records by that school's librarians."""
    if record is None:
        return False
    if record.school_id is None:
        return is_any_librarian(user)
    return is_librarian_of(user, record.school_id)


@rules.predicate
def can_manage_school_library(user, school) -> bool:
    return school is not None and is_librarian_of(user, school)


def reading_lists_visible_to(user):
    """Published lists for everyone; a library's unpublished ones for its librarians."""
    return ReadingList.objects.filter(
        Q(published=True) | Q(school__in=librarian_schools(user))
    ).select_related("school")


rules.add_perm("library.edit_record", can_edit_record)
rules.add_perm("library.manage", is_any_librarian)
