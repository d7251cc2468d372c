"""Factories for the e-register's grades."""

import factory

from gradebook.models import Assessment, GradeCategory
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
