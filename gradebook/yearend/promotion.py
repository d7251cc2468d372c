"""Promotion decisions at the end of the school year and exam retakes.

The rules propose an outcome for each pupil from the annual classification
(`selectors.class_classification` of the year's last term); the homeroom
teacher (or a school admin) accepts it or overrides it with a reason, confirms
the class as homeroom teacher, and a school admin or headteacher confirms the
class for the school with the teachers' council's resolution (number and
date). Any later change of a decision's outcome, of an annual grade or of the
final behaviour grade clears the confirmations. An exam retake (egzamin
poprawkowy) changes the failing annual grade through the one service that may
write into a closed term, and the decision is made again.

Every write is audited (`AuditEvent`, category *year end*) with the decision's
state before and after. docs/yearend.md, "Promotion decisions", says more."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gradebook.models import TermGrade
from gradebook.services import GradebookError, term_grade_retake_save
from portal.audit import audit_record, model_fields, snapshot
from portal.models import AuditEvent, School, SchoolClass, SchoolYear, Subject, Term, User
from portal.years import ensure_year_open

from . import rules
from .models import PromotionDecision, PromotionOutcome, RetakeExam
from .permissions import can_run_year_end, can_view_class_classification
from .selectors import ClassClassification, PupilRow, _classify, _is_last_term

DECISION_FIELDS = model_fields(PromotionDecision, exclude=["pupil", "school_class"])
RETAKE_FIELDS = model_fields(RetakeExam, exclude=["pupil", "school_class"])
#: The reason kept in the grade history of a grade changed by a retake exam.
RETAKE_REASON = "egzamin poprawkowy"

NEXT_LEVEL = (
    PromotionOutcome.PROMOTED,
    PromotionOutcome.PROMOTED_WITH_HONOURS,
    PromotionOutcome.NOT_PROMOTED,
)
LAST_LEVEL = (
    PromotionOutcome.GRADUATED,
    PromotionOutcome.GRADUATED_WITH_HONOURS,
    PromotionOutcome.NOT_PROMOTED,
)


# --- Reading -------------------------------------------------------------------------------


def year_last_term(school_year: SchoolYear) -> Term | None:
    """The school year's last term: the one of the annual classification."""
    return (
        Term.objects.filter(school_year=school_year)
        .select_related("school_year")
        .order_by("-number")
        .first()
    )


def outcomes_for(school_class: SchoolClass) -> tuple[PromotionOutcome, ...]:
    """The outcomes a decision may take in this class: "completed school" in the
    school's last level, "promoted" below it; "not promoted" in both."""
    last = rules.is_last_level(level=school_class.level, last_level=school_class.school.max_level)
    return LAST_LEVEL if last else NEXT_LEVEL


@dataclass
class DecisionRow:
    """One pupil on the decisions page: the classification row (with the
    proposal of the rules), the stored decision, the recorded retakes."""

    row: PupilRow
    decision: PromotionDecision | None
    retakes: list = field(default_factory=list)  # [RetakeExam]

    @property
    def pupil(self) -> User:
        return self.row.pupil

    @property
    def proposed(self) -> str | None:
        return self.row.outcome

    @property
    def proposed_label(self) -> str:
        return self.row.outcome_label

    @property
    def outcome(self) -> str | None:
        """The decision's outcome, or the proposal while there is no decision."""
        if self.decision is not None and self.decision.outcome:
            return self.decision.outcome
        return self.proposed

    @property
    def outcome_label(self) -> str:
        return PromotionOutcome(self.outcome).label if self.outcome else ""

    @property
    def overridden(self) -> bool:
        return bool(self.decision and self.decision.outcome and self.outcome != self.proposed)

    @property
    def proposal_changed(self) -> bool:
        """The rules propose something else than when the decision was made (a
        grade changed since): the decision needs confirming again."""
        return bool(self.decision and self.decision.proposed != (self.proposed or ""))

    @property
    def homeroom_confirmed(self) -> bool:
        return bool(
            self.decision and self.decision.homeroom_confirmed_at and not self.proposal_changed
        )

    @property
    def admin_confirmed(self) -> bool:
        return self.homeroom_confirmed and bool(self.decision.admin_confirmed_at)

    @property
    def failing_subjects(self) -> list[Subject]:
        """Subjects with a failing annual grade."""
        return [
            s
            for s, c in zip(self.row.subjects, self.row.cells, strict=True)
            if c is not None and c.grade == rules.FAILING
        ]

    @property
    def retake_subjects(self) -> list[Subject]:
        """Failing subjects the pupil may still retake: one or two failing grades
        (two with the council's leave), and no retake of the subject recorded."""
        if self.row.descriptive or not rules.retake_exam_eligible(
            failing=self.row.failing, council_allows_two=True
        ):
            return []
        done = {r.subject_id for r in self.retakes}
        return [s for s in self.failing_subjects if s.pk not in done]


@dataclass
class ClassDecisions:
    school_class: SchoolClass
    term: Term
    result: ClassClassification
    rows: list  # [DecisionRow]

    @property
    def is_open(self) -> bool:
        """Decisions are made once the year's last term has begun."""
        return timezone.localdate() >= self.term.start

    @property
    def outcome_choices(self) -> list[tuple[str, str]]:
        return [(o.value, o.label) for o in outcomes_for(self.school_class)]

    @property
    def has_outcomes(self) -> bool:
        """Level 0 (the pre-school year) is not classified: nothing to decide."""
        return any(r.proposed for r in self.rows)

    @property
    def homeroom_confirmed(self) -> int:
        return sum(r.homeroom_confirmed for r in self.rows)

    @property
    def admin_confirmed(self) -> int:
        return sum(r.admin_confirmed for r in self.rows)

    @property
    def all_homeroom_confirmed(self) -> bool:
        return bool(self.rows) and self.homeroom_confirmed == len(self.rows)

    @property
    def all_admin_confirmed(self) -> bool:
        return bool(self.rows) and self.admin_confirmed == len(self.rows)

    @property
    def pending_retakes(self) -> int:
        return sum(len(r.retake_subjects) for r in self.rows)

    @property
    def resolution(self) -> PromotionDecision | None:
        """A decision confirmed by the school, for the resolution's number and date."""
        return next((r.decision for r in self.rows if r.admin_confirmed), None)

    @property
    def outcome_counts(self) -> list[tuple[str, str, int]]:
        counts: dict[str, int] = defaultdict(int)
        for r in self.rows:
            if r.outcome:
                counts[r.outcome] += 1
        return [(o.value, o.label, counts[o.value]) for o in PromotionOutcome]


def _with_decisions(results: list[ClassClassification]) -> list[ClassDecisions]:
    """The classifications with their decisions and retakes (two queries for
    any number of classes)."""
    class_ids = [r.school_class.pk for r in results]
    decisions = {
        (d.school_class_id, d.pupil_id): d
        for d in PromotionDecision.objects.filter(school_class_id__in=class_ids).select_related(
            "homeroom_confirmed_by", "admin_confirmed_by"
        )
    }
    retakes: dict[tuple[int, int], list[RetakeExam]] = defaultdict(list)
    for retake in RetakeExam.objects.filter(school_class_id__in=class_ids).select_related(
        "subject"
    ):
        retakes[(retake.school_class_id, retake.pupil_id)].append(retake)
    classes = []
    for result in results:
        cls_id = result.school_class.pk
        rows = [
            DecisionRow(
                row=row,
                decision=decisions.get((cls_id, row.pupil.pk)),
                retakes=retakes.get((cls_id, row.pupil.pk), []),
            )
            for row in result.rows
        ]
        classes.append(ClassDecisions(result.school_class, result.term, result, rows))
    return classes


def class_decisions(*, school_class: SchoolClass) -> ClassDecisions | None:
    """Every pupil of the class at the year's end with the outcome the rules
    propose (from the annual classification), the decision and who confirmed
    it, and the retakes; None when the school year has no terms. A fixed number
    of queries whatever the number of pupils."""
    term = year_last_term(school_class.school_year)
    if term is None:
        return None
    return _with_decisions(_classify([school_class], term))[0]


@dataclass
class SchoolDecisions:
    school: School
    school_year: SchoolYear
    term: Term | None
    classes: list  # [ClassDecisions]


def school_decisions(*, school: School, school_year: SchoolYear) -> SchoolDecisions:
    """Each class of the school year with its outcome counts, confirmations and
    pending retakes (a fixed number of queries whatever the classes)."""
    term = year_last_term(school_year)
    classes = list(
        SchoolClass.objects.filter(school_year=school_year)
        .select_related("school_year__school", "homeroom_teacher")
        .order_by("level", "name")
    )
    results = _classify(classes, term) if classes and term else []
    return SchoolDecisions(school, school_year, term, _with_decisions(results))


def decisions_for_year(*, school_year: SchoolYear) -> dict[int, PromotionDecision]:
    """The decisions of a school year that count: per pupil id, the decision
    with an outcome confirmed by the homeroom teacher *and* the school (the
    council's resolution). Pupils without one are absent from the dict. A pupil
    decided in two classes of the year (moved within the school) counts with the
    decision the school confirmed last. One query; `school_class` is loaded."""
    decisions = (
        PromotionDecision.objects.filter(
            school_class__school_year=school_year,
            homeroom_confirmed_at__isnull=False,
            admin_confirmed_at__isnull=False,
        )
        .exclude(outcome="")
        .select_related("school_class")
        .order_by("admin_confirmed_at", "pk")
    )
    return {d.pupil_id: d for d in decisions}


# --- Writing -------------------------------------------------------------------------------


def _audit(decision: PromotionDecision, before: dict | None, user: User, action: str, reason=""):
    audit_record(
        actor=user,
        category=AuditEvent.Category.YEAR_END,
        action=f"promotion_decision.{action}",
        target=decision,
        school=decision.school_class.school_year.school_id,
        person=decision.pupil,
        before=before,
        after=snapshot(decision, DECISION_FIELDS),
        reason=reason,
    )


def _clear_confirmations(decision: PromotionDecision) -> None:
    decision.homeroom_confirmed_by = decision.homeroom_confirmed_at = None
    decision.admin_confirmed_by = decision.admin_confirmed_at = None
    decision.resolution_number, decision.resolution_date = "", None


def _open_year_end(school_class: SchoolClass) -> tuple[Term, ClassDecisions]:
    """The year's last term, once it has begun, and the class's decisions. A
    finished (closed) school year takes no decisions until it is reopened."""
    ensure_year_open(school_class.school_year, error=GradebookError)
    term = year_last_term(school_class.school_year)
    page = _with_decisions(_classify([school_class], term))[0] if term else None
    if page is None or not page.is_open:
        raise GradebookError(
            "too_early", _("Promotion decisions are made in the last term of the school year.")
        )
    if not page.has_outcomes:
        raise GradebookError("no_outcome", _("This class is not promoted by decisions."))
    return term, page


def _row_of(page: ClassDecisions, pupil_id: int) -> DecisionRow:
    for row in page.rows:
        if row.pupil.pk == pupil_id:
            return row
    raise GradebookError("not_found", _("No such pupil in this class."))


def _locked(school_class: SchoolClass, pupil_id: int) -> PromotionDecision:
    decision = (
        PromotionDecision.objects.select_for_update()
        .filter(school_class=school_class, pupil_id=pupil_id)
        .first()
    )
    return decision or PromotionDecision(school_class=school_class, pupil_id=pupil_id)


def decision_set(
    *, school_class: SchoolClass, pupil_id: int, outcome: str, note: str, user: User
) -> PromotionDecision:
    """Set (or override) one pupil's outcome with a note; a decision different
    from the rules' proposal needs the note as its reason. A changed outcome
    clears the confirmations by the homeroom teacher and the school. For the
    class's homeroom teacher and those who run the school's year end."""
    if not can_view_class_classification(user, school_class):
        raise GradebookError("forbidden", _("You cannot decide on this class."))
    note = (note or "").strip()
    if outcome not in [o.value for o in outcomes_for(school_class)]:
        raise GradebookError("bad_outcome", _("Choose one of the outcomes shown."))
    with transaction.atomic():
        _term, page = _open_year_end(school_class)
        row = _row_of(page, pupil_id)
        if outcome != row.proposed and not note:
            raise GradebookError(
                "reason_required",
                _("Give the reason when the decision differs from the proposal."),
            )
        decision = _locked(school_class, pupil_id)
        before = snapshot(decision, DECISION_FIELDS) if decision.pk else None
        if decision.outcome != outcome:
            _clear_confirmations(decision)
        decision.proposed, decision.outcome, decision.note = row.proposed, outcome, note
        decision.save()
        _audit(decision, before, user, "update" if before else "create")
    return decision


def decisions_confirm_homeroom(*, school_class: SchoolClass, user: User) -> int:
    """The homeroom teacher's confirmation of the whole class: every pupil
    without a decision gets the proposal as the decision. Refused while a
    decision differs from the proposal without a reason (the proposal may have
    changed since). Returns how many decisions were confirmed now."""
    if not can_view_class_classification(user, school_class):
        raise GradebookError("forbidden", _("You cannot decide on this class."))
    with transaction.atomic():
        _term, page = _open_year_end(school_class)
        if not page.rows:
            raise GradebookError("no_pupils", _("There are no pupils in this class."))
        missing = [
            r.pupil.sort_name
            for r in page.rows
            if r.outcome != r.proposed and not (r.decision and r.decision.note.strip())
        ]
        if missing:
            raise GradebookError(
                "reason_required",
                _("Give the reason for the decisions that differ from the proposal: %s")
                % ", ".join(missing),
            )
        now, count = timezone.now(), 0
        for r in page.rows:
            if r.homeroom_confirmed:
                continue
            decision = _locked(school_class, r.pupil.pk)
            before = snapshot(decision, DECISION_FIELDS) if decision.pk else None
            decision.outcome = decision.outcome or r.proposed
            decision.proposed = r.proposed
            decision.homeroom_confirmed_by, decision.homeroom_confirmed_at = user, now
            decision.admin_confirmed_by = decision.admin_confirmed_at = None
            decision.save()
            _audit(decision, before, user, "confirm_homeroom")
            count += 1
    return count


def decisions_confirm_school(
    *,
    school_class: SchoolClass,
    user: User,
    resolution_number: str,
    resolution_date: datetime.date | None,
) -> int:
    """The school's confirmation of the whole class with the teachers'
    council's resolution (uchwała rady pedagogicznej, number and date); only
    after the homeroom teacher confirmed every pupil. For the school's admins
    and headteachers. Returns how many decisions were confirmed now."""
    if not can_run_year_end(user, school_class.school_year.school_id):
        raise GradebookError("forbidden", _("Only the school's admin confirms the decisions."))
    number = (resolution_number or "").strip()
    if not number:
        raise GradebookError("no_resolution", _("Give the number of the council's resolution."))
    if len(number) > PromotionDecision._meta.get_field("resolution_number").max_length:
        raise GradebookError("bad_resolution", _("The resolution number is too long."))
    today = timezone.localdate()
    if resolution_date is None or resolution_date > today:
        raise GradebookError(
            "bad_date", _("Give the date of the council's resolution (not in the future).")
        )
    if resolution_date < school_class.school_year.start:
        raise GradebookError(
            "bad_date", _("The resolution's date is before the start of the school year.")
        )
    with transaction.atomic():
        _term, page = _open_year_end(school_class)
        if not page.rows:
            raise GradebookError("no_pupils", _("There are no pupils in this class."))
        if not page.all_homeroom_confirmed:
            raise GradebookError(
                "homeroom_first",
                _("The homeroom teacher confirms every decision of the class first."),
            )
        now, count = timezone.now(), 0
        for r in page.rows:
            decision = _locked(school_class, r.pupil.pk)
            before = snapshot(decision, DECISION_FIELDS)
            decision.resolution_number, decision.resolution_date = number, resolution_date
            if not decision.admin_confirmed_at:
                decision.admin_confirmed_by, decision.admin_confirmed_at = user, now
                count += 1
            decision.save()
            _audit(decision, before, user, "confirm_school")
    return count


def decisions_reopen(
    *, school_class: SchoolClass, term: Term, pupil_ids, user: User, reason: str = ""
) -> int:
    """After a change of an annual grade or a final behaviour grade: the
    pupils' decisions lose their confirmations (recorded), so they are
    confirmed again. Called by the gradebook's services; nothing happens for a
    term that is not the year's last. Returns how many decisions changed."""
    decisions = list(
        PromotionDecision.objects.select_for_update()
        .filter(school_class=school_class, pupil_id__in=list(pupil_ids))
        .filter(Q(homeroom_confirmed_at__isnull=False) | Q(admin_confirmed_at__isnull=False))
        .select_related("school_class__school_year", "pupil")
    )
    if not decisions or term.school_year_id != school_class.school_year_id:
        return 0
    if not _is_last_term(term):
        return 0
    for decision in decisions:
        before = snapshot(decision, DECISION_FIELDS)
        _clear_confirmations(decision)
        decision.save()
        _audit(decision, before, user, "unconfirm", reason or _("an annual grade changed"))
    return len(decisions)


def retake_record(
    *,
    school_class: SchoolClass,
    pupil_id: int,
    subject_id: int,
    date: datetime.date | None,
    grade: int,
    board: str = "",
    note: str = "",
    council_allows_two: bool = False,
    user: User,
) -> RetakeExam:
    """Record an exam retake (egzamin poprawkowy, art. 44m) of a pupil with a
    failing annual grade in the subject (one failing grade; two when the
    council allows), change the annual grade to the retake's result (with its
    grade history, reason "egzamin poprawkowy", even in a closed term) and make
    the decision again: a decision that followed the proposal follows the new
    one, and the confirmations are cleared. For the school's admins."""
    if not can_run_year_end(user, school_class.school_year.school_id):
        raise GradebookError("forbidden", _("Only the school's admin records retake exams."))
    if grade not in range(1, 7):
        raise GradebookError("invalid_grade", _("A term grade is from 1 to 6."))
    if date is None or date > timezone.localdate():
        raise GradebookError("bad_date", _("Give the date of the exam (not in the future)."))
    board, note = (board or "").strip()[:300], (note or "").strip()
    with transaction.atomic():
        term, page = _open_year_end(school_class)
        row = _row_of(page, pupil_id)
        if subject_id not in {s.pk for s in row.failing_subjects}:
            raise GradebookError(
                "no_failing_grade",
                _("The pupil has no failing annual grade in this subject: no retake exam."),
            )
        if subject_id in {r.subject_id for r in row.retakes}:
            raise GradebookError(
                "already_recorded", _("A retake exam of this subject is already recorded.")
            )
        if not rules.retake_exam_eligible(
            failing=row.row.failing, council_allows_two=council_allows_two
        ):
            raise GradebookError(
                "not_eligible",
                _(
                    "A retake exam is open to a pupil with one failing annual grade, "
                    "or two when the teachers' council allows it."
                ),
            )
        term_grade = TermGrade.objects.filter(
            pupil_id=pupil_id,
            term=term,
            kind=TermGrade.Kind.FINAL,
            grade=rules.FAILING,
            assignment__school_class=school_class,
            assignment__subject_id=subject_id,
        ).first()
        if term_grade is None:
            raise GradebookError(
                "no_failing_grade",
                _("The pupil has no failing annual grade in this subject: no retake exam."),
            )
        term_grade_retake_save(term_grade=term_grade, grade=grade, user=user, reason=RETAKE_REASON)
        retake = RetakeExam.objects.create(
            pupil_id=pupil_id,
            school_class=school_class,
            subject_id=subject_id,
            date=date,
            old_grade=rules.FAILING,
            new_grade=grade,
            board=board,
            note=note,
            recorded_by=user,
        )
        audit_record(
            actor=user,
            category=AuditEvent.Category.YEAR_END,
            action="retake_exam.create",
            target=retake,
            school=school_class.school_year.school_id,
            person=retake.pupil,
            after=snapshot(retake, RETAKE_FIELDS),
            reason=note,
        )
        _redecide(school_class, term, pupil_id, user)
    return retake


def _redecide(school_class: SchoolClass, term: Term, pupil_id: int, user: User) -> None:
    """The proposal after a retake; the decision follows it unless it was an
    override, and is confirmed again either way."""
    page = _with_decisions(_classify([school_class], term))[0]
    row = _row_of(page, pupil_id)
    decision = _locked(school_class, pupil_id)
    if decision.pk is None:
        return  # no decision yet: the page shows the new proposal
    before = snapshot(decision, DECISION_FIELDS)
    if not decision.outcome or decision.outcome == decision.proposed:
        decision.outcome = row.proposed
    decision.proposed = row.proposed
    _clear_confirmations(decision)
    decision.save()
    _audit(decision, before, user, "redecide", _("retake exam"))
