import pytest

from gradebook.selectors import current_term
from tests.factories.gradebook import AssessmentFactory


@pytest.fixture
def gb(world):
    """The world plus one assessment column in each school's maths sheet."""
    for side in (world.a, world.b):
        side.term = current_term(side.year)
        side.assessment = AssessmentFactory(assignment=side.assignment, name="Sprawdzian 1")
    return world
