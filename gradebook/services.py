"""Write-side operations of the grades part of the e-register.

Every function that creates, changes or deletes a grade, term grade or
behaviour grade writes its GradeHistory rows in the same transaction; there is
no other code path that writes those models (the Django admin shows them read-only).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.producers import announce
from portal.audit import (
    audit_record,
    audited_delete,
    audited_save,
    history_row,
    model_fields,
)
from portal.errors import ServiceError, validate
from portal.models import AuditEvent, SchoolClass, TeachingAssignment, Term, User
from portal.years import ensure_year_open

from . import scale as grade_scale
from .models import (
    Assessment,
    BehaviourGrade,
    Grade,
    GradeCategory,
    GradeHistory,
    GradingSettings,
    TermGrade,
    TermStatus,
)
from .selectors import grading_settings, sheet_pupils, term_is_closed


class GradebookError(ServiceError):
    """A refused gradebook operation (portal.errors.ServiceError).
    `cell_errors` maps (assessment_id, pupil_id) to a message for the sheet."""

    def __init__(self, code: str, message: str, cell_errors: dict | None = None):
        super().__init__(code, message)
        self.cell_errors = cell_errors or {}


def _check_term_open(term: Term) -> None:
    ensure_year_open(term.school_year, error=GradebookError)
    if term_is_closed(term):
        raise GradebookError(
            "term_closed",
            _("%(term)s is closed; ask the school admin to reopen it.") % {"term": term},
        )


def _school_id(assignment: TeachingAssignment) -> int:
    return assignment.school_class.school_year.school_id


# --- Settings and categories ------------------------------------------------------------

_SETTINGS_FIELDS = model_fields(GradingSettings, exclude=["school"])
_CATEGORY_FIELDS = model_fields(GradeCategory, exclude=["school"])
ASSESSMENT_AUDIT_FIELDS = model_fields(
    Assessment, exclude=["assignment", "created_by", "created_at"]
)


@transaction.atomic
def grading_settings_update(*, settings: GradingSettings, user: User) -> GradingSettings:
    """Save a school's grading rules; averages are computed on read, so every
    shown average follows at once. The changed rules go to the audit trail."""
    validate(settings, error=GradebookError, code="invalid_settings")
    return audited_save(
        settings,
        actor=user,
        category=AuditEvent.Category.SETTINGS,
        name="grading_settings",
        school=settings.school_id,
        fields=_SETTINGS_FIELDS,
    )


@transaction.atomic
def category_save(*, category: GradeCategory, user: User) -> GradeCategory:
    """Create or change a grade category (its default weight feeds averages)."""
    validate(category, error=GradebookError, code="invalid_category")
    return audited_save(
        category,
        actor=user,
        category=AuditEvent.Category.SETTINGS,
        name="grade_category",
        school=category.school_id,
        fields=_CATEGORY_FIELDS,
    )


@transaction.atomic
def category_delete(*, category: GradeCategory, user: User) -> None:
    """Delete a category no assessment uses."""
    if Assessment.objects.filter(category=category).exists():
        raise GradebookError("category_in_use", _("The category is in use and cannot be deleted."))
    audited_delete(
        category,
        actor=user,
        category=AuditEvent.Category.SETTINGS,
        name="grade_category",
        school=category.school_id,
        fields=_CATEGORY_FIELDS,
    )


# --- Terms ------------------------------------------------------------------------------


@transaction.atomic
def term_set_closed(
    *, term: Term, user: User, closed: bool, accept_gaps: bool = False
) -> TermStatus:
    """Close a term for grading, or reopen it (school admins); each change of
    state goes to the audit trail.

    Closing reads what is still missing (`gradebook.yearend.completeness`): with
    any gap it is refused (code "term_incomplete") unless `accept_gaps`, and the
    audit record of the closing keeps the gaps counted per kind and that they
    were accepted."""
    from .yearend.completeness import term_completeness

    status, _created = TermStatus.objects.select_for_update().get_or_create(term=term)
    was_closed = status.is_closed
    if was_closed == closed:
        return status
    after: dict = {"is_closed": closed}
    if closed:
        gaps = term_completeness(school=term.school_year.school, term=term).gap_counts
        if gaps and not accept_gaps:
            raise GradebookError(
                "term_incomplete",
                _(
                    "The term still has gaps in the register; check them and confirm "
                    "closing despite the gaps."
                ),
            )
        if gaps:
            after.update(gaps=gaps, gaps_accepted=True)
    status.is_closed = closed
    status.changed_by = user
    status.save()
    audit_record(
        actor=user,
        category=AuditEvent.Category.TERM,
        action="term.close" if closed else "term.reopen",
        target=term,
        school=term.school_year.school_id,
        before={"is_closed": was_closed},
        after=after,
        only_changes=False,  # a change of state for sure; keep `before` as it was
    )
    return status


# --- Assessments ------------------------------------------------------------------------


@transaction.atomic
def assessment_save(*, assessment: Assessment, user: User) -> Assessment:
    """Create or change a column of the grade sheet."""
    assignment = assessment.assignment
    if assessment.category_id and assessment.category.school_id != _school_id(assignment):
        raise GradebookError("foreign_category", _("The category belongs to another school."))
    if assessment.term.school_year_id != assignment.school_class.school_year_id:
        raise GradebookError("foreign_term", _("The term belongs to another school year."))
    if assessment.improves_id and assessment.improves.assignment_id != assignment.pk:
        raise GradebookError("foreign_improves", _("An improvement must be in the same subject."))
    if assessment.improves_id and assessment.improves_id == assessment.pk:
        raise GradebookError("foreign_improves", _("An assessment cannot improve itself."))
    if not (assessment.term.start <= assessment.date <= assessment.term.end):
        raise GradebookError("date_outside_term", _("The date must lie within the term."))
    _check_term_open(assessment.term)
    if assessment.pk is None:
        assessment.created_by = user
    validate(assessment, error=GradebookError, code="invalid_assessment")
    return audited_save(
        assessment,
        actor=user,
        category=AuditEvent.Category.GRADEBOOK,
        name="assessment",
        school=_school_id(assignment),
        fields=ASSESSMENT_AUDIT_FIELDS,
    )


def _label(assessment: Assessment) -> str:
    return f"{assessment.assignment.subject.name} – {assessment.name}"[:200]


@transaction.atomic
def assessment_delete(*, assessment: Assessment, user: User) -> None:
    """Delete a column and its grades; the history of each grade stays."""
    _check_term_open(assessment.term)
    grades = list(assessment.grades.all())
    _history_bulk(
        [
            _grade_history(g, assessment, GradeHistory.Action.DELETE, g.symbol, "", user)
            for g in grades
        ]
    )
    Grade.objects.filter(improves__in=grades).update(improves=None)
    Grade.objects.filter(pk__in=[g.pk for g in grades]).delete()
    audited_delete(
        assessment,
        actor=user,
        category=AuditEvent.Category.GRADEBOOK,
        name="assessment",
        school=_school_id(assessment.assignment),
        fields=ASSESSMENT_AUDIT_FIELDS,
    )


# --- History -----------------------------------------------------------------------------


def _history(*, user, school_id, kind, object_id, action, pupil_id, label, old, new, **links):
    """The one way a GradeHistory row is made: the shared audit shape (who, with
    the name kept, when, action) plus the values as the sheet shows them."""
    return history_row(
        GradeHistory,
        actor=user,
        school_id=school_id,
        kind=kind,
        object_id=object_id,
        action=action,
        pupil_id=pupil_id,
        label=label[:200],
        old_value=old,
        new_value=new,
        **links,
    )


def _grade_history(grade: Grade, assessment: Assessment, action, old, new, user):
    return _history(
        user=user,
        school_id=_school_id(assessment.assignment),
        kind=GradeHistory.Kind.GRADE,
        object_id=grade.pk,
        action=action,
        pupil_id=grade.pupil_id,
        label=_label(assessment),
        old=old,
        new=new,
        assignment_id=assessment.assignment_id,
        assessment=assessment,
    )


def _history_bulk(rows: list[GradeHistory]) -> None:
    if rows:
        GradeHistory.objects.bulk_create(rows)


# --- The grade sheet ---------------------------------------------------------------------


@dataclass(frozen=True)
class CellInput:
    """What the sheet posted for one cell: the typed text and the value the
    teacher saw when the sheet was loaded (to detect concurrent edits)."""

    assessment_id: int
    pupil_id: int
    text: str
    original: str


@dataclass
class SheetResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    conflicts: dict = field(default_factory=dict)

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted


@dataclass
class _SheetState:
    """What one save of a sheet reads before it writes: the posted columns and
    pupils, the closed terms, the grades in the changed cells (row-locked) and
    the grades that improvement columns improve."""

    assessments: dict[int, Assessment]
    pupils: dict[int, User]
    closed_terms: set[int]
    existing: dict[tuple[int, int], Grade]
    improved: dict[tuple[int, int], Grade]


@dataclass(frozen=True)
class _CellPlan:
    cell: CellInput
    assessment: Assessment
    current: Grade | None
    symbol: str  # "" deletes the grade


def sheet_save(
    *,
    assignment: TeachingAssignment,
    user: User,
    cells: list[CellInput],
    day: datetime.date,
) -> SheetResult:
    """Save every changed cell of a grade sheet in one transaction.

    A cell counts as changed when its text differs from the value shown when the
    sheet was loaded. Any invalid symbol, closed term or cell changed meanwhile by
    someone else rejects the whole save, with a message per cell; nothing is
    written then. Foreign assessments or pupils raise code "not_found"."""
    if assignment.teacher_id != user.pk:
        raise GradebookError("forbidden", _("Only the teacher of this class enters its grades."))
    ensure_year_open(assignment.school_class.school_year, error=GradebookError)
    changed = [
        c for c in cells if grade_scale.normalize(c.text) != grade_scale.normalize(c.original)
    ]
    result = SheetResult()
    if not changed:
        return result
    scale = grading_settings(_school_id(assignment)).to_scale()
    with transaction.atomic():
        # Serialise saves of one sheet (a row lock on PostgreSQL).
        TeachingAssignment.objects.select_for_update().filter(pk=assignment.pk).first()
        state = _sheet_state(assignment, changed, day)
        plan = _sheet_plan(changed, state, scale, result)
        history = _sheet_delete(plan, user, result)
        history += _sheet_update(plan, state, user, result)
        history += _sheet_create(plan, state, user, result)
        _history_bulk(history)
        # Guardians and pupils are told after commit (one growing item per column).
        announce(
            "grades",
            [h.object_id for h in history if h.action != GradeHistory.Action.DELETE],
        )
    return result


def _sheet_state(assignment, changed: list[CellInput], day) -> _SheetState:
    assessment_ids = {c.assessment_id for c in changed}
    assessments = {
        a.pk: a
        for a in Assessment.objects.filter(
            assignment=assignment, pk__in=assessment_ids
        ).select_related("term", "assignment__subject", "assignment__school_class__school_year")
    }
    pupils = {p.pk: p for p in sheet_pupils(assignment, day)}
    if len(assessments) != len(assessment_ids) or any(c.pupil_id not in pupils for c in changed):
        raise GradebookError("not_found", _("No such assessment or pupil in this sheet."))
    pupil_ids = {c.pupil_id for c in changed}
    existing = {
        (g.assessment_id, g.pupil_id): g
        for g in Grade.objects.select_for_update().filter(
            assessment_id__in=assessment_ids, pupil_id__in=pupil_ids
        )
    }
    improved_columns = {a.improves_id for a in assessments.values() if a.improves_id}
    improved = {}
    if improved_columns:
        improved = {
            (g.assessment_id, g.pupil_id): g
            for g in Grade.objects.filter(
                assessment_id__in=improved_columns, pupil_id__in=pupil_ids
            )
        }
    return _SheetState(
        assessments=assessments,
        pupils=pupils,
        closed_terms={t.pk for t in {a.term for a in assessments.values()} if term_is_closed(t)},
        existing=existing,
        improved=improved,
    )


def _sheet_plan(changed, state: _SheetState, scale, result: SheetResult) -> list[_CellPlan]:
    """What to do with each changed cell, or the error of every refused cell
    (then nothing is written: GradebookError "invalid_cells")."""
    errors: dict = {}
    plan = []
    for cell in changed:
        key = (cell.assessment_id, cell.pupil_id)
        assessment = state.assessments[cell.assessment_id]
        where = {"pupil": state.pupils[cell.pupil_id].sort_name, "column": assessment.name}
        if assessment.term_id in state.closed_terms:
            errors[key] = _("%(pupil)s, %(column)s: the term is closed.") % where
            continue
        current = state.existing.get(key)
        current_symbol = current.symbol if current else ""
        if current_symbol != grade_scale.normalize(cell.original):
            errors[key] = _(
                "%(pupil)s, %(column)s: changed meanwhile by someone else to “%(now)s”; "
                "check and save again."
            ) % {**where, "now": current_symbol or _("empty")}
            result.conflicts[key] = current_symbol
            continue
        text = grade_scale.normalize(cell.text)
        if not text:
            plan.append(_CellPlan(cell, assessment, current, ""))
            continue
        try:
            symbol, _value = scale.parse(text)
        except grade_scale.InvalidSymbol:
            errors[key] = _(
                "%(pupil)s, %(column)s: “%(text)s” is not a grade used in this school."
            ) % {**where, "text": cell.text.strip()}
            continue
        plan.append(_CellPlan(cell, assessment, current, symbol))
    if errors:
        raise GradebookError(
            "invalid_cells", _("Nothing was saved: correct the marked cells."), cell_errors=errors
        )
    return plan


def _improves(state: _SheetState, step: _CellPlan) -> Grade | None:
    if not step.assessment.improves_id:
        return None
    return state.improved.get((step.assessment.improves_id, step.cell.pupil_id))


def _sheet_delete(plan: list[_CellPlan], user, result: SheetResult) -> list[GradeHistory]:
    gone = [step for step in plan if not step.symbol]
    if not gone:
        return []
    ids = [step.current.pk for step in gone]
    Grade.objects.filter(improves_id__in=ids).update(improves=None)
    Grade.objects.filter(pk__in=ids).delete()
    result.deleted = len(gone)
    return [
        _grade_history(
            step.current, step.assessment, GradeHistory.Action.DELETE, step.current.symbol, "", user
        )
        for step in gone
    ]


def _sheet_update(plan, state: _SheetState, user, result: SheetResult) -> list[GradeHistory]:
    changes = [step for step in plan if step.symbol and step.current is not None]
    # One UPDATE per distinct new value: a column usually takes a handful, and
    # PostgreSQL plans bulk_update's 35-branch CASE slowly (~150 ms).
    groups: dict[tuple, list[int]] = defaultdict(list)
    history = []
    for step in changes:
        improves = _improves(state, step)
        groups[(step.symbol, improves.pk if improves else None)].append(step.current.pk)
        history.append(
            _grade_history(
                step.current,
                step.assessment,
                GradeHistory.Action.UPDATE,
                step.current.symbol,
                step.symbol,
                user,
            )
        )
    now = timezone.now()
    for (symbol, improves_id), ids in groups.items():
        Grade.objects.filter(pk__in=ids).update(
            symbol=symbol, improves_id=improves_id, teacher=user, updated_at=now
        )
    result.updated = len(changes)
    return history


def _sheet_create(plan, state: _SheetState, user, result: SheetResult) -> list[GradeHistory]:
    new = [
        Grade(
            assessment=step.assessment,
            pupil_id=step.cell.pupil_id,
            symbol=step.symbol,
            teacher=user,
            improves=_improves(state, step),
        )
        for step in plan
        if step.symbol and step.current is None
    ]
    if not new:
        return []
    created = Grade.objects.bulk_create(new)
    if any(g.pk is None for g in created):  # backends without RETURNING
        keys = {(g.assessment_id, g.pupil_id) for g in created}
        created = [
            g
            for g in Grade.objects.filter(
                assessment_id__in={k[0] for k in keys}, pupil_id__in={k[1] for k in keys}
            )
            if (g.assessment_id, g.pupil_id) in keys
        ]
    result.created = len(created)
    return [
        _grade_history(
            g, state.assessments[g.assessment_id], GradeHistory.Action.CREATE, "", g.symbol, user
        )
        for g in created
    ]


# --- Term grades ------------------------------------------------------------------------


@dataclass(frozen=True)
class TermGradeInput:
    pupil_id: int
    kind: str
    grade: int | None
    description: str = ""


def _term_value(grade: int | None, description: str) -> str:
    parts = []
    if grade:
        parts.append(f"{grade} ({grade_scale.grade_word(grade)})")
    if description:
        parts.append(description[:200])
    return " – ".join(parts)


def _term_pupils(assignment: TeachingAssignment, term: Term) -> dict[int, User]:
    """The pupils who may get a term grade: in the class (or group) at the
    term's end or at its start."""
    pupils = {p.pk: p for p in sheet_pupils(assignment, term.end)}
    pupils.update({p.pk: p for p in sheet_pupils(assignment, term.start)})
    return pupils


def term_grades_save(
    *, assignment: TeachingAssignment, term: Term, user: User, entries: list[TermGradeInput]
) -> list[TermGrade]:
    """Set proposed and final term grades of an assignment's pupils in one go;
    guardians are told about new or changed ones once the transaction commits."""
    if assignment.teacher_id != user.pk:
        raise GradebookError("forbidden", _("Only the teacher of this class enters its grades."))
    if term.school_year_id != assignment.school_class.school_year_id:
        raise GradebookError("not_found", _("No such term."))
    changed: list[TermGrade] = []
    with transaction.atomic():
        _check_term_open(term)
        pupils = _term_pupils(assignment, term)
        existing = {
            (t.pupil_id, t.kind): t
            for t in TermGrade.objects.select_for_update().filter(assignment=assignment, term=term)
        }
        descriptive = assignment.school_class.descriptive_assessment
        history = []
        finals_changed: set[int] = set()
        for entry in entries:
            if entry.pupil_id not in pupils or entry.kind not in TermGrade.Kind.values:
                raise GradebookError("not_found", _("No such pupil in this class."))
            if entry.grade is not None and not 1 <= entry.grade <= 6:
                raise GradebookError("invalid_grade", _("A term grade is from 1 to 6."))
            description = entry.description.strip() if descriptive else ""
            current = existing.get((entry.pupil_id, entry.kind))
            new_value = _term_value(entry.grade, description)
            old_value = _term_value(current.grade, current.description) if current else ""
            if new_value == old_value:
                continue
            label = f"{assignment.subject.name} – {TermGrade.Kind(entry.kind).label} ({term})"
            if entry.kind == TermGrade.Kind.FINAL:
                finals_changed.add(entry.pupil_id)
            if not new_value:
                history.append(
                    _term_history(current, assignment, label, old_value, "", user, "delete")
                )
                current.delete()
                continue
            if current is None:
                current = TermGrade(
                    pupil_id=entry.pupil_id, assignment=assignment, term=term, kind=entry.kind
                )
            current.grade, current.description, current.teacher = entry.grade, description, user
            action = "update" if current.pk else "create"
            current.save()
            history.append(
                _term_history(current, assignment, label, old_value, new_value, user, action)
            )
            changed.append(current)
        _history_bulk(history)
        _year_end_grades_changed(
            school_class=assignment.school_class, term=term, pupil_ids=finals_changed, user=user
        )
        announce("term_grades", [t.pk for t in changed])
    return changed


def _year_end_grades_changed(*, school_class, term, pupil_ids, user) -> None:
    """A final term grade or behaviour grade changed: the pupils' year-end
    promotion decisions lose their confirmations (when it is the year's last
    term), so the homeroom teacher and the school confirm them again."""
    if pupil_ids:
        from .yearend.promotion import decisions_reopen

        decisions_reopen(school_class=school_class, term=term, pupil_ids=pupil_ids, user=user)


def term_grade_retake_save(*, term_grade: TermGrade, grade: int, user: User, reason: str):
    """The one write into a closed term: the annual grade after an exam retake
    (egzamin poprawkowy). Only `gradebook.yearend.promotion.retake_record`
    calls it, having checked who may; here it is only a failing (1) final grade
    of the school year's last term that may change. The change gets its
    GradeHistory row (with `reason`) and an audit event, closed term or not."""
    if not 1 <= grade <= 6:
        raise GradebookError("invalid_grade", _("A term grade is from 1 to 6."))
    with transaction.atomic():
        tg = (
            TermGrade.objects.select_for_update()
            .select_related("assignment__subject", "assignment__school_class__school_year", "term")
            .get(pk=term_grade.pk)
        )
        term = tg.term
        later_terms = Term.objects.filter(
            school_year_id=term.school_year_id, number__gt=term.number
        )
        if tg.kind != TermGrade.Kind.FINAL or tg.grade != 1 or later_terms.exists():
            raise GradebookError(
                "not_failing", _("Only a failing annual grade can be changed by a retake exam.")
            )
        assignment = tg.assignment
        old_value = _term_value(tg.grade, tg.description)
        tg.grade, tg.teacher = grade, user
        tg.save()
        label = f"{assignment.subject.name} – {TermGrade.Kind.FINAL.label} ({term})"
        row = _term_history(
            tg, assignment, label, old_value, _term_value(tg.grade, tg.description), user, "update"
        )
        row.reason = reason[:500]
        row.save()
        audit_record(
            actor=user,
            category=AuditEvent.Category.YEAR_END,
            action="term_grade.retake",
            target=tg,
            school=_school_id(assignment),
            person=tg.pupil,
            before={"grade": 1},
            after={"grade": grade},
            reason=reason,
        )
        announce("term_grades", [tg.pk])
    return tg


@dataclass(frozen=True)
class CopyResult:
    """What "final = proposed" did: finals written, proposed grades not copied
    (a final grade was there and kept, or already the same), pupils with no
    proposed grade to copy."""

    copied: int
    skipped: int
    without_proposed: int


def term_grades_copy_proposed(
    *, assignment: TeachingAssignment, term: Term, user: User, overwrite: bool = False
) -> CopyResult:
    """Copy each pupil's proposed grade (with its descriptive text in classes
    1–3) into the final grade where the final is missing; with `overwrite` also
    over finals already entered. Written through `term_grades_save`, so the
    same rules apply (the assignment's teacher only, an open term) and every
    change gets its GradeHistory row and its notification."""
    with transaction.atomic():
        if assignment.teacher_id != user.pk:
            raise GradebookError(
                "forbidden", _("Only the teacher of this class enters its grades.")
            )
        if term.school_year_id != assignment.school_class.school_year_id:
            raise GradebookError("not_found", _("No such term."))
        _check_term_open(term)
        pupils = _term_pupils(assignment, term)
        grades: dict[int, dict[str, TermGrade]] = defaultdict(dict)
        for tg in TermGrade.objects.select_for_update().filter(
            assignment=assignment, term=term, pupil_id__in=pupils
        ):
            grades[tg.pupil_id][tg.kind] = tg
        entries, kept = [], 0
        for pupil_id in pupils:
            proposed = grades[pupil_id].get(TermGrade.Kind.PROPOSED)
            if proposed is None:
                continue
            if TermGrade.Kind.FINAL in grades[pupil_id] and not overwrite:
                kept += 1
                continue
            entries.append(
                TermGradeInput(
                    pupil_id=pupil_id,
                    kind=TermGrade.Kind.FINAL,
                    grade=proposed.grade,
                    description=proposed.description,
                )
            )
        changed = term_grades_save(assignment=assignment, term=term, user=user, entries=entries)
    with_proposed = sum(1 for p in pupils if TermGrade.Kind.PROPOSED in grades[p])
    return CopyResult(
        copied=len(changed),
        skipped=kept + len(entries) - len(changed),
        without_proposed=len(pupils) - with_proposed,
    )


def _term_history(tg, assignment, label, old, new, user, action):
    return _history(
        user=user,
        school_id=_school_id(assignment),
        kind=GradeHistory.Kind.TERM,
        object_id=tg.pk,
        action=action,
        pupil_id=tg.pupil_id,
        label=label,
        old=old,
        new=new,
        assignment=assignment,
    )


# --- Behaviour ----------------------------------------------------------------------------


def _behaviour_word(value: str) -> str:
    """History keeps the official Polish word, whatever the reader's language."""
    return value.replace("_", " ")


@transaction.atomic
def behaviour_grades_save(
    *, school_class: SchoolClass, term: Term, user: User, entries: list[tuple[int, str, str]]
) -> int:
    """Set behaviour grades (pupil_id, kind, value or "" to clear) of a class;
    only its homeroom teacher may."""
    if school_class.homeroom_teacher_id != user.pk:
        raise GradebookError("forbidden", _("Behaviour grades are set by the homeroom teacher."))
    if term.school_year_id != school_class.school_year_id:
        raise GradebookError("not_found", _("No such term."))
    _check_term_open(term)
    pupils = set(
        school_class.pupils_on(min(max(term.start, term.end), term.end)).values_list(
            "pk", flat=True
        )
    )
    pupils |= set(school_class.pupils_on(term.start).values_list("pk", flat=True))
    existing = {
        (b.pupil_id, b.kind): b
        for b in BehaviourGrade.objects.select_for_update().filter(
            school_class=school_class, term=term
        )
    }
    history = []
    count = 0
    finals_changed: set[int] = set()
    for pupil_id, kind, value in entries:
        if pupil_id not in pupils or kind not in BehaviourGrade.Kind.values:
            raise GradebookError("not_found", _("No such pupil in this class."))
        if value and value not in BehaviourGrade.Value.values:
            raise GradebookError("invalid_grade", _("Unknown behaviour grade."))
        current = existing.get((pupil_id, kind))
        old = _behaviour_word(current.value) if current else ""
        label = f"{_('behaviour')} – {BehaviourGrade.Kind(kind).label} ({term})"
        row = {
            "user": user,
            "school_id": school_class.school_year.school_id,
            "kind": GradeHistory.Kind.BEHAVIOUR,
            "pupil_id": pupil_id,
            "label": label,
        }
        if not value:
            if current:
                history.append(
                    _history(**row, object_id=current.pk, action="delete", old=old, new="")
                )
                current.delete()
                count += 1
                if kind == BehaviourGrade.Kind.FINAL:
                    finals_changed.add(pupil_id)
            continue
        if current and current.value == value:
            continue
        if kind == BehaviourGrade.Kind.FINAL:
            finals_changed.add(pupil_id)
        if current is None:
            current = BehaviourGrade(
                pupil_id=pupil_id, school_class=school_class, term=term, kind=kind
            )
        current.value, current.teacher = value, user
        action = "update" if current.pk else "create"
        current.save()
        history.append(
            _history(
                **row,
                object_id=current.pk,
                action=action,
                old=old,
                new=_behaviour_word(current.value),
            )
        )
        count += 1
    _history_bulk(history)
    _year_end_grades_changed(
        school_class=school_class, term=term, pupil_ids=finals_changed, user=user
    )
    return count
