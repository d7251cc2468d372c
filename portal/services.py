"""Write-side operations of the core domain. Views call these; they validate,
run in a transaction and raise `PortalError` with a stable code."""

from __future__ import annotations

import datetime
import re
import secrets
import unicodedata

from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession

from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .accounts import email_set_by_school
from .audit import audit_record, snapshot
from .errors import ServiceError, validate
from .models import (
    AuditEvent,
    Enrolment,
    GuardianLink,
    ImportConflict,
    Role,
    RoleAssignment,
    School,
    SchoolClass,
    SchoolYear,
    User,
)
from .permissions import forget_roles
from .years import ensure_year_open


class PortalError(ServiceError):
    """A refused portal operation (portal.errors.ServiceError)."""


# --- People ------------------------------------------------------------------------------

PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/O, 1/l/I: printed on slips


def password_generate(length: int = 10) -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length))


def ascii_fold(text: str) -> str:
    """'Łucja Żółć' -> 'Lucja Zolc': for usernames and accent-insensitive matching."""
    text = text.replace("ł", "l").replace("Ł", "L")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def username_suggest(first_name: str, last_name: str) -> str:
    """A free username like 'jan.kowalski', 'jan.kowalski2', …"""
    base = re.sub(
        r"[^a-z0-9.]+", "", ascii_fold(f"{first_name}.{last_name}").lower().replace(" ", "-")
    )
    base = base.strip(".")[:140] or "uzytkownik"
    taken = {
        u.lower()
        for u in User.objects.filter(username__istartswith=base).values_list("username", flat=True)
    }
    if base not in taken:
        return base
    n = 2
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"


@transaction.atomic
def user_create(
    *,
    first_name: str,
    last_name: str,
    email: str = "",
    username: str = "",
    phone: str = "",
    pesel: str = "",
    date_of_birth: datetime.date | None = None,
    password: str | None = None,
    actor: User | None = None,
    school: School | None = None,
) -> tuple[User, str]:
    """Create an account and return it with its initial password (to print once)."""
    username = username.strip() or username_suggest(first_name, last_name)
    password = password or password_generate()
    user = User(
        username=username,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip().lower(),
        phone=phone.strip(),
        pesel=pesel.strip(),
        date_of_birth=date_of_birth,
    )
    user.set_password(password)
    _full_clean(user)
    user.save()
    if user.email:
        # The school vouches for the address it enters for a new account (as the
        # migration did for existing ones); later changes must be confirmed.
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    audit_record(
        actor=actor,
        category=AuditEvent.Category.ACCOUNT,
        action="account.create",
        target=user,
        person=user,
        school=school,
        after=account_snapshot(user),
    )
    return user, password


ACCOUNT_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "phone",
    "pesel",
    "date_of_birth",
    "is_active",
)


def mask_pesel(value: str) -> str:
    """Audit rows say that a PESEL changed, not what it is."""
    return f"•••••••{value[-4:]}" if value else ""


def account_snapshot(user: User) -> dict:
    data = snapshot(user, ACCOUNT_FIELDS)
    data["pesel"] = mask_pesel(data["pesel"])
    return data


def user_update(
    *, user: User, actor: User | None = None, school: School | None = None, reason="", **fields
) -> User:
    """Change account fields; the change is kept in the audit trail with before
    and after (the PESEL masked). A new e-mail address goes through
    `email_set_by_school`: it is not used for password resets until its owner
    confirms it."""
    before = account_snapshot(User.objects.get(pk=user.pk))
    new_email = fields.pop("email", None)
    if new_email is not None:
        new_email = new_email.strip().lower()
        if new_email == (user.email or "").lower():
            new_email = None
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        if name == "email":
            value = value.lower()
        setattr(user, name, value)
    _full_clean(user)
    user.save()
    audit_record(
        actor=actor,
        category=AuditEvent.Category.ACCOUNT,
        action="account.update",
        target=user,
        person=user,
        school=school,
        before=before,
        after=account_snapshot(user),
        reason=reason,
    )
    if new_email is not None:
        try:
            email_set_by_school(user=user, email=new_email, actor=actor, school=school)
        except ValidationError as exc:
            raise PortalError("invalid_email", "; ".join(exc.messages)) from exc
    return user


def user_reset_password(
    *, user: User, actor: User | None = None, school: School | None = None
) -> str:
    password = password_generate()
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        actor=actor,
        category=AuditEvent.Category.ACCOUNT,
        action="password.reset",
        target=user,
        person=user,
        school=school,
    )
    return password


def user_set_active(
    *, user: User, active: bool, actor: User | None = None, school: School | None = None
) -> User:
    """Enable or disable sign-in; disabling also ends the person's sessions."""
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
        Session.objects.filter(session_key__in=keys).delete()
        UserSession.objects.filter(user=user).delete()
    audit_record(
        actor=actor,
        category=AuditEvent.Category.ACCOUNT,
        action="account.enable" if active else "account.disable",
        target=user,
        person=user,
        school=school,
        before={"is_active": not active},
        after={"is_active": active},
    )
    return user


def _full_clean(obj, exclude=None) -> None:
    validate(obj, error=PortalError, exclude=exclude)


@transaction.atomic
def role_grant(
    *, user: User, role: str, school: School | None, actor: User | None = None
) -> RoleAssignment:
    assignment = RoleAssignment(user=user, role=role, school=school)
    _full_clean(assignment, exclude=["user", "role", "school"])
    assignment.clean()
    assignment, created = RoleAssignment.objects.get_or_create(user=user, role=role, school=school)
    forget_roles(user)
    if created:
        audit_record(
            actor=actor,
            category=AuditEvent.Category.ROLE,
            action="role.grant",
            target=user,
            person=user,
            school=school,
            after={"role": role, "school": school.pk if school else None},
        )
    return assignment


def role_revoke(*, user: User, role: str, school: School | None, actor: User | None = None) -> None:
    deleted, _rows = RoleAssignment.objects.filter(user=user, role=role, school=school).delete()
    forget_roles(user)
    if deleted:
        audit_record(
            actor=actor,
            category=AuditEvent.Category.ROLE,
            action="role.revoke",
            target=user,
            person=user,
            school=school,
            before={"role": role, "school": school.pk if school else None},
        )


def roles_set_for_school(
    *, user: User, school: School, roles: set[str], actor: User | None = None
) -> None:
    """Make the user's explicit roles at `school` exactly `roles`."""
    with transaction.atomic():
        current = set(
            RoleAssignment.objects.filter(user=user, school=school).values_list("role", flat=True)
        )
        for role in current - roles:
            role_revoke(user=user, role=role, school=school, actor=actor)
        for role in roles - current:
            role_grant(user=user, role=role, school=school, actor=actor)


@transaction.atomic
def guardian_link(
    *,
    guardian: User,
    pupil: User,
    relation: str = GuardianLink.Relation.GUARDIAN,
    actor: User | None = None,
    school: School | None = None,
) -> GuardianLink:
    if guardian.pk == pupil.pk:
        raise PortalError("guardian_self", _("A person cannot be their own guardian."))
    link, created = GuardianLink.objects.get_or_create(
        guardian=guardian, pupil=pupil, defaults={"relation": relation}
    )
    before = None if created else {"relation": link.relation}
    if not created and link.relation != relation:
        link.relation = relation
        link.save(update_fields=["relation"])
    forget_roles(guardian)
    audit_record(
        actor=actor,
        category=AuditEvent.Category.ACCOUNT,
        action="guardian_link.save",
        target=link,
        person=guardian,
        school=school,
        before=before,
        after={"relation": relation, "pupil": pupil.pk},
    )
    return link


# --- School years and enrolments -------------------------------------------------------


@transaction.atomic
def school_year_save(*, year: SchoolYear) -> SchoolYear:
    """Save a school year; making it current un-marks the school's other years."""
    _full_clean(year, exclude=["is_current"])
    if year.is_current:
        SchoolYear.objects.filter(school=year.school, is_current=True).exclude(pk=year.pk).update(
            is_current=False
        )
    year.save()
    return year


@transaction.atomic
def enrolment_create(
    *,
    pupil: User,
    school_class: SchoolClass,
    start_date: datetime.date,
    register_number: int | None = None,
) -> Enrolment:
    """Enrol a pupil. An open enrolment in another class of the same year ends the
    day before (a pupil moving between classes mid-year)."""
    year = school_class.school_year
    ensure_year_open(year, error=PortalError)
    if not (year.start <= start_date <= year.end):
        raise PortalError(
            "enrolment_outside_year",
            _("The enrolment date must lie within the school year %(year)s.") % {"year": year.name},
        )
    open_elsewhere = (
        Enrolment.objects.select_for_update()
        .filter(pupil=pupil, school_class__school_year=year)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start_date))
    )
    for previous in open_elsewhere:
        if previous.school_class_id == school_class.pk and previous.start_date <= start_date:
            if register_number is not None and previous.register_number != register_number:
                previous.register_number = register_number
                previous.save(update_fields=["register_number"])
            return previous
        if previous.start_date == start_date:
            # Same day: the earlier entry was a mistake (e.g. a corrected import).
            previous.school_class = school_class
            if register_number is not None:
                previous.register_number = register_number
            _full_clean(previous)
            previous.save(update_fields=["school_class", "register_number"])
            forget_roles(pupil)
            return previous
        if previous.start_date > start_date:
            raise PortalError(
                "enrolment_overlap",
                _("%(pupil)s already has an enrolment from %(date)s; change that one instead.")
                % {"pupil": pupil, "date": previous.start_date},
            )
        previous.end_date = start_date - datetime.timedelta(days=1)
        previous.save(update_fields=["end_date"])
    enrolment = Enrolment(
        pupil=pupil,
        school_class=school_class,
        start_date=start_date,
        register_number=register_number,
    )
    _full_clean(enrolment)
    enrolment.save()
    forget_roles(pupil)
    return enrolment


def default_enrolment_date(year: SchoolYear) -> datetime.date:
    today = timezone.localdate()
    return min(max(today, year.start), year.end)


def pupil_create(
    *,
    school_class: SchoolClass,
    first_name: str,
    last_name: str,
    start_date: datetime.date | None = None,
    register_number: int | None = None,
    actor: User | None = None,
    **fields,
) -> tuple[User, str]:
    with transaction.atomic():
        pupil, password = user_create(
            first_name=first_name,
            last_name=last_name,
            actor=actor,
            school=school_class.school_year.school,
            **fields,
        )
        enrolment_create(
            pupil=pupil,
            school_class=school_class,
            start_date=start_date or default_enrolment_date(school_class.school_year),
            register_number=register_number,
        )
    return pupil, password


def staff_create(
    *,
    school: School,
    roles: set[str],
    first_name: str,
    last_name: str,
    actor: User | None = None,
    **fields,
) -> tuple[User, str]:
    with transaction.atomic():
        user, password = user_create(
            first_name=first_name, last_name=last_name, actor=actor, school=school, **fields
        )
        for role in roles:
            role_grant(user=user, role=role, school=school, actor=actor)
    return user, password


def guardian_create(
    *,
    pupil: User,
    relation: str,
    first_name: str,
    last_name: str,
    actor: User | None = None,
    school: School | None = None,
    **fields,
) -> tuple[User, str]:
    with transaction.atomic():
        guardian, password = user_create(
            first_name=first_name, last_name=last_name, actor=actor, school=school, **fields
        )
        guardian_link(guardian=guardian, pupil=pupil, relation=relation, actor=actor, school=school)
    return guardian, password


SCHOOL_ROLE_CHOICES = [
    Role.SCHOOL_ADMIN,
    Role.HEADTEACHER,
    Role.SECRETARY,
    Role.PEDAGOGUE,
    Role.TEACHER,
    Role.LIBRARIAN,
    Role.EDITOR,
    Role.MODERATOR,
]


def import_conflict_decide(*, conflict, accept: bool, actor: User, school: School):
    """Accept (apply the file's value) or reject an import conflict. The caller
    has checked that `actor` may act on the person's account."""
    with transaction.atomic():
        conflict = ImportConflict.objects.select_for_update().get(pk=conflict.pk)
        if conflict.status != ImportConflict.Status.OPEN:
            raise PortalError("conflict_decided", _("This difference has already been decided."))
        if accept:
            user_update(
                user=conflict.person,
                actor=actor,
                school=school,
                reason=_("import #%(run)s, line %(line)s: difference accepted")
                % {"run": conflict.run_id, "line": conflict.line},
                **{conflict.field: conflict.imported_value},
            )
        conflict.status = (
            ImportConflict.Status.ACCEPTED if accept else ImportConflict.Status.REJECTED
        )
        conflict.decided_by = actor
        conflict.decided_at = timezone.now()
        conflict.save(update_fields=["status", "decided_by", "decided_at"])
    return conflict
