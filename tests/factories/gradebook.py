"""Factories for the e-register's grades."""

import factory

from gradebook.models import Assessment, GradeCategory, TermGrade
from gradebook.selectors import current_term


class GradeCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GradeCategory
        django_get_or_create = ("school", "name")

    name = "sprawdzian"
    weight = 3


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    name = factory.Sequence(lambda n: f"Sprawdzian {n}")
    term = factory.LazyAttribute(lambda o: current_term(o.assignment.school_class.school_year))
    category = factory.LazyAttribute(
        lambda o: GradeCategoryFactory(school=o.assignment.school_class.school_year.school)
    )
    weight = factory.LazyAttribute(lambda o: o.category.weight)
    date = factory.LazyAttribute(lambda o: o.term.start)
    created_by = factory.LazyAttribute(lambda o: o.assignment.teacher)


def grade_put(*, assessment, pupil, user, text: str):
    """Enter one grade as the grade sheet does (a one-cell sheet save)."""
    from gradebook.models import Grade
    from gradebook.services import CellInput, sheet_save

    current = Grade.objects.filter(assessment=assessment, pupil=pupil).first()
    term = assessment.term
    return sheet_save(
        assignment=assessment.assignment,
        user=user,
        cells=[CellInput(assessment.pk, pupil.pk, text, current.symbol if current else "")],
        day=min(max(assessment.date, term.start), term.end),
    )


class TermGradeFactory(factory.django.DjangoModelFactory):
    """A final term grade (mid-year in term 1, annual in the last term) by the
    assignment's teacher; `kind=TermGrade.Kind.PROPOSED` for a proposal."""

    class Meta:
        model = TermGrade

    kind = TermGrade.Kind.FINAL
    grade = None
    description = ""
    teacher = factory.LazyAttribute(lambda o: o.assignment.teacher)
