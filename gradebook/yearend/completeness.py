"""Before a term is closed: what is still missing in the register.

`term_completeness` lists, per class and per subject (teaching assignment), the
pupils without a proposed or final term grade, without a behaviour grade, in
classes 1–3 without a descriptive assessment, and the term's lessons so far with
no topic or no attendance. It reads in a fixed number of queries, whatever the
number of classes, pupils or lessons."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gradebook.models import BehaviourGrade, TermGrade
from gradebook.register.selectors import Slot, school_year_missing_entries
from gradebook.selectors import sheet_day
from portal.models import Enrolment, School, SchoolClass, TeachingAssignment, TeachingGroup, Term

# The kinds of gap, in the order the report and the audit record name them.
GAP_KINDS = {
    "proposed": _("no proposed grade"),
    "final": _("no final grade"),
    "descriptive": _("no descriptive assessment"),
    "behaviour_proposed": _("no proposed behaviour grade"),
    "behaviour_final": _("no final behaviour grade"),
    "lesson_topic": _("lessons without a topic"),
    "lesson_attendance": _("lessons without attendance"),
}


@dataclass
class SubjectGaps:
    """One teaching assignment's gaps: pupils (User) by kind, unfilled lessons."""

    assignment: TeachingAssignment
    pupil_count: int = 0
    proposed: list = field(default_factory=list)
    final: list = field(default_factory=list)
    descriptive: list = field(default_factory=list)
    lessons: list[Slot] = field(default_factory=list)

    @property
    def lessons_without_topic(self) -> list[Slot]:
        return [s for s in self.lessons if not s.topic]

    @property
    def lessons_without_attendance(self) -> list[Slot]:
        return [s for s in self.lessons if not (s.lesson and s.lesson.attendance_taken)]

    def counts(self) -> dict[str, int]:
        return {
            "proposed": len(self.proposed),
            "final": len(self.final),
            "descriptive": len(self.descriptive),
            "lesson_topic": len(self.lessons_without_topic),
            "lesson_attendance": len(self.lessons_without_attendance),
        }

    @property
    def has_gaps(self) -> bool:
        return any(self.counts().values())


@dataclass
class ClassGaps:
    school_class: SchoolClass
    pupil_count: int
    descriptive: bool  # classes 1–3 of a primary school
    behaviour_proposed: list = field(default_factory=list)
    behaviour_final: list = field(default_factory=list)
    subjects: list[SubjectGaps] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        totals = dict.fromkeys(GAP_KINDS, 0)
        totals["behaviour_proposed"] = len(self.behaviour_proposed)
        totals["behaviour_final"] = len(self.behaviour_final)
        for subject in self.subjects:
            for kind, n in subject.counts().items():
                totals[kind] += n
        return totals

    @property
    def has_gaps(self) -> bool:
        return any(self.counts().values())

    @property
    def total(self) -> int:
        return sum(self.counts().values())

    @property
    def count_list(self) -> list[int]:
        """The counts in the order of `GAP_KINDS` (the overview table's columns)."""
        counts = self.counts()
        return [counts[kind] for kind in GAP_KINDS]

    @property
    def subjects_with_gaps(self) -> list[SubjectGaps]:
        return [s for s in self.subjects if s.has_gaps]


@dataclass
class TermCompleteness:
    school: School
    term: Term
    day: datetime.date  # whose class lists were read
    lessons_until: datetime.date | None  # lessons counted up to this day (None: none yet)
    classes: list[ClassGaps]

    @property
    def totals(self) -> dict[str, int]:
        totals = dict.fromkeys(GAP_KINDS, 0)
        for school_class in self.classes:
            for kind, n in school_class.counts().items():
                totals[kind] += n
        return totals

    @property
    def total(self) -> int:
        return sum(self.totals.values())

    @property
    def has_gaps(self) -> bool:
        return self.total > 0

    @property
    def gap_counts(self) -> dict[str, int]:
        """The kinds with a gap and their counts (what the audit record keeps)."""
        return {kind: n for kind, n in self.totals.items() if n}

    @property
    def total_rows(self) -> list[tuple[str, str, int]]:
        return [(kind, GAP_KINDS[kind], n) for kind, n in self.totals.items()]

    @property
    def complete_count(self) -> int:
        return sum(1 for c in self.classes if not c.has_gaps)

    @property
    def kind_labels(self) -> list[str]:
        return list(GAP_KINDS.values())

    @property
    def classes_with_gaps(self) -> list[ClassGaps]:
        return [c for c in self.classes if c.has_gaps]


def _pupils_by_class(class_ids, day) -> dict[int, list]:
    pupils: dict[int, list] = defaultdict(list)
    enrolments = (
        Enrolment.objects.active_on(day)
        .filter(school_class_id__in=class_ids)
        .select_related("pupil")
        .order_by("pupil__last_name", "pupil__first_name", "pupil_id")
    )
    for enrolment in enrolments:
        pupils[enrolment.school_class_id].append(enrolment.pupil)
    return pupils


def _group_members(assignments) -> dict[int, set[int]]:
    group_ids = {a.group_id for a in assignments if a.group_id}
    members: dict[int, set[int]] = defaultdict(set)
    if group_ids:
        through = TeachingGroup.pupils.through.objects.filter(teachinggroup_id__in=group_ids)
        for group_id, user_id in through.values_list("teachinggroup_id", "user_id"):
            members[group_id].add(user_id)
    return members


def term_completeness(
    *, school: School, term: Term, today: datetime.date | None = None
) -> TermCompleteness:
    """What is missing in one term of a school, per class and subject.

    Pupils are those of each class on the day the term's sheets show (today, kept
    within the term); lessons are counted from the term's start to today (or the
    term's end), as the teachers' "missing entries" list finds them. Seven
    queries whatever the size of the school."""
    if term.school_year.school_id != school.pk:
        raise ValueError("The term belongs to another school.")
    today = today or timezone.localdate()
    day = sheet_day(term, today)
    year = term.school_year
    classes = list(
        SchoolClass.objects.filter(school_year=year)
        .select_related("school_year__school")
        .order_by("level", "name")
    )
    pupils = _pupils_by_class([c.pk for c in classes], day)
    assignments = list(
        TeachingAssignment.objects.filter(school_class__school_year=year)
        .select_related("subject", "teacher", "group", "school_class__school_year__school")
        .order_by("subject__name", "group__name", "pk")
    )
    members = _group_members(assignments)
    term_grades: dict[tuple[int, int], dict[str, tuple]] = defaultdict(dict)
    for assignment_id, pupil_id, kind, grade, description in TermGrade.objects.filter(
        term=term, assignment__school_class__school_year=year
    ).values_list("assignment_id", "pupil_id", "kind", "grade", "description"):
        term_grades[(assignment_id, pupil_id)][kind] = (grade, description)
    behaviour = set(
        BehaviourGrade.objects.filter(term=term, school_class__school_year=year).values_list(
            "school_class_id", "pupil_id", "kind"
        )
    )
    lessons_until = min(today, term.end) if today >= term.start else None
    unfilled: dict[int, list[Slot]] = defaultdict(list)
    if lessons_until is not None:
        for slot in school_year_missing_entries(year, term.start, lessons_until):
            unfilled[slot.assignment.pk].append(slot)

    by_class: dict[int, list[TeachingAssignment]] = defaultdict(list)
    for assignment in assignments:
        by_class[assignment.school_class_id].append(assignment)
    result = []
    for school_class in classes:
        class_pupils = pupils.get(school_class.pk, [])
        descriptive = school_class.descriptive_assessment
        gaps = ClassGaps(school_class, len(class_pupils), descriptive)
        for kind, missing in (
            (TermGrade.Kind.PROPOSED, gaps.behaviour_proposed),
            (TermGrade.Kind.FINAL, gaps.behaviour_final),
        ):
            missing.extend(
                p for p in class_pupils if (school_class.pk, p.pk, kind.value) not in behaviour
            )
        for assignment in by_class.get(school_class.pk, []):
            taught = class_pupils
            if assignment.group_id:
                taught = [p for p in class_pupils if p.pk in members.get(assignment.group_id, ())]
            subject = SubjectGaps(assignment, len(taught), lessons=unfilled.get(assignment.pk, []))
            for pupil in taught:
                grades = term_grades.get((assignment.pk, pupil.pk), {})
                if TermGrade.Kind.PROPOSED not in grades:
                    subject.proposed.append(pupil)
                final = grades.get(TermGrade.Kind.FINAL)
                if final is None:
                    subject.final.append(pupil)
                if descriptive and not (final and final[1].strip()):
                    subject.descriptive.append(pupil)
            gaps.subjects.append(subject)
        result.append(gaps)
    return TermCompleteness(school, term, day, lessons_until, result)
