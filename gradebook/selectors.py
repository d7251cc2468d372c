"""Read-side queries of the grades part of the e-register. Each hot page reads
in a fixed number of queries, whatever the number of pupils or grades."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Q
from django.utils import timezone

from portal.models import Enrolment, SchoolClass, TeachingAssignment, Term, User
from portal.statements import Statement

from . import scale as grade_scale
from .models import (
    Assessment,
    BehaviourGrade,
    Grade,
    GradeCategory,
    GradeHistory,
    GradingSettings,
    RegisterVisit,
    TermGrade,
    TermStatus,
)

DEFAULT_CATEGORIES = [
    # (name, weight, colour)
    ("sprawdzian", 3, "#b42318"),
    ("kartkówka", 2, "#b54708"),
    ("odpowiedź", 1, "#1f6feb"),
    ("praca domowa", 1, "#027a48"),
    ("aktywność", 1, "#6941c6"),
    ("poprawa", 3, "#344054"),
]


def grading_settings(school) -> GradingSettings:
    """The school's settings, created with the defaults on first use."""
    school_id = school if isinstance(school, int) else school.pk
    settings, _created = GradingSettings.objects.get_or_create(school_id=school_id)
    return settings


def categories_of(school):
    """The school's categories; the defaults are created on first use."""
    qs = GradeCategory.objects.filter(school=school)
    if not qs.exists():
        GradeCategory.objects.bulk_create(
            [
                GradeCategory(school=school, name=n, weight=w, colour=c, order=i)
                for i, (n, w, c) in enumerate(DEFAULT_CATEGORIES)
            ],
            ignore_conflicts=True,
        )
    return qs


def closed_term_ids(terms) -> set[int]:
    return set(
        TermStatus.objects.filter(term__in=terms, is_closed=True).values_list("term_id", flat=True)
    )


def term_is_closed(term: Term) -> bool:
    return TermStatus.objects.filter(term=term, is_closed=True).exists()


def term_of_day(terms: list[Term], day: datetime.date) -> Term | None:
    for term in terms:
        if term.start <= day <= term.end:
            return term
    return None


def sheet_day(term: Term, today: datetime.date | None = None) -> datetime.date:
    """The day whose class list the sheet shows: today, kept within the term."""
    today = today or timezone.localdate()
    return min(max(today, term.start), term.end)


def sheet_pupils(assignment: TeachingAssignment, day: datetime.date) -> list[User]:
    return list(assignment.pupils_on(day))


class SheetGrade(NamedTuple):
    """A grade as the sheet needs it."""

    pk: int
    symbol: str
    assessment: Assessment
    improves_id: int | None


@dataclass
class PupilRow:
    pupil: User
    cells: list  # [(assessment, Grade | None)]
    average: Decimal | None = None
    suggested: int | None = None
    term_grades: dict = field(default_factory=dict)  # kind -> TermGrade


def pupil_average(grades: list[Grade], scale: grade_scale.Scale) -> Decimal | None:
    return grade_scale.marks_average(
        (
            grade_scale.Mark(
                key=g.pk,
                # From the symbol under today's rules, so a changed setting
                # recomputes every average at once.
                value=scale.value_of(g.symbol),
                weight=g.assessment.weight,
                counts=g.assessment.counts_to_average,
                improves=g.improves_id,
            )
            for g in grades
        ),
        scale,
    )


@dataclass
class Sheet:
    assignment: TeachingAssignment
    term: Term
    terms: list[Term]
    day: datetime.date
    assessments: list[Assessment]
    rows: list[PupilRow]
    scale: grade_scale.Scale
    is_closed: bool


# The sheet's grades, compiled once per connection and shape (portal.statements).
_SHEET_GRADES = Statement(
    Grade,
    lambda assessment_ids, pupil_ids: Grade.objects.filter(
        assessment_id__in=assessment_ids, pupil_id__in=pupil_ids
    ).values_list("id", "assessment_id", "pupil_id", "symbol", "improves_id"),
)


def grade_sheet(assignment: TeachingAssignment, term: Term, day=None) -> Sheet:
    """Pupils × assessments of one assignment and term, with averages: a fixed
    number of queries."""
    school = assignment.school_class.school_year.school
    scale = grading_settings(school).to_scale()
    terms = list(assignment.school_class.school_year.terms.all())
    day = day or sheet_day(term)
    pupils = sheet_pupils(assignment, day)
    assessments = list(
        Assessment.objects.filter(assignment=assignment, term=term)
        .select_related("category")
        .order_by("date", "id")
    )
    by_pupil: dict[int, dict[int, SheetGrade]] = defaultdict(dict)
    assessment_by_id = {a.pk: a for a in assessments}
    # Plain tuples, not model instances: a sheet holds up to a few thousand grades.
    for pk, assessment_id, pupil_id, symbol, improves_id in _SHEET_GRADES.rows(
        list(assessment_by_id), [p.pk for p in pupils]
    ):
        by_pupil[pupil_id][assessment_id] = SheetGrade(
            pk, symbol, assessment_by_id[assessment_id], improves_id
        )
    term_grades: dict[int, dict[str, TermGrade]] = defaultdict(dict)
    for tg in TermGrade.objects.filter(assignment=assignment, term=term, pupil__in=pupils):
        term_grades[tg.pupil_id][tg.kind] = tg
    rows = []
    for pupil in pupils:
        grades = by_pupil.get(pupil.pk, {})
        average = pupil_average(list(grades.values()), scale)
        rows.append(
            PupilRow(
                pupil=pupil,
                cells=[(a, grades.get(a.pk)) for a in assessments],
                average=average,
                suggested=scale.suggested(average),
                term_grades=term_grades.get(pupil.pk, {}),
            )
        )
    return Sheet(
        assignment=assignment,
        term=term,
        terms=terms,
        day=day,
        assessments=assessments,
        rows=rows,
        scale=scale,
        is_closed=term_is_closed(term),
    )


def current_term(school_year) -> Term | None:
    terms = list(school_year.terms.all())
    return term_of_day(terms, timezone.localdate()) or (terms[-1] if terms else None)


def assignment_history(assignment, pupil=None, assessment=None):
    qs = GradeHistory.objects.filter(assignment=assignment).select_related(
        "pupil", "actor", "assessment"
    )
    if pupil is not None:
        qs = qs.filter(pupil=pupil)
    if assessment is not None:
        qs = qs.filter(assessment=assessment)
    return qs


# --- Parent and pupil view ----------------------------------------------------------------


@dataclass
class SubjectRow:
    assignment: TeachingAssignment
    grades_by_term: dict  # term_id -> [Grade]
    averages: dict  # term_id -> Decimal | None
    year_average: Decimal | None
    term_grades: dict  # (term_id, kind) -> TermGrade

    @property
    def terms(self) -> list[dict]:
        """Per term, in order: grades, average, proposed and final grade."""
        return [
            {
                "term": term,
                "grades": self.grades_by_term.get(term.pk, []),
                "average": self.averages.get(term.pk),
                "proposed": self.term_grades.get((term.pk, TermGrade.Kind.PROPOSED)),
                "final": self.term_grades.get((term.pk, TermGrade.Kind.FINAL)),
            }
            for term in self._terms
        ]


@dataclass
class PupilRegister:
    pupil: User
    school_class: SchoolClass | None
    terms: list[Term]
    subjects: list[SubjectRow]
    behaviour: dict  # (term_id, kind) -> BehaviourGrade
    last_visit: datetime.datetime | None
    new_count: int
    descriptive: bool
    scale: grade_scale.Scale | None = None  # the school's rules the averages used

    @property
    def behaviour_rows(self) -> list[dict]:
        return [
            {
                "term": t,
                "proposed": self.behaviour.get((t.pk, TermGrade.Kind.PROPOSED)),
                "final": self.behaviour.get((t.pk, TermGrade.Kind.FINAL)),
            }
            for t in self.terms
        ]


def current_enrolment(pupil, day=None) -> Enrolment | None:
    day = day or timezone.localdate()
    return (
        Enrolment.objects.active_on(day)
        .filter(pupil=pupil, school_class__school_year__is_current=True)
        .select_related("school_class__school_year__school", "school_class__homeroom_teacher")
        .first()
    )


@dataclass(slots=True)
class RegisterAssessment:
    """A column as the pupil's and parents' views show it."""

    pk: int
    assignment_id: int
    term_id: int
    name: str
    weight: int
    date: datetime.date
    description: str
    counts_to_average: bool
    category: GradeCategory

    @property
    def category_id(self) -> int:
        return self.category.pk


@dataclass(slots=True)
class RegisterGrade:
    """A grade as the pupil's and parents' views show it: plain attributes, not a
    model instance. A child has a few hundred grades a year, and building them as
    Grade + Assessment + GradeCategory + User instances took three quarters of the
    view's data time (10 ms of ORM objects for 200 grades)."""

    pk: int
    symbol: str
    improves_id: int | None
    teacher_id: int | None
    updated_at: datetime.datetime
    assessment: RegisterAssessment
    teacher: User | None
    is_new: bool = False
    improved_symbol: str | None = None  # set by compact_grades
    counts: bool = True  # set by compact_grades


def _register_grades_query(pupil_id: int, assignment_ids: list[int]):
    return (
        Grade.objects.filter(pupil_id=pupil_id, assessment__assignment_id__in=assignment_ids)
        .order_by("assessment__date", "id")
        .values_list(
            "id",
            "symbol",
            "improves_id",
            "teacher_id",
            "updated_at",
            "assessment_id",
            "assessment__assignment_id",
            "assessment__term_id",
            "assessment__name",
            "assessment__weight",
            "assessment__date",
            "assessment__description",
            "assessment__counts_to_average",
            "assessment__category_id",
            "assessment__category__name",
            "assessment__category__colour",
            "assessment__category__order",
            "assessment__category__counts_to_average",
            "teacher__first_name",
            "teacher__last_name",
        )
    )


# Compiled once per connection and number of assignments (portal.statements).
_REGISTER_GRADES = Statement(Grade, _register_grades_query)


def register_grades(pupil: User, assignments) -> list[RegisterGrade]:
    """The pupil's grades in these assignments, oldest column first, in one query;
    each category and teacher is built once however many grades they carry."""
    rows = _REGISTER_GRADES.rows(pupil.pk, [a.pk for a in assignments])
    categories: dict[int, GradeCategory] = {}
    teachers: dict[int | None, User | None] = {None: None}
    grades = []
    for (
        pk,
        symbol,
        improves_id,
        teacher_id,
        updated_at,
        assessment_id,
        assignment_id,
        term_id,
        name,
        weight,
        date,
        description,
        counts,
        category_id,
        category_name,
        colour,
        order,
        category_counts,
        first_name,
        last_name,
    ) in rows:
        category = categories.get(category_id)
        if category is None:
            category = categories[category_id] = GradeCategory(
                id=category_id,
                name=category_name,
                colour=colour,
                order=order,
                counts_to_average=category_counts,
            )
        if teacher_id not in teachers:
            teachers[teacher_id] = User(id=teacher_id, first_name=first_name, last_name=last_name)
        assessment = RegisterAssessment(
            assessment_id, assignment_id, term_id, name, weight, date, description, counts, category
        )
        grades.append(
            RegisterGrade(
                pk, symbol, improves_id, teacher_id, updated_at, assessment, teachers[teacher_id]
            )
        )
    return grades


def pupil_register(
    pupil: User, *, viewer=None, mark_seen: bool = False, enrolment: Enrolment | None = None
) -> PupilRegister:
    """A pupil's grades by subject and term, averages by the school's own rules,
    term and behaviour grades, and what is new since the viewer's last visit.
    `enrolment` chooses the class shown (the current one by default)."""
    enrolment = enrolment or current_enrolment(pupil)
    if enrolment is None:
        return PupilRegister(pupil, None, [], [], {}, None, 0, False)
    school_class = enrolment.school_class
    school = school_class.school_year.school
    scale = grading_settings(school).to_scale()
    terms = list(school_class.school_year.terms.all())
    assignments = list(
        TeachingAssignment.objects.filter(school_class=school_class)
        .filter(Q(group__isnull=True) | Q(group__pupils=pupil))
        .select_related("subject", "teacher", "group")
        .order_by("subject__name")
    )
    grades = register_grades(pupil, assignments)
    by_assignment: dict[int, dict[int, list[Grade]]] = defaultdict(lambda: defaultdict(list))
    visit = None
    if viewer is not None:
        visit = RegisterVisit.objects.filter(user=viewer, pupil=pupil).first()
    last_seen = visit.seen_at if visit else None
    new_count = 0
    for grade in grades:
        grade.is_new = last_seen is not None and grade.updated_at > last_seen
        new_count += grade.is_new
        by_assignment[grade.assessment.assignment_id][grade.assessment.term_id].append(grade)
    term_grades = defaultdict(dict)
    for tg in TermGrade.objects.filter(pupil=pupil, assignment__in=assignments):
        tg.is_new = last_seen is not None and tg.updated_at > last_seen
        term_grades[tg.assignment_id][(tg.term_id, tg.kind)] = tg
    subjects = []
    for assignment in assignments:
        per_term = by_assignment.get(assignment.pk, {})
        averages = {t.pk: pupil_average(per_term.get(t.pk, []), scale) for t in terms}
        all_grades = [g for gs in per_term.values() for g in gs]
        row = SubjectRow(
            assignment=assignment,
            grades_by_term={t.pk: per_term.get(t.pk, []) for t in terms},
            averages=averages,
            year_average=pupil_average(all_grades, scale),
            term_grades=term_grades.get(assignment.pk, {}),
        )
        row._terms = terms
        subjects.append(row)
    behaviour = {
        (b.term_id, b.kind): b
        for b in BehaviourGrade.objects.filter(pupil=pupil, school_class=school_class)
    }
    if mark_seen and viewer is not None:
        now = timezone.now()
        if visit is None:
            RegisterVisit.objects.create(user=viewer, pupil=pupil, seen_at=now)
        else:
            RegisterVisit.objects.filter(pk=visit.pk).update(seen_at=now)
    return PupilRegister(
        pupil=pupil,
        school_class=school_class,
        terms=terms,
        subjects=subjects,
        behaviour=behaviour,
        last_visit=last_seen,
        new_count=new_count,
        descriptive=school_class.descriptive_assessment,
        scale=scale,
    )


def latest_grades(pupil_ids, limit: int = 5):
    """Latest grades of some pupils, for the dashboard."""
    return (
        Grade.objects.filter(pupil_id__in=pupil_ids)
        .select_related("assessment__assignment__subject", "assessment__category", "pupil")
        .order_by("-updated_at", "-id")[:limit]
    )


def unread_notifications(user):
    """The user's unread items of the notification centre."""
    from notifications.models import Notification

    return Notification.objects.filter(recipient=user, read_at__isnull=True)


def class_behaviour(school_class, term):
    pupils = list(school_class.pupils_on(sheet_day(term)))
    grades = defaultdict(dict)
    for b in BehaviourGrade.objects.filter(school_class=school_class, term=term):
        grades[b.pupil_id][b.kind] = b
    return [(p, grades.get(p.pk, {})) for p in pupils]


def class_assignments(school_class):
    return (
        TeachingAssignment.objects.filter(school_class=school_class)
        .select_related("subject", "teacher", "group")
        .order_by("subject__name")
    )


@dataclass
class ClassSummary:
    school_class: SchoolClass
    term: Term
    assignments: list[TeachingAssignment]
    rows: list[dict]  # {"pupil": User, "cells": [{"average", "proposed", "final"}]}


def class_summary(school_class: SchoolClass, term: Term) -> ClassSummary:
    """Every subject's average, proposed and final grade per pupil of a class, for
    the homeroom teacher and the school admin: five queries whatever the size."""
    scale = grading_settings(school_class.school_year.school_id).to_scale()
    assignments = list(class_assignments(school_class))
    pupils = list(school_class.pupils_on(sheet_day(term)))
    marks: dict[tuple[int, int], list] = defaultdict(list)
    rows = Grade.objects.filter(
        assessment__assignment__in=assignments, assessment__term=term, pupil__in=pupils
    ).values_list(
        "pk",
        "pupil_id",
        "symbol",
        "improves_id",
        "assessment__assignment_id",
        "assessment__weight",
        "assessment__counts_to_average",
    )
    for pk, pupil_id, symbol, improves_id, assignment_id, weight, counts in rows:
        marks[(assignment_id, pupil_id)].append(
            grade_scale.Mark(pk, scale.value_of(symbol), weight, counts, improves_id)
        )
    term_grades = {
        (t.assignment_id, t.pupil_id, t.kind): t
        for t in TermGrade.objects.filter(assignment__in=assignments, term=term)
    }
    table = []
    for pupil in pupils:
        cells = []
        for a in assignments:
            cells.append(
                {
                    "average": grade_scale.marks_average(marks.get((a.pk, pupil.pk), []), scale),
                    "proposed": term_grades.get((a.pk, pupil.pk, TermGrade.Kind.PROPOSED)),
                    "final": term_grades.get((a.pk, pupil.pk, TermGrade.Kind.FINAL)),
                }
            )
        table.append({"pupil": pupil, "cells": cells})
    return ClassSummary(school_class, term, assignments, table)


# --- The compact grades table (parents and pupils on a phone) ------------------------------


@dataclass
class CompactRow:
    """One subject of one term: its grades as chips, the average and the term grades."""

    assignment: TeachingAssignment
    grades: list[Grade]
    average: Decimal | None
    proposed: TermGrade | None
    final: TermGrade | None
    year_average: Decimal | None


@dataclass
class CompactGrades:
    term: Term | None
    terms: list[Term]
    rows: list[CompactRow]
    categories: list[GradeCategory]  # those the shown grades use, for the legend
    is_first_term: bool
    is_last_term: bool


def term_shown(terms: list[Term], number: int | None, today=None) -> Term | None:
    """The term chosen by its number, else the one running today (before the year
    the first, after it the last)."""
    by_number = {t.number: t for t in terms}
    if number in by_number:
        return by_number[number]
    if not terms:
        return None
    today = today or timezone.localdate()
    running = term_of_day(terms, today)
    if running is not None:
        return running
    return terms[-1] if today > terms[-1].end else terms[0]


def compact_grades(register: PupilRegister, *, term_number: int | None = None) -> CompactGrades:
    """One term of a pupil's register as the compact table shows it, built from
    `pupil_register` without another query."""
    term = term_shown(register.terms, term_number)
    if term is None:
        return CompactGrades(None, [], [], [], True, True)
    scale = (
        register.scale or grading_settings(register.school_class.school_year.school_id).to_scale()
    )
    rows = []
    categories: dict[int, GradeCategory] = {}
    for subject in register.subjects:
        every_grade = {g.pk: g for gs in subject.grades_by_term.values() for g in gs}
        grades = subject.grades_by_term.get(term.pk, [])
        for grade in grades:
            improved = every_grade.get(grade.improves_id)
            grade.improved_symbol = improved.symbol if improved else None
            # np, nb, a lone + or − carry no value: they never count, whatever the column.
            grade.counts = (
                grade.assessment.counts_to_average
                and grade.assessment.weight > 0
                and scale.value_of(grade.symbol) is not None
            )
            categories.setdefault(grade.assessment.category_id, grade.assessment.category)
        rows.append(
            CompactRow(
                assignment=subject.assignment,
                grades=grades,
                average=subject.averages.get(term.pk),
                proposed=subject.term_grades.get((term.pk, TermGrade.Kind.PROPOSED)),
                final=subject.term_grades.get((term.pk, TermGrade.Kind.FINAL)),
                year_average=subject.year_average,
            )
        )
    return CompactGrades(
        term=term,
        terms=register.terms,
        rows=rows,
        categories=sorted(categories.values(), key=lambda c: (c.order, c.name)),
        is_first_term=term == register.terms[0],
        is_last_term=term == register.terms[-1],
    )
