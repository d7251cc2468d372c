import pytest
import time_machine

from tests.factories.intranet import headteacher


@pytest.fixture
def clock():
    """A fixed Wednesday in March: deadlines are relative to it, not to today."""
    with time_machine.travel("2026-03-18 10:00:00+01:00", tick=False) as traveller:
        yield traveller


@pytest.fixture
def iw(clock, world):
    """The two-school world with a headteacher in each school."""
    world.a.head = headteacher(world.a.school, "a-head")
    world.b.head = headteacher(world.b.school, "b-head")
    return world
