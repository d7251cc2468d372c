"""A record's full MARC is kept as JSON text on both databases
(library.models.fields.JSONTextField, issue 17): written by the importer's COPY,
by the ORM's save and bulk_update, read back as the same dict."""

import io
import json

import pytest

from django.db import connection

from library import marc
from library.importing import import_stream
from library.models import Record
from tests.library.conftest import make_marc

pytestmark = pytest.mark.django_db


def column_type(table: str, column: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT data_type FROM information_schema.columns"
                " WHERE table_name = %s AND column_name = %s",
                [table, column],
            )
            return cursor.fetchone()[0]
        cursor.execute(f"PRAGMA table_info({table})")
        return next(row[2] for row in cursor.fetchall() if row[1] == column)


def test_the_marc_column_is_text_on_both_databases():
    assert column_type("library_record", "marc").lower() == "text"


def test_an_imported_record_reads_back_as_its_marc_dict():
    source = make_marc("Ząb \\ „tab”\tnowa\nlinia", author="Żółć, Ęa", control="s1")
    summary = import_stream(io.BytesIO(marc.to_binary([source])), "marc")
    record = Record.objects.get(pk=summary.outcomes[0].record_id)
    expected = marc.to_dict(marc.parse_binary(0, marc.to_binary([source])).record)
    assert record.marc == expected
    assert Record.objects.values_list("marc", flat=True).get(pk=record.pk) == expected


def test_save_and_bulk_update_write_the_value_and_it_reads_back():
    value = {"leader": "00000nam a2200000 a 4500", "fields": [{"001": "x"}], "ł": [1, None, "\\"]}
    record = Record.objects.create(marc=value, title="A")
    assert Record.objects.get(pk=record.pk).marc == value
    record.marc = {**value, "fields": [{"001": "y"}]}
    Record.objects.bulk_update([record], ["marc"])
    assert Record.objects.get(pk=record.pk).marc["fields"] == [{"001": "y"}]
    with connection.cursor() as cursor:  # the stored text is the JSON of the value
        cursor.execute("SELECT marc FROM library_record WHERE id = %s", [record.pk])
        assert json.loads(cursor.fetchone()[0]) == record.marc


def test_copy_parts_read_back_as_the_values_they_were_made_of():
    import datetime

    from django.utils.safestring import mark_safe

    from library.indexing import copy_part, copy_text, part_values

    texts = ["a\\b\tc\nd\re", "", "\\N", "ząb „x”", mark_safe("x\ty"), "\\t", "plain"]
    part = copy_part(texts, [None, 1999])
    assert part.startswith(b"\t") and part.endswith(b"\n") and part.count(b"\n") == 1
    assert part.count(b"\t") == len(texts) + 2  # the tabs inside values are escaped
    assert part_values(part, frozenset({len(texts) + 1})) == [*texts, None, 1999]
    # the joined text alone looks right (as many tabs as separators): still escaped
    assert part_values(copy_part(["a\tb", ""])) == ["a\tb", ""]
    # no tab in any value: backslashes and line ends escaped in the joined text
    plain = ["a\\b\\\\", 'c\nd\re "\\"', "\\N", "\\t", ""]
    part = copy_part(plain, [3])
    assert part.count(b"\t") == len(plain) + 1 and part.count(b"\n") == 1
    assert part_values(part, frozenset({len(plain)})) == [*plain, 3]
    assert part_values(copy_part(["x"], end="")) == ["x"]
    assert part_values(copy_part([], [7, None]), frozenset({0})) == [7, None]
    moment = datetime.datetime(2026, 12, 5, 1, 2, 3, tzinfo=datetime.UTC)
    assert copy_text(moment) == "2026-12-05T01:02:03+00:00"
    assert copy_text(None) == "\\N" and copy_text(12) == "12"
