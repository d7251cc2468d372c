import datetime

import pytest

from tests.factories.circulation import copy_create, record_create

# A Monday far from any holiday, so due dates are predictable.
MONDAY = datetime.date(2026, 10, 5)


@pytest.fixture
def library(world):
    record = record_create("Pan Tadeusz")
    return {
        "record": record,
        "copy": copy_create(record, world.a.school),
        "copy2": copy_create(record, world.a.school),
        "other_copy": copy_create(record, world.b.school),
    }
