"""Anonymisation of people who left, after the retention periods.

A person has *left* when nothing links them to a school any more: no active or
future enrolment, no teaching or homeroom class in a current or future school
year, no role, and no guardian link to a pupil who is still enrolled. Their
account and contact data go once the retention period of every kind of link
they had has passed; what the register holds about them (grades, attendance,
remarks) stays, as archival documentation, under the pseudonym
"Osoba usunięta #<id>". History rows keep the actor's name they were written
with (`AuditEntry.actor_name`): deleting an account never erases "who"."""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..audit import audit_record
from ..models import (
    AuditEvent,
    Enrolment,
    GuardianLink,
    RoleAssignment,
    SchoolClass,
    TeachingAssignment,
    User,
)
from ..registry import person_data_handlers

ANONYMOUS_FIRST_NAME = "Osoba usunięta"
ANONYMOUS_USERNAME_PREFIX = "usunieta-"
ANONYMISE_ACTION = "anonymise"

# Years after the end of the calendar year in which the last link ended
# (archival periods run from 1 January of the following year). Override with
# the PORTAL_RETENTION_YEARS setting.
DEFAULT_RETENTION_YEARS = {
    # The class register is kept 5 years (Rozporządzenie MEN z 25.08.2017 § 22;
    # the e-register is archival documentation): pupils are named in it.
    "pupil": 5,
    # Teachers are named in the register they kept (grades, topics, attendance).
    "teacher": 5,
    # Guardians' accounts serve only while a child attends; their excuses stay in
    # the register under the pseudonym.
    "guardian": 1,
    # Anyone else (an account that was never linked, a former role holder).
    "other": 1,
}

# The fields of the account that anonymisation removes (reported by name only).
PERSONAL_FIELDS = ["first_name", "last_name", "email", "phone", "pesel", "date_of_birth"]

KIND_LABELS = {
    "pupil": gettext_lazy("pupil"),
    "teacher": gettext_lazy("teacher"),
    "guardian": gettext_lazy("guardian"),
    "other": gettext_lazy("other account"),
}


def retention_years() -> dict[str, int]:
    return {**DEFAULT_RETENTION_YEARS, **getattr(settings, "PORTAL_RETENTION_YEARS", {})}


def retention_ends(last_link_end: datetime.date, years: int) -> datetime.date:
    """The first day the data may go: 1 January of the year after the last link
    ended, plus the retention period."""
    return datetime.date(last_link_end.year + 1 + years, 1, 1)


@dataclass(frozen=True)
class Candidate:
    person: User
    kinds: tuple[str, ...]
    last_link_end: datetime.date
    years: int
    eligible_from: datetime.date
    kept_by: str = ""

    @property
    def kind(self) -> str:
        return ", ".join(self.kinds)

    @property
    def kind_display(self) -> str:
        return ", ".join(str(KIND_LABELS[k]) for k in self.kinds)

    @property
    def why(self) -> str:
        rule = _(
            "no current enrolment, teaching, role or enrolled child; the last link ended "
            "on %(end)s; retention for %(kind)s: %(years)s years from 1 January of the "
            "following year, until %(until)s"
        )
        return rule % {
            "end": self.last_link_end.isoformat(),
            "kind": self.kind_display,
            "years": self.years,
            "until": self.eligible_from.isoformat(),
        }

    def as_dict(self) -> dict:
        return {
            "id": self.person.pk,
            "login": self.person.username,
            "kind": self.kind,
            "last_link_end": self.last_link_end.isoformat(),
            "retention_years": self.years,
            "eligible_from": self.eligible_from.isoformat(),
            "why": self.why,
            "kept_by": self.kept_by,
        }


def _max_of(queryset, group_field: str, value_field: str):
    return Subquery(
        queryset.filter(**{group_field: OuterRef("pk")})
        .order_by()
        .values(group_field)
        .annotate(last=Max(value_field))
        .values("last")[:1]
    )


def anonymised_people():
    return User.objects.filter(
        Q(username__startswith=ANONYMOUS_USERNAME_PREFIX)
        | Q(
            pk__in=AuditEvent.objects.filter(
                category=AuditEvent.Category.PRIVACY, action=ANONYMISE_ACTION
            ).values("person_id")
        )
    )


def people_who_left(*, today: datetime.date):
    """People with no current link, annotated with their last link end per kind.
    Superusers and Django staff accounts are never included."""
    enrolments = Enrolment.objects.annotate(
        effective_end=Coalesce("end_date", "school_class__school_year__end")
    )
    # A class of the year the school still marks current keeps its open
    # enrolments current after the year's end date, until the year is closed.
    current_enrolments = enrolments.filter(
        Q(effective_end__gte=today)
        | Q(end_date__isnull=True, school_class__school_year__is_current=True)
    )
    year_current = Q(school_class__school_year__is_current=True) | Q(
        school_class__school_year__end__gte=today
    )
    current_teaching = TeachingAssignment.objects.filter(year_current, teacher=OuterRef("pk"))
    current_homeroom = SchoolClass.objects.filter(
        Q(school_year__is_current=True) | Q(school_year__end__gte=today),
        homeroom_teacher=OuterRef("pk"),
    )
    current_child = GuardianLink.objects.filter(
        guardian=OuterRef("pk"), pupil__in=current_enrolments.values("pupil")
    )
    return (
        User.objects.filter(is_superuser=False, is_staff=False)
        .exclude(pk__in=anonymised_people().values("pk"))
        .exclude(Exists(RoleAssignment.objects.filter(user=OuterRef("pk"))))
        .exclude(Exists(current_enrolments.filter(pupil=OuterRef("pk"))))
        .exclude(Exists(current_teaching))
        .exclude(Exists(current_homeroom))
        .exclude(Exists(current_child))
        .annotate(
            pupil_end=_max_of(enrolments, "pupil", "effective_end"),
            teaching_end=_max_of(
                TeachingAssignment.objects.all(), "teacher", "school_class__school_year__end"
            ),
            homeroom_end=_max_of(SchoolClass.objects.all(), "homeroom_teacher", "school_year__end"),
            guardian_end=_max_of(enrolments, "pupil__guardian_links__guardian", "effective_end"),
            is_guardian=Exists(GuardianLink.objects.filter(guardian=OuterRef("pk"))),
        )
        .order_by("pk")
    )


def _candidate(person: User, years: dict[str, int]) -> Candidate:
    ends = {}
    if person.pupil_end:
        ends["pupil"] = person.pupil_end
    teacher_end = max(filter(None, [person.teaching_end, person.homeroom_end]), default=None)
    if teacher_end:
        ends["teacher"] = teacher_end
    if person.guardian_end or person.is_guardian:
        # A guardian of children never enrolled: the account's creation date.
        ends["guardian"] = person.guardian_end or timezone.localdate(person.date_joined)
    if not ends:
        ends["other"] = timezone.localdate(person.date_joined)
    last_end = max(ends.values())
    period = max(years[k] for k in ends)
    return Candidate(
        person=person,
        kinds=tuple(ends),
        last_link_end=last_end,
        years=period,
        eligible_from=retention_ends(last_end, period),
    )


def anonymisation_candidates(*, today: datetime.date | None = None) -> dict[str, list]:
    """Who would be anonymised today (`due`) and who left but is kept, either
    still in the retention period (`waiting`) or held by an app (`kept`)."""
    today = today or timezone.localdate()
    years = retention_years()
    due, waiting = [], []
    for person in people_who_left(today=today):
        candidate = _candidate(person, years)
        (due if candidate.eligible_from <= today else waiting).append(candidate)
    kept_reasons: dict[int, str] = {}
    ids = [c.person.pk for c in due]
    for handler in person_data_handlers():
        if handler.keeps and ids:
            for pk, why in handler.keeps(ids).items():
                kept_reasons.setdefault(pk, str(why))
    kept = [
        Candidate(**{**c.__dict__, "kept_by": kept_reasons[c.person.pk]})
        for c in due
        if c.person.pk in kept_reasons
    ]
    due = [c for c in due if c.person.pk not in kept_reasons]
    return {"due": due, "kept": kept, "waiting": waiting}


def _end_sessions(person: User) -> int:
    sessions = list(UserSession.objects.filter(user=person))
    for session in sessions:
        session.end()
    return len(sessions)


@transaction.atomic
def person_anonymise(*, person: User, actor=None, reason: str = "") -> AuditEvent:
    """Remove `person`'s account and contact data; keep the register's records
    (now under "Osoba usunięta #<id>") and every history row as it is. Records one
    AuditEvent whose `before` names the removed fields, never their values."""
    deleted: dict[str, int] = {}
    # The apps first: the CMS finds contact-form messages by the e-mail.
    for handler in person_data_handlers():
        if handler.anonymise:
            for label, count in handler.anonymise(person).items():
                if count:
                    deleted[f"{handler.key}.{label}"] = count
    core = {
        "guardian_links": GuardianLink.objects.filter(
            Q(guardian=person) | Q(pupil=person)
        ).delete()[0],
        "sessions": _end_sessions(person),
        "mfa_authenticators": Authenticator.objects.filter(user=person).delete()[0],
        "email_addresses": EmailAddress.objects.filter(user=person).delete()[0],
    }
    deleted.update({k: v for k, v in core.items() if v})
    removed = [name for name in PERSONAL_FIELDS if getattr(person, name)]
    removed += ["username", "password"]
    person.first_name = ANONYMOUS_FIRST_NAME
    person.last_name = f"#{person.pk}"
    person.email = ""
    person.phone = ""
    person.pesel = ""
    person.date_of_birth = None
    person.username = f"{ANONYMOUS_USERNAME_PREFIX}{person.pk}-{secrets.token_hex(6)}"
    person.set_unusable_password()
    person.is_active = False
    person.save()
    return audit_record(
        actor=actor,
        category=AuditEvent.Category.PRIVACY,
        action=ANONYMISE_ACTION,
        target=person,
        person=person,
        before={"removed": removed},
        after={"deleted": deleted},
        reason=reason,
        only_changes=False,
    )


def anonymise_due(*, today: datetime.date | None = None, actor=None) -> list[Candidate]:
    """Anonymise everyone due today (the scheduled run). Each person in a
    transaction of their own, so one failure does not undo the others."""
    done = []
    for candidate in anonymisation_candidates(today=today)["due"]:
        person_anonymise(person=candidate.person, actor=actor, reason=candidate.why)
        done.append(candidate)
    return done
