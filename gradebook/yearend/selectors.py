"""The classification summary for the teachers' council (zestawienie wyników
klasyfikacji): per pupil, per subject and per class of one term, and per class of
a school.

Both summaries are built by `_classify`, which reads every class asked for in a
fixed number of queries (enrolments, groups, assignments, term grades, behaviour
grades, attendance, the register settings, the year's terms), so the count does
not grow with pupils, subjects or classes. The rules themselves are in
`rules.py`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from gradebook.models import BehaviourGrade, TermGrade
from gradebook.register.models import Attendance, RegisterSettings
from gradebook.register.selectors import _counts_by, attendance_percent
from gradebook.selectors import sheet_day, term_is_closed
from portal.models import (
    Enrolment,
    School,
    SchoolClass,
    Subject,
    TeachingAssignment,
    TeachingGroup,
    Term,
    User,
)

from . import rules
from .models import PromotionOutcome

GRADES = (1, 2, 3, 4, 5, 6)
ABSENT = (Attendance.Status.EXCUSED, Attendance.Status.UNEXCUSED)


@dataclass
class Cell:
    """One pupil's final grade in one subject, with what the rules read of it."""

    grade: int | None = None
    description: str = ""
    proposed: int | None = None
    proposed_description: str = ""
    absences: int = 0
    lessons: int = 0

    @property
    def unclassified(self) -> bool:
        return rules.is_unclassified(grade=self.grade, description=self.description)

    @property
    def absence_flag(self) -> bool:
        return rules.may_be_unclassified(absences=self.absences, lessons=self.lessons)

    @property
    def effective_grade(self) -> int | None:
        """The final grade, or the proposed one while the final is not given."""
        return self.grade if not self.unclassified else self.proposed

    @property
    def without_any_grade(self) -> bool:
        return self.unclassified and rules.is_unclassified(
            grade=self.proposed, description=self.proposed_description
        )

    @property
    def is_descriptive(self) -> bool:
        return self.grade is None and bool(self.description.strip())


@dataclass
class PupilRow:
    pupil: User
    number: int | None
    cells: list  # [Cell | None] aligned with the subjects; None: not taken
    subjects: list
    descriptive: bool
    behaviour: str | None = None
    attendance: float | None = None
    outcome: PromotionOutcome | None = None
    # Filled by `_finish` from the cells:
    grades: list = field(default_factory=list)
    average: Decimal | None = None
    unclassified: list = field(default_factory=list)  # [Subject]
    absence_flags: list = field(default_factory=list)  # [Subject]
    failing: int = 0
    honours: bool = False
    at_risk: bool = False
    retake: bool = False

    @property
    def behaviour_label(self) -> str:
        return BehaviourGrade.Value(self.behaviour).label if self.behaviour else ""

    @property
    def outcome_label(self) -> str:
        return PromotionOutcome(self.outcome).label if self.outcome else ""

    @property
    def risk_reasons(self) -> list[str]:
        """Why the pupil is at risk, in words for the lists and the printout."""
        reasons = []
        failing = [
            s.name
            for s, c in zip(self.subjects, self.cells, strict=True)
            if c is not None and c.effective_grade == rules.FAILING
        ]
        if failing:
            reasons.append(_("failing: %s") % ", ".join(failing))
        missing = [
            s.name
            for s, c in zip(self.subjects, self.cells, strict=True)
            if c is not None and c.without_any_grade
        ]
        if missing:
            reasons.append(_("no grade: %s") % ", ".join(missing))
        if self.absence_flags:
            names = ", ".join(s.name for s in self.absence_flags)
            reasons.append(_("absent from over half of the lessons: %s") % names)
        return reasons


@dataclass
class SubjectStats:
    subject: Subject
    classified: int = 0
    unclassified: int = 0
    distribution: dict = field(default_factory=lambda: dict.fromkeys(GRADES, 0))
    average: Decimal | None = None
    failing: int = 0

    @property
    def distribution_list(self) -> list[tuple[int, int]]:
        return list(self.distribution.items())


@dataclass
class Totals:
    """Counts and averages of one class, or of a school's classes together."""

    pupils: int = 0
    classified: int = 0  # pupils classified in every subject
    unclassified: int = 0  # pupils unclassified in at least one subject
    honours: int = 0
    at_risk: int = 0
    failing: int = 0  # pupils with at least one failing final grade
    average: Decimal | None = None
    attendance: float | None = None
    outcomes: dict = field(default_factory=dict)  # PromotionOutcome -> count
    distribution: dict = field(default_factory=lambda: dict.fromkeys(GRADES, 0))

    @property
    def outcome_list(self) -> list[tuple[str, int]]:
        return [(PromotionOutcome(k).label, n) for k, n in self.outcomes.items() if n]


@dataclass
class ClassClassification:
    school_class: SchoolClass
    term: Term
    is_last_term: bool
    descriptive: bool
    subjects: list  # [Subject]
    rows: list  # [PupilRow]
    stats: list  # [SubjectStats]
    totals: Totals
    # What the school's summary adds up: attendance counts by status, and the rule.
    attendance_counts: dict = field(default_factory=dict)
    late_counts_as_present: bool = True
    # The term is not closed yet: a missing final grade means "not entered yet",
    # not "unclassified" (nieklasyfikowany is decided when the term is closed).
    in_progress: bool = False

    @property
    def honours_rows(self) -> list[PupilRow]:
        return [r for r in self.rows if r.honours]

    @property
    def at_risk_rows(self) -> list[PupilRow]:
        return [r for r in self.rows if r.at_risk]


@dataclass
class SchoolClassification:
    school: School
    term: Term
    is_last_term: bool
    classes: list  # [ClassClassification]
    totals: Totals
    in_progress: bool = False


def class_classification(*, school_class: SchoolClass, term: Term) -> ClassClassification:
    """The classification of one class in one term: per pupil their final grades
    (or the descriptive marker in classes 1–3), average, behaviour, attendance,
    unclassified subjects, failing grades, honours, the "at risk" flag and, in the
    year's last term, the outcome the rules propose; per subject the counts, the
    distribution of grades 1–6 and the average; and the class's totals."""
    return _classify([school_class], term)[0]


def school_classification(*, school: School, term: Term) -> SchoolClassification:
    """Every class of the term's school year, each as `class_classification`
    sees it, and the school's totals."""
    classes = list(
        SchoolClass.objects.filter(school_year=term.school_year, school_year__school=school)
        .select_related("school_year__school", "homeroom_teacher")
        .order_by("level", "name")
    )
    results = _classify(classes, term) if classes else []
    totals = _sum_totals([c.totals for c in results])
    numeric = [g for c in results for r in c.rows for g in r.grades]
    totals.average = rules.grades_average(numeric)
    counts: dict[str, int] = defaultdict(int)
    for c in results:
        for code, n in c.attendance_counts.items():
            counts[code] += n
    totals.attendance = attendance_percent(counts, late_counts_as_present=_late(results))
    is_last = results[0].is_last_term if results else _is_last_term(term)
    in_progress = results[0].in_progress if results else not term_is_closed(term)
    return SchoolClassification(school, term, is_last, results, totals, in_progress)


def terms_of_school(school: School):
    """The terms a summary may be asked for: the school's, newest year first."""
    return (
        Term.objects.filter(school_year__school=school)
        .select_related("school_year")
        .order_by("-school_year__start", "number")
    )


# --- The one reading of many classes ------------------------------------------------------


def _is_last_term(term: Term) -> bool:
    last = Term.objects.filter(school_year_id=term.school_year_id).aggregate(n=Max("number"))["n"]
    return term.number == last


def _late(results) -> bool:
    return results[0].late_counts_as_present if results else True


def _classify(classes: list[SchoolClass], term: Term) -> list[ClassClassification]:
    day = sheet_day(term)
    class_ids = [c.pk for c in classes]
    is_last = _is_last_term(term)
    school_id = term.school_year.school_id
    settings = RegisterSettings.for_school(school_id)
    late = settings.late_counts_as_present

    enrolments = (
        Enrolment.objects.active_on(day)
        .filter(school_class_id__in=class_ids)
        .select_related("pupil")
        .order_by("register_number", "pupil__last_name", "pupil__first_name")
    )
    pupils_by_class: dict[int, list[tuple[User, int | None]]] = defaultdict(list)
    for e in enrolments:
        pupils_by_class[e.school_class_id].append((e.pupil, e.register_number))

    members = set(
        TeachingGroup.pupils.through.objects.filter(
            teachinggroup__school_class_id__in=class_ids
        ).values_list("teachinggroup_id", "user_id")
    )
    assignments = list(
        TeachingAssignment.objects.filter(school_class_id__in=class_ids)
        .select_related("subject")
        .order_by("subject__name", "pk")
    )
    assignments_by_class: dict[int, list[TeachingAssignment]] = defaultdict(list)
    for a in assignments:
        assignments_by_class[a.school_class_id].append(a)

    term_grades: dict[tuple[int, int], dict[str, tuple]] = defaultdict(dict)
    for pupil_id, assignment_id, kind, grade, description in TermGrade.objects.filter(
        assignment__in=assignments, term=term
    ).values_list("pupil_id", "assignment_id", "kind", "grade", "description"):
        term_grades[(pupil_id, assignment_id)][kind] = (grade, description)

    behaviour = {
        (class_id, pupil_id): value
        for class_id, pupil_id, value in BehaviourGrade.objects.filter(
            school_class_id__in=class_ids, term=term, kind=BehaviourGrade.Kind.FINAL
        ).values_list("school_class_id", "pupil_id", "value")
    }

    attendance = _counts_by(
        Attendance.objects.filter(
            lesson__assignment__school_class_id__in=class_ids,
            lesson__date__range=(term.start, term.end),
        ),
        "lesson__assignment__school_class_id",
        "pupil_id",
        "lesson__assignment__subject_id",
    )

    results = []
    for school_class in classes:
        results.append(
            _one_class(
                school_class,
                term,
                is_last,
                pupils_by_class.get(school_class.pk, []),
                assignments_by_class.get(school_class.pk, []),
                members,
                term_grades,
                behaviour,
                attendance,
                late,
            )
        )
    in_progress = not term_is_closed(term)
    for result in results:
        result.in_progress = in_progress
    return results


def _one_class(
    school_class,
    term,
    is_last,
    pupils,
    assignments,
    members,
    term_grades,
    behaviour,
    attendance,
    late,
) -> ClassClassification:
    descriptive = school_class.descriptive_assessment
    subjects: list[Subject] = []
    by_subject: dict[int, list[TeachingAssignment]] = defaultdict(list)
    for a in assignments:
        if a.subject_id not in by_subject:
            subjects.append(a.subject)
        by_subject[a.subject_id].append(a)
    subjects.sort(key=lambda s: s.name)
    last_level = school_class.school.max_level

    class_counts: dict[str, int] = defaultdict(int)
    rows = []
    for pupil, number in pupils:
        pupil_counts: dict[str, int] = defaultdict(int)
        cells = []
        for subject in subjects:
            taken = [
                a
                for a in by_subject[subject.pk]
                if a.group_id is None or (a.group_id, pupil.pk) in members
            ]
            if not taken:
                cells.append(None)
                continue
            cell = Cell()
            for a in taken:
                given = term_grades.get((pupil.pk, a.pk), {})
                final = given.get(TermGrade.Kind.FINAL)
                proposed = given.get(TermGrade.Kind.PROPOSED)
                if final and cell.unclassified:
                    cell.grade, cell.description = final[0], final[1] or ""
                if proposed and cell.proposed is None and not cell.proposed_description:
                    cell.proposed, cell.proposed_description = proposed[0], proposed[1] or ""
            counts = attendance.get((school_class.pk, pupil.pk, subject.pk), {})
            cell.absences = sum(counts.get(code, 0) for code in ABSENT)
            cell.lessons = sum(counts.values())
            for code, n in counts.items():
                pupil_counts[code] += n
                class_counts[code] += n
            cells.append(cell)
        row = PupilRow(
            pupil=pupil,
            number=number,
            cells=cells,
            subjects=subjects,
            descriptive=descriptive,
            behaviour=behaviour.get((school_class.pk, pupil.pk)),
            attendance=attendance_percent(pupil_counts, late_counts_as_present=late),
        )
        _finish(row, school_class, last_level, is_last)
        rows.append(row)

    stats = []
    for i, subject in enumerate(subjects):
        s = SubjectStats(subject)
        grades = []
        for row in rows:
            cell = row.cells[i]
            if cell is None:
                continue
            if cell.unclassified:
                s.unclassified += 1
                continue
            s.classified += 1
            if cell.grade is not None:
                s.distribution[cell.grade] += 1
                grades.append(cell.grade)
        s.average = rules.grades_average(grades)
        s.failing = rules.failing_count(grades)
        stats.append(s)

    totals = _row_totals(rows, is_last)
    totals.average = rules.grades_average(g for r in rows for g in r.grades)
    totals.attendance = attendance_percent(class_counts, late_counts_as_present=late)
    for s in stats:
        for grade, n in s.distribution.items():
            totals.distribution[grade] += n
    return ClassClassification(
        school_class=school_class,
        term=term,
        is_last_term=is_last,
        descriptive=descriptive,
        subjects=subjects,
        rows=rows,
        stats=stats,
        totals=totals,
        attendance_counts=dict(class_counts),
        late_counts_as_present=late,
    )


def _finish(row: PupilRow, school_class, last_level: int, is_last: bool) -> None:
    """The rules applied to one pupil's cells."""
    taken = [(s, c) for s, c in zip(row.subjects, row.cells, strict=True) if c is not None]
    row.grades = [c.grade for _s, c in taken if c.grade is not None]
    row.unclassified = [s for s, c in taken if c.unclassified]
    row.absence_flags = [s for s, c in taken if c.absence_flag]
    row.failing = rules.failing_count(row.grades)
    if not row.descriptive:
        row.average = rules.grades_average(row.grades)
    row.honours = not row.unclassified and rules.has_honours(
        descriptive=row.descriptive, grades=row.grades, behaviour=row.behaviour
    )
    row.at_risk = rules.is_at_risk(
        failing=rules.failing_count(c.effective_grade for _s, c in taken),
        unclassified=sum(1 for _s, c in taken if c.without_any_grade),
        absence_flags=len(row.absence_flags),
    )
    row.retake = is_last and not row.descriptive and rules.retake_exam_eligible(failing=row.failing)
    if is_last:
        row.outcome = rules.proposed_outcome(
            level=school_class.level,
            last_level=last_level,
            descriptive=row.descriptive,
            grades=row.grades,
            unclassified=len(row.unclassified),
            behaviour=row.behaviour,
        )


def _row_totals(rows: list[PupilRow], is_last: bool) -> Totals:
    totals = Totals(pupils=len(rows))
    for row in rows:
        totals.classified += not row.unclassified
        totals.unclassified += bool(row.unclassified)
        totals.honours += row.honours
        totals.at_risk += row.at_risk
        totals.failing += row.failing > 0
        if is_last and row.outcome:
            totals.outcomes[row.outcome] = totals.outcomes.get(row.outcome, 0) + 1
    return totals


def _sum_totals(parts: list[Totals]) -> Totals:
    totals = Totals()
    for part in parts:
        for name in ("pupils", "classified", "unclassified", "honours", "at_risk", "failing"):
            setattr(totals, name, getattr(totals, name) + getattr(part, name))
        for outcome, n in part.outcomes.items():
            totals.outcomes[outcome] = totals.outcomes.get(outcome, 0) + n
        for grade, n in part.distribution.items():
            totals.distribution[grade] += n
    return totals
