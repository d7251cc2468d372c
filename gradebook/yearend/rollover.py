"""The year rollover: next school year from this one, in two steps that share one
plan.

`rollover_plan` (a selector) reads the current year and the admin's choices and
returns a `RolloverPlan`, a pure, frozen data structure: the new year and its
terms, each new class, each pupil's move, what is copied and what is kept. The
preview shows it; `rollover_apply` builds it again inside one transaction and
refuses when its digest differs from the one the admin saw (someone changed a
decision or a class meanwhile), then carries it out and records it.

A finished year is read-only (`portal.years.ensure_year_open`); the admin closes
and reopens it here, each time with the reason kept in the audit trail."""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gradebook.register.models import RegisterSettings, TimetableEntry
from portal.audit import audit_record
from portal.errors import constraint_message, validation_message
from portal.models import (
    AuditEvent,
    Enrolment,
    School,
    SchoolClass,
    SchoolYear,
    TeachingAssignment,
    TeachingGroup,
    Term,
    User,
)
from portal.permissions import roles_changed_for_everyone
from portal.services import PortalError

from .models import PromotionOutcome
from .permissions import can_run_year_end
from .promotion import decisions_for_year

PROMOTE, REPEAT, LEAVE = "promote", "repeat", "leave"
LEAVING_OUTCOMES = {PromotionOutcome.GRADUATED, PromotionOutcome.GRADUATED_WITH_HONOURS}


# --- The admin's choices ------------------------------------------------------------------


@dataclass(frozen=True)
class TermInput:
    number: int
    start: datetime.date
    end: datetime.date


@dataclass(frozen=True)
class YearInput:
    """Step 1: the next year's name, dates and terms."""

    name: str
    start: datetime.date
    end: datetime.date
    terms: tuple[TermInput, ...]

    def to_session(self) -> dict:
        return json.loads(json.dumps(asdict(self), default=str))

    @classmethod
    def from_session(cls, data: dict) -> YearInput:
        day = datetime.date.fromisoformat
        return cls(
            name=data["name"],
            start=day(data["start"]),
            end=day(data["end"]),
            terms=tuple(
                TermInput(number=t["number"], start=day(t["start"]), end=day(t["end"]))
                for t in data["terms"]
            ),
        )


def first_school_day(year: int) -> datetime.date:
    """Lessons begin on the first weekday of September; when 1 September is a
    Friday or a Saturday they begin on the following Monday (the regulation on
    the organisation of the school year, § 2)."""
    day = datetime.date(year, 9, 1)
    if day.weekday() in (4, 5):
        return day + datetime.timedelta(days=7 - day.weekday())
    if day.weekday() == 6:
        return day + datetime.timedelta(days=1)
    return day


def last_school_day(year: int) -> datetime.date:
    """Lessons end on the last Friday of June (the same regulation)."""
    day = datetime.date(year, 6, 30)
    return day - datetime.timedelta(days=(day.weekday() - 4) % 7)


def _a_year_later(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _next_name(year: SchoolYear, start: datetime.date) -> str:
    found = re.fullmatch(r"\s*(\d{4})\s*/\s*(\d{4})\s*", year.name)
    if found:
        return f"{int(found.group(1)) + 1}/{int(found.group(2)) + 1}"
    return f"{start.year}/{start.year + 1}"


def next_year_defaults(year: SchoolYear) -> YearInput:
    """The next year as the wizard proposes it: the regulation's first and last
    days of lessons, each term a year later than this year's (the first starts
    with the year, the last ends with it)."""
    start = first_school_day(year.start.year + 1)
    end = last_school_day(year.start.year + 2)
    old_terms = sorted(year.terms.all(), key=lambda t: t.number)
    terms = []
    for i, term in enumerate(old_terms):
        terms.append(
            TermInput(
                number=term.number,
                start=start if i == 0 else _a_year_later(term.start),
                end=end if i == len(old_terms) - 1 else _a_year_later(term.end),
            )
        )
    return YearInput(name=_next_name(year, start), start=start, end=end, terms=tuple(terms))


def year_input_problems(year_input: YearInput, old_year: SchoolYear) -> list[str]:
    """What is wrong with the dates (empty when they can be used)."""
    problems = []
    if not year_input.name.strip():
        problems.append(_("Give the new school year a name."))
    if year_input.end <= year_input.start:
        problems.append(_("The school year must end after it starts."))
    if year_input.start <= old_year.end:
        problems.append(_("The new school year must start after the current one ends."))
    previous_end = None
    for term in year_input.terms:
        label = _("Term %(number)s") % {"number": term.number}
        if term.end <= term.start:
            problems.append(_("%(term)s must end after it starts.") % {"term": label})
        if term.start < year_input.start or term.end > year_input.end:
            problems.append(_("%(term)s must lie within the school year.") % {"term": label})
        if previous_end is not None and term.start <= previous_end:
            problems.append(
                _("%(term)s must start after the previous term ends.") % {"term": label}
            )
        previous_end = term.end
    if not year_input.terms:
        problems.append(_("The school year needs at least one term."))
    return problems


# --- The plan -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AssignmentCopy:
    subject: str
    teacher: str
    group: str
    timetable_entries: int


@dataclass(frozen=True)
class ClassPlan:
    key: str  # "<level>:<letter>", how pupils and the wizard's choices find it
    name: str
    level: int
    source_id: int | None  # this year's class it continues; None: made for repeaters
    source_name: str
    homeroom_id: int | None
    homeroom_name: str
    homeroom_changed: bool
    groups: tuple[str, ...]
    assignments: tuple[AssignmentCopy, ...]

    @property
    def weekly_lessons(self) -> int:
        """The timetable's lessons a week copied into the class."""
        return sum(a.timetable_entries for a in self.assignments)


@dataclass(frozen=True)
class PupilMove:
    pupil_id: int
    pupil_name: str
    from_class_id: int
    from_class: str
    outcome: str  # a PromotionOutcome value
    confirmed: bool
    action: str  # PROMOTE, REPEAT or LEAVE
    to_class_key: str  # "" for LEAVE
    to_class: str
    enrolment_ends: datetime.date


@dataclass(frozen=True)
class RolloverPlan:
    school_id: int
    old_year_id: int
    old_year_name: str
    old_year_end: datetime.date
    year: YearInput
    classes: tuple[ClassPlan, ...]
    leaving_classes: tuple[str, ...]
    moves: tuple[PupilMove, ...]
    kept: tuple[str, ...]  # what stays as it is (per-school settings, subjects, bell)
    errors: tuple[str, ...]  # the plan cannot be applied
    undecided: tuple[PupilMove, ...] = field(default=())  # no confirmed decision

    @property
    def digest(self) -> str:
        text = json.dumps(asdict(self), default=str, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def blocking_undecided(self) -> tuple[PupilMove, ...]:
        """Pupils of a class that goes on whose decision is not confirmed: the plan
        treats them as promoted, applying needs the admin's explicit override."""
        return tuple(m for m in self.undecided if m.action != LEAVE)

    def moves_by(self, action: str) -> list[PupilMove]:
        return [m for m in self.moves if m.action == action]

    def counts(self) -> dict:
        return {
            "classes": len(self.classes),
            "promoted": len(self.moves_by(PROMOTE)),
            "not_promoted": len(self.moves_by(REPEAT)),
            "leaving": len(self.moves_by(LEAVE)),
            "undecided": len(self.undecided),
            "assignments": sum(len(c.assignments) for c in self.classes),
            "timetable_entries": sum(
                a.timetable_entries for c in self.classes for a in c.assignments
            ),
        }


def _confirmed_outcomes(year: SchoolYear) -> dict[int, str]:
    """pupil id -> the outcome of their promotion decision in `year`, confirmed
    by the homeroom teacher and the school (`promotion.decisions_for_year`; the
    latest confirmed, should a pupil moved mid-year have two)."""
    return {pupil_id: d.outcome for pupil_id, d in decisions_for_year(school_year=year).items()}


def _letter(school_class: SchoolClass) -> str:
    """ "4a" -> "a"; a name that does not start with its level keeps it whole."""
    prefix = str(school_class.level)
    name = school_class.name.strip()
    return name[len(prefix) :].strip() if name.startswith(prefix) else name


def _class_name(level: int, letter: str) -> str:
    return f"{level}{letter}"


def _name(user: User | None) -> str:
    return user.sort_name if user is not None else ""


def _year_errors(school: School, old_year: SchoolYear, year_input: YearInput) -> list[str]:
    errors = year_input_problems(year_input, old_year)
    if old_year.closed_at is not None:
        errors.append(_("The current school year is already finished."))
    clash = (
        SchoolYear.objects.filter(school=school)
        .filter(
            Q(name=year_input.name.strip())
            | Q(start__lte=year_input.end, end__gte=year_input.start)
        )
        .exclude(pk=old_year.pk)
        .values_list("name", flat=True)
    )
    for name in clash:
        errors.append(
            _("The school already has the school year %(name)s at these dates or with this name.")
            % {"name": name}
        )
    return errors


def rollover_plan(
    *, school: School, year_input: YearInput, homerooms: dict[int, int | None] | None = None
) -> RolloverPlan:
    """Every change the rollover would make, as data (a fixed number of queries
    whatever the number of classes and pupils). `homerooms` maps this year's
    class id to next year's homeroom teacher's id (absent: kept)."""
    old_year = school.current_year()
    if old_year is None:
        raise PortalError("no_current_year", _("The school has no current school year."))
    homerooms = homerooms or {}
    max_level = school.max_level
    classes = list(
        SchoolClass.objects.filter(school_year=old_year)
        .select_related("homeroom_teacher")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=TeachingAssignment.objects.select_related("subject", "teacher", "group")
                .annotate(slots=Count("timetable_entries"))
                .order_by("subject__name", "pk"),
            ),
            Prefetch("groups", queryset=TeachingGroup.objects.order_by("name")),
        )
        .order_by("level", "name")
    )
    teachers = {u.pk: u for u in User.objects.filter(pk__in=[t for t in homerooms.values() if t])}

    planned: dict[str, ClassPlan] = {}
    leaving = []
    for c in classes:
        if c.level >= max_level:
            leaving.append(c.name)
            continue
        level, letter = c.level + 1, _letter(c)
        key = f"{level}:{letter}"
        homeroom_id = homerooms.get(c.pk, c.homeroom_teacher_id)
        homeroom = (
            c.homeroom_teacher
            if homeroom_id == c.homeroom_teacher_id
            else teachers.get(homeroom_id)
        )
        planned[key] = ClassPlan(
            key=key,
            name=_class_name(level, letter),
            level=level,
            source_id=c.pk,
            source_name=c.name,
            homeroom_id=homeroom.pk if homeroom else None,
            homeroom_name=_name(homeroom),
            homeroom_changed=homeroom_id != c.homeroom_teacher_id,
            groups=tuple(g.name for g in c.groups.all()),
            assignments=tuple(
                AssignmentCopy(
                    subject=a.subject.name,
                    teacher=_name(a.teacher),
                    group=a.group.name if a.group_id else "",
                    timetable_entries=a.slots,
                )
                for a in c.assignments.all()
            ),
        )

    outcomes = _confirmed_outcomes(old_year)
    # The class each pupil is in on the year's last day (a pupil moved mid-year has
    # two enrolments: the one current at the end counts).
    enrolments = (
        Enrolment.objects.active_on(old_year.end)
        .filter(school_class__school_year=old_year)
        .select_related("pupil", "school_class")
        .order_by(
            "school_class__level",
            "school_class__name",
            "pupil__last_name",
            "pupil__first_name",
            "pk",
        )
    )
    moves, undecided, seen = [], [], set()
    for e in enrolments:
        if e.pupil_id in seen:
            continue
        seen.add(e.pupil_id)
        c = e.school_class
        outcome = outcomes.get(e.pupil_id)
        confirmed = outcome is not None
        final = c.level >= max_level
        if outcome is None:
            outcome = PromotionOutcome.GRADUATED if final else PromotionOutcome.PROMOTED
        if outcome == PromotionOutcome.NOT_PROMOTED:
            action, key = REPEAT, f"{c.level}:{_letter(c)}"
            if key not in planned:
                planned[key] = ClassPlan(
                    key=key,
                    name=_class_name(c.level, _letter(c)),
                    level=c.level,
                    source_id=None,
                    source_name="",
                    homeroom_id=None,
                    homeroom_name="",
                    homeroom_changed=False,
                    groups=(),
                    assignments=(),
                )
        elif final or outcome in LEAVING_OUTCOMES:
            action, key = LEAVE, ""
        else:
            action, key = PROMOTE, f"{c.level + 1}:{_letter(c)}"
        move = PupilMove(
            pupil_id=e.pupil_id,
            pupil_name=e.pupil.sort_name,
            from_class_id=c.pk,
            from_class=c.name,
            outcome=str(outcome),
            confirmed=confirmed,
            action=action,
            to_class_key=key,
            to_class=planned[key].name if key else "",
            enrolment_ends=old_year.end,
        )
        moves.append(move)
        if not confirmed:
            undecided.append(move)

    kept = [
        _("Subjects of the school (they belong to the school, not to a year)."),
        _("The bell schedule and the register settings."),
        _("The grading settings and grade categories."),
    ]
    if not RegisterSettings.objects.filter(school=school).exists():
        kept[1] = _("The bell schedule and the register settings (the defaults).")
    kept.append(_("Free days are not copied: enter the new year's holidays."))
    kept.append(_("New first classes are not created: add them when the pupils are enrolled."))
    return RolloverPlan(
        school_id=school.pk,
        old_year_id=old_year.pk,
        old_year_name=old_year.name,
        old_year_end=old_year.end,
        year=year_input,
        classes=tuple(sorted(planned.values(), key=lambda p: (p.level, p.name))),
        leaving_classes=tuple(leaving),
        moves=tuple(moves),
        kept=tuple(kept),
        errors=tuple(_year_errors(school, old_year, year_input)),
        undecided=tuple(undecided),
    )


# --- Applying it --------------------------------------------------------------------------


@dataclass
class RolloverResult:
    new_year: SchoolYear
    summary: dict


def rollover_apply(
    *,
    school: School,
    user: User,
    year_input: YearInput,
    homerooms: dict[int, int | None] | None,
    digest: str,
    override_undecided: bool = False,
) -> RolloverResult:
    """Carry out the plan the admin saw (same digest) in one transaction: the new
    year and terms, the classes, the enrolments, the copied assignments, groups
    and timetable; the old year stops being current and is finished. Any error
    rolls everything back and refuses with a readable message."""
    if not can_run_year_end(user, school):
        raise PortalError("not_allowed", _("You cannot start the next school year here."))
    try:
        with transaction.atomic():
            # One rollover at a time per school (a row lock on PostgreSQL).
            SchoolYear.objects.select_for_update().filter(school=school, is_current=True).first()
            plan = rollover_plan(school=school, year_input=year_input, homerooms=homerooms)
            if plan.digest != digest:
                raise PortalError(
                    "plan_changed",
                    _(
                        "Something changed since the preview (a decision, a class or "
                        "another rollover). Look at the new preview and apply again."
                    ),
                )
            if plan.errors:
                raise PortalError("invalid_plan", " ".join(plan.errors))
            if plan.blocking_undecided and not override_undecided:
                raise PortalError(
                    "undecided",
                    _(
                        "%(count)s pupils have no confirmed promotion decision. Confirm "
                        "the decisions, or tick that they are to be promoted anyway."
                    )
                    % {"count": len(plan.blocking_undecided)},
                )
            new_year = _apply(plan, school=school, user=user, override=override_undecided)
    except ValidationError as exc:
        raise PortalError(
            "apply_failed",
            _("The next school year was not created; nothing was changed. %(why)s")
            % {"why": validation_message(SchoolClass(), exc)},
        ) from exc
    except DatabaseError as exc:
        from django.db import IntegrityError

        why = constraint_message(exc) if isinstance(exc, IntegrityError) else ""
        raise PortalError(
            "apply_failed",
            _("The next school year was not created; nothing was changed. %(why)s") % {"why": why},
        ) from exc
    return RolloverResult(new_year=new_year, summary=plan.counts())


def _apply(plan: RolloverPlan, *, school: School, user: User, override: bool) -> SchoolYear:
    now = timezone.now()
    old_year = SchoolYear.objects.get(pk=plan.old_year_id)
    old_year.is_current = False
    old_year.closed_at, old_year.closed_by = now, user
    old_year.save(update_fields=["is_current", "closed_at", "closed_by"])

    y = plan.year
    new_year = SchoolYear(
        school=school, name=y.name.strip(), start=y.start, end=y.end, is_current=True
    )
    new_year.full_clean()
    new_year.save()
    terms = [Term(school_year=new_year, number=t.number, start=t.start, end=t.end) for t in y.terms]
    for term in terms:
        term.full_clean()
    Term.objects.bulk_create(terms)

    new_classes = {}
    for cp in plan.classes:
        new_class = SchoolClass(
            school_year=new_year, name=cp.name, level=cp.level, homeroom_teacher_id=cp.homeroom_id
        )
        new_class.full_clean()
        new_class.save()
        new_classes[cp.key] = new_class

    # Every enrolment of the old year still open at its end ends on its last day.
    ended = (
        Enrolment.objects.filter(school_class__school_year=old_year, start_date__lte=old_year.end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=old_year.end))
        .update(end_date=old_year.end)
    )
    staying = sorted(
        (m for m in plan.moves if m.action != LEAVE), key=lambda m: (m.to_class_key, m.pupil_name)
    )
    numbers: dict[str, int] = {}
    new_enrolments = []
    for move in staying:
        numbers[move.to_class_key] = numbers.get(move.to_class_key, 0) + 1
        new_enrolments.append(
            Enrolment(
                pupil_id=move.pupil_id,
                school_class=new_classes[move.to_class_key],
                start_date=new_year.start,
                register_number=numbers[move.to_class_key],
            )
        )
    Enrolment.objects.bulk_create(new_enrolments)
    copied = _copy_teaching(plan, new_classes)
    # Enrolments and teaching assignments were written in bulk (no signals): the
    # new year is everyone's current one now.
    roles_changed_for_everyone()

    audit_record(
        actor=user,
        category=AuditEvent.Category.YEAR_END,
        action="school_year.rollover",
        target=new_year,
        school=school,
        before={"current_year": plan.old_year_name},
        after={
            "current_year": new_year.name,
            "start": new_year.start,
            "end": new_year.end,
            "terms": len(terms),
            "classes": [c.name for c in new_classes.values()],
            "enrolments_ended": ended,
            "enrolments_created": len(new_enrolments),
            "promoted": len(plan.moves_by(PROMOTE)),
            "not_promoted": len(plan.moves_by(REPEAT)),
            "leaving": len(plan.moves_by(LEAVE)),
            "undecided_promoted_by_override": (
                [m.pupil_id for m in plan.blocking_undecided] if override else []
            ),
            **copied,
        },
        reason=_("Override: pupils without a confirmed decision promoted.") if override else "",
        only_changes=False,
    )
    audit_record(
        actor=user,
        category=AuditEvent.Category.YEAR_END,
        action="school_year.close",
        target=old_year,
        school=school,
        before={"closed_at": None, "is_current": True},
        after={"closed_at": now, "is_current": False},
        reason=_("Next school year %(name)s started.") % {"name": new_year.name},
    )
    return new_year


def _copy_teaching(plan: RolloverPlan, new_classes: dict[str, SchoolClass]) -> dict:
    """Groups (with the pupils who move on together), teaching assignments and the
    timetable of each continuing class, as a starting point for the new year."""
    by_source = {cp.source_id: new_classes[cp.key] for cp in plan.classes if cp.source_id}
    promoted = {m.pupil_id: m.to_class_key for m in plan.moves if m.action == PROMOTE}
    groups = list(
        TeachingGroup.objects.filter(school_class_id__in=by_source).prefetch_related("pupils")
    )
    group_map = {}
    for group in groups:
        target = by_source[group.school_class_id]
        new_group = TeachingGroup.objects.create(school_class=target, name=group.name)
        key = next(k for k, c in new_classes.items() if c.pk == target.pk)
        members = [p.pk for p in group.pupils.all() if promoted.get(p.pk) == key]
        if members:
            new_group.pupils.set(members)
        group_map[group.pk] = new_group
    assignments = list(TeachingAssignment.objects.filter(school_class_id__in=by_source))
    new_assignments = {
        a.pk: TeachingAssignment(
            teacher_id=a.teacher_id,
            school_class=by_source[a.school_class_id],
            group=group_map.get(a.group_id),
            subject_id=a.subject_id,
        )
        for a in assignments
    }
    TeachingAssignment.objects.bulk_create(new_assignments.values())
    entries = [
        TimetableEntry(
            assignment=new_assignments[e.assignment_id],
            weekday=e.weekday,
            number=e.number,
            room=e.room,
        )
        for e in TimetableEntry.objects.filter(assignment_id__in=new_assignments)
    ]
    TimetableEntry.objects.bulk_create(entries)
    return {
        "groups_copied": len(group_map),
        "assignments_copied": len(new_assignments),
        "timetable_entries_copied": len(entries),
    }


# --- Closing and reopening a finished year ------------------------------------------------


@transaction.atomic
def school_year_close(*, school_year: SchoolYear, user: User, reason: str = "") -> SchoolYear:
    """Make a year read-only (again); recorded with who, when and why."""
    if not can_run_year_end(user, school_year.school_id):
        raise PortalError("not_allowed", _("You cannot close this school year."))
    year = SchoolYear.objects.select_for_update().get(pk=school_year.pk)
    if year.closed_at is not None:
        raise PortalError("already_closed", _("This school year is already finished."))
    if year.is_current:
        raise PortalError(
            "current", _("The current school year is finished by starting the next one.")
        )
    year.closed_at, year.closed_by = timezone.now(), user
    year.save(update_fields=["closed_at", "closed_by"])
    audit_record(
        actor=user,
        category=AuditEvent.Category.YEAR_END,
        action="school_year.close",
        target=year,
        school=year.school_id,
        before={"closed_at": None},
        after={"closed_at": year.closed_at},
        reason=(reason or "").strip(),
    )
    return year


@transaction.atomic
def school_year_reopen(*, school_year: SchoolYear, user: User, reason: str) -> SchoolYear:
    """Lift the read-only state of a finished year; the reason is required and
    kept in the audit trail."""
    if not can_run_year_end(user, school_year.school_id):
        raise PortalError("not_allowed", _("You cannot reopen this school year."))
    reason = (reason or "").strip()
    if not reason:
        raise PortalError("reason_required", _("Give the reason for reopening the year."))
    year = SchoolYear.objects.select_for_update().get(pk=school_year.pk)
    if year.closed_at is None:
        raise PortalError("not_closed", _("This school year is not finished."))
    before = {"closed_at": year.closed_at}
    year.closed_at, year.closed_by = None, None
    year.save(update_fields=["closed_at", "closed_by"])
    audit_record(
        actor=user,
        category=AuditEvent.Category.YEAR_END,
        action="school_year.reopen",
        target=year,
        school=year.school_id,
        before=before,
        after={"closed_at": None},
        reason=reason,
    )
    return year
