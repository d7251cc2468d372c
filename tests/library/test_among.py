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


def test_identifiers_among_finds_each_value_once_with_the_lowest_record():
    from library.indexing import identifiers_among

    first, second, third = (Record.objects.create(marc={}, title=f"T{i}") for i in range(3))
    RecordIdentifier.objects.create(record=second, kind="isbn", value="9788301000001")
    RecordIdentifier.objects.create(record=first, kind="isbn", value="9788301000001")
    RecordIdentifier.objects.create(record=third, kind="035", value="(OCoLC)1")
    RecordIdentifier.objects.create(record=third, kind="001", value="9788301000001")
    wanted = {"001": set(), "035": {"(OCoLC)1", "(OCoLC)2"}, "isbn": {"9788301000001", "it's"}}
    with CaptureQueriesContext(connection) as queries:
        found = sorted(identifiers_among(wanted))
    assert found == [("035", "(OCoLC)1", third.pk), ("isbn", "9788301000001", first.pk)]
    if connection.vendor == "postgresql":
        # a statement per kind asked for, each through the index whatever the table's size
        assert len(queries) == 2
        assert all("enable_seqscan = off" in query["sql"] for query in queries)
    assert identifiers_among({"001": set()}) == []
