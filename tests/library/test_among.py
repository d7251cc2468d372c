"""`library.models.fields.among`: the importer's look-ups of many values at once
(issue 17) find what `__in` finds, on PostgreSQL in one statement with one array
parameter."""

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from library.models import Record, RecordIdentifier
from library.models.fields import among

pytestmark = pytest.mark.django_db


def test_among_finds_what_in_finds_and_one_statement_carries_the_values():
    records = [Record.objects.create(marc={}, title=f"T{i}") for i in range(3)]
    for i, record in enumerate(records):
        RecordIdentifier.objects.create(record=record, kind="001", value=f"v{i}")
        RecordIdentifier.objects.create(record=record, kind="isbn", value=f"v{i}")
    wanted = [f"v{i}" for i in range(0, 1200, 2)] + ["it's", "a,b", "{x}"]
    queryset = RecordIdentifier.objects.filter(kind="001")
    with CaptureQueriesContext(connection) as queries:
        found = sorted(
            v
            for rows in among(queryset, "value", wanted)
            for v in rows.values_list("value", flat=True)
        )
    assert found == ["v0", "v2"]
    expected = sorted(queryset.filter(value__in=wanted).values_list("value", flat=True))
    assert found == expected
    if connection.vendor == "postgresql":
        assert len(queries) == 1 and "= ANY(" in queries[0]["sql"]
    else:
        assert len(queries) == 2  # 603 values, 500 a statement
    assert among(queryset, "value", []) == []  # nothing to look up: no statement
