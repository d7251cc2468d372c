"""Reading the loan rules: reader categories, the most specific rule, and
due dates that skip days the library is closed."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from portal.models import Role
from portal.permissions import user_roles

from .models import ClosedPeriod, ExternalReader, LoanRule, ReaderCategory


@dataclass(frozen=True)
class Terms:
    loan_days: int = 14
    max_loans: int = 5
    max_renewals: int = 2
    hold_shelf_days: int = 5


# Used when a library has no rule at all, so the desk always works.
DEFAULT_TERMS = Terms()


def reader_category(user, school) -> str | None:
    """The reader's category at `school`, derived from portal roles: teachers,
    other staff (librarians, administrators), pupils; then readers from outside
    the school (an active `ExternalReader` membership of that library; roles come
    first); None when the person is not a reader of that library."""
    roles = user_roles(user)
    school_id = getattr(school, "pk", school)
    if roles.has(Role.TEACHER, school_id):
        return ReaderCategory.TEACHER
    if roles.has(Role.LIBRARIAN, school_id) or roles.has(Role.SCHOOL_ADMIN, school_id):
        return ReaderCategory.STAFF
    if school_id in roles.pupil_school_ids:
        return ReaderCategory.PUPIL
    if is_external_reader(user, school_id):
        return ReaderCategory.EXTERNAL
    return None


def is_external_reader(user, school) -> bool:
    """Whether `user` has an active membership of `school`'s library as a
    reader from outside the school."""
    school_id = getattr(school, "pk", school)
    return ExternalReader.objects.active_of(user).filter(school_id=school_id).exists()


def pick_rule(rules, category: str, item_type: str) -> Terms:
    """The most specific of `rules` (one library's) for category × item type."""
    best = None
    for rule in rules:
        if rule.reader_category not in ("", category) or rule.item_type not in ("", item_type):
            continue
        if best is None or rule.specificity > best.specificity:
            best = rule
    if best is None:
        return DEFAULT_TERMS
    return Terms(best.loan_days, best.max_loans, best.max_renewals, best.hold_shelf_days)


def terms_for(school, category: str, item_type: str) -> Terms:
    return pick_rule(LoanRule.objects.filter(school=school), category, item_type)


def closed_periods(school, start: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    return list(
        ClosedPeriod.objects.filter(school=school, end__gte=start).values_list("start", "end")
    )


def next_open_day(day: datetime.date, closed) -> datetime.date:
    """`day`, or the first day after it that is neither a weekend nor closed."""
    for _ in range(400):
        if day.weekday() >= 5:
            day += datetime.timedelta(days=7 - day.weekday())
            continue
        period = next((p for p in closed if p[0] <= day <= p[1]), None)
        if period is None:
            return day
        day = period[1] + datetime.timedelta(days=1)
    return day


def due_date(school, start: datetime.date, days: int, closed=None) -> datetime.date:
    if closed is None:
        closed = closed_periods(school, start)
    return next_open_day(start + datetime.timedelta(days=days), closed)


def reader_schools(user):
    """Libraries where `user` may borrow (pupil of, staff at, or a reader from
    outside the school of)."""
    from portal.models import School

    roles = user_roles(user)
    ids = set(roles.pupil_school_ids)
    for role in (Role.TEACHER, Role.LIBRARIAN, Role.SCHOOL_ADMIN):
        ids |= roles.schools(role)
    ids |= set(ExternalReader.objects.active_of(user).values_list("school_id", flat=True))
    return School.objects.filter(pk__in=ids)
