"""Demo grades for `manage.py seed_demo`: a realistic term 1 for every class.

Idempotent: an assignment that already has assessments is left alone. Fast:
everything is bulk-created, history rows included (seeded grades carry a
"created" history row like any other)."""

from __future__ import annotations

import datetime

from portal.audit import history_row
from portal.models import Enrolment, TeachingAssignment, User

from .models import Assessment, Grade, GradeHistory, TermGrade
from .selectors import categories_of, grading_settings

# (name, category, weight or None for the category's)
PLAN = [
    ("Odpowiedź ustna", "odpowiedź", None),
    ("Kartkówka 1", "kartkówka", None),
    ("Praca domowa", "praca domowa", None),
    ("Sprawdzian 1", "sprawdzian", None),
    ("Aktywność", "aktywność", None),
    ("Kartkówka 2", "kartkówka", None),
    ("Poprawa sprawdzianu 1", "poprawa", None),
    ("Sprawdzian 2", "sprawdzian", None),
]
GRADES = ["1", "2-", "2", "2+", "3-", "3", "3+", "4-", "4", "4+", "5-", "5", "5+", "6"]


def seed_grades(ctx) -> None:
    rng = ctx.rng
    today = ctx.today
    for school in ctx.schools:
        scale = grading_settings(school).to_scale()
        categories = {c.name: c for c in categories_of(school)}
        year = ctx.years.get(school.pk) or school.current_year()
        if year is None:
            continue
        terms = list(year.terms.all())
        if not terms:
            continue
        term = terms[0]
        last_day = min(today, term.end)
        if last_day < term.start:
            continue
        assignments = list(
            TeachingAssignment.objects.filter(school_class__school_year=year)
            .exclude(assessments__isnull=False)
            .select_related("school_class__school_year__school", "subject", "teacher")
        )
        if not assignments:
            continue
        enrolments = Enrolment.objects.active_on(last_day).filter(school_class__school_year=year)
        pupils_by_class: dict[int, list[int]] = {}
        for e in enrolments:
            pupils_by_class.setdefault(e.school_class_id, []).append(e.pupil_id)
        group_members = {}
        for a in assignments:
            if a.group_id:
                group_members[a.group_id] = set(a.group.pupils.values_list("pk", flat=True))
        span = (last_day - term.start).days
        new_assessments = []
        for a in assignments:
            for i, (name, cat, weight) in enumerate(PLAN):
                category = categories[cat]
                day = term.start + datetime.timedelta(days=span * (i + 1) // (len(PLAN) + 1))
                new_assessments.append(
                    Assessment(
                        assignment=a,
                        term=term,
                        category=category,
                        name=name,
                        weight=weight or category.weight,
                        date=day,
                        counts_to_average=category.counts_to_average,
                        created_by=a.teacher,
                        description=f"Rozdział {i // 2 + 1}" if cat == "sprawdzian" else "",
                    )
                )
        Assessment.objects.bulk_create(new_assessments)
        created = list(
            Assessment.objects.filter(assignment__in=assignments).order_by("assignment_id", "id")
        )
        by_assignment: dict[int, list[Assessment]] = {}
        for x in created:
            by_assignment.setdefault(x.assignment_id, []).append(x)
        improvements = []
        for columns in by_assignment.values():
            improvement = next(c for c in columns if c.name.startswith("Poprawa"))
            improvement.improves = next(c for c in columns if c.name == "Sprawdzian 1")
            improvements.append(improvement)
        Assessment.objects.bulk_update(improvements, ["improves"])
        grades = []
        descriptive_of = {}
        for a in assignments:
            pupils = pupils_by_class.get(a.school_class_id, [])
            if a.group_id:
                pupils = [p for p in pupils if p in group_members[a.group_id]]
            descriptive_of[a.pk] = a.school_class.descriptive_assessment
            for pupil in pupils:
                talent = rng.gauss(3.8, 0.9)
                for column in by_assignment[a.pk]:
                    if column.improves_id:
                        continue
                    roll = rng.random()
                    if column.category.name == "aktywność":
                        symbol = rng.choice(["+", "+", "-", "5", "6"])
                    elif roll < 0.04:
                        symbol = "nb"
                    elif roll < 0.07:
                        symbol = "np"
                    elif roll < 0.1:
                        continue
                    else:
                        index = round((talent + rng.gauss(0, 0.8) - 1) * 13 / 5)
                        symbol = GRADES[max(0, min(len(GRADES) - 1, index))]
                    if symbol not in scale.symbols:
                        symbol = symbol.rstrip("+-") or "np"
                    grades.append(
                        Grade(
                            assessment=column,
                            pupil_id=pupil,
                            symbol=symbol,
                            teacher=a.teacher,
                        )
                    )
        Grade.objects.bulk_create(grades, batch_size=2000)
        saved = list(
            Grade.objects.filter(assessment__in=created).select_related(
                "assessment__assignment__subject"
            )
        )
        # Improvements for weak results in "Sprawdzian 1".
        improvement_col = {i.improves_id: i for i in improvements}
        extra = []
        for g in saved:
            column = improvement_col.get(g.assessment_id)
            value = scale.value_of(g.symbol)
            if column and value is not None and value < 3 and rng.random() < 0.7:
                symbol = rng.choice(["3", "3+", "4-", "4"])
                extra.append(
                    Grade(
                        assessment=column,
                        pupil_id=g.pupil_id,
                        symbol=symbol,
                        teacher_id=g.teacher_id,
                        improves=g,
                    )
                )
        Grade.objects.bulk_create(extra)
        saved += list(
            Grade.objects.filter(improves__isnull=False, assessment__in=created).select_related(
                "assessment"
            )
        )
        teachers = User.objects.in_bulk({g.teacher_id for g in saved})
        GradeHistory.objects.bulk_create(
            [
                history_row(
                    GradeHistory,
                    actor=teachers.get(g.teacher_id),
                    school=school,
                    kind=GradeHistory.Kind.GRADE,
                    object_id=g.pk,
                    action=GradeHistory.Action.CREATE,
                    pupil_id=g.pupil_id,
                    assignment_id=g.assessment.assignment_id,
                    assessment_id=g.assessment_id,
                    label=g.assessment.name,
                    new_value=g.symbol,
                )
                for g in saved
            ],
            batch_size=2000,
        )
        # Proposed grades for term 1 from each pupil's average.
        from .selectors import pupil_average

        per_pupil: dict[tuple[int, int], list[Grade]] = {}
        for g in Grade.objects.filter(assessment__in=created).select_related("assessment"):
            per_pupil.setdefault((g.assessment.assignment_id, g.pupil_id), []).append(g)
        teacher_of = {a.pk: a.teacher_id for a in assignments}
        proposed = []
        for (assignment_id, pupil_id), items in per_pupil.items():
            suggested = scale.suggested(pupil_average(items, scale))
            if suggested is None:
                continue
            descriptive = descriptive_of[assignment_id]
            proposed.append(
                TermGrade(
                    pupil_id=pupil_id,
                    assignment_id=assignment_id,
                    term=term,
                    kind=TermGrade.Kind.PROPOSED,
                    grade=None if descriptive else suggested,
                    description=(
                        "Uczeń pracuje systematycznie i chętnie bierze udział w zajęciach."
                        if descriptive
                        else ""
                    ),
                    teacher_id=teacher_of[assignment_id],
                )
            )
        TermGrade.objects.bulk_create(proposed, ignore_conflicts=True)
        # A demo seeded after term 1 ended has its mid-year classification: the
        # proposals confirmed as final grades (the municipal analytics count them).
        finals = []
        if today > term.end:
            finals = [
                TermGrade(
                    pupil_id=p.pupil_id,
                    assignment_id=p.assignment_id,
                    term=term,
                    kind=TermGrade.Kind.FINAL,
                    grade=p.grade,
                    description=p.description,
                    teacher_id=p.teacher_id,
                )
                for p in proposed
            ]
            TermGrade.objects.bulk_create(finals, ignore_conflicts=True)
        ctx.log(
            f"  {school}: {len(created)} assessments, {len(saved)} grades, "
            f"{len(proposed)} proposed grades, {len(finals)} mid-year grades"
        )
