import io
import json

import pytest

from library import marc
from library.importing import import_stream
from library.models import Record, RecordIdentifier
from tests.library.conftest import PYMARC, make_authority, make_marc

pytestmark = pytest.mark.django_db

SAMPLES = sorted(p for p in PYMARC.iterdir() if p.suffix in (".dat", ".mrc", ".xml", ".json"))


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_pymarc_sample_is_reported_record_by_record(path):
    with path.open("rb") as fh:
        fmt = marc.guess_format(path.name, fh.read(200))
    with path.open("rb") as fh:
        summary = import_stream(fh, fmt)
    positions = [o.position for o in summary.outcomes]
    assert positions == sorted(set(positions)), "every input record reported once, in order"
    assert summary.total == len(positions) >= 1
    for outcome in summary.outcomes:
        if outcome.outcome == "rejected":
            assert outcome.reason
            assert outcome.record_id is None
        else:
            assert Record.objects.filter(pk=outcome.record_id).exists()


def test_bad_records_do_not_stop_the_file():
    with (PYMARC / "bad_records.mrc").open("rb") as fh:
        summary = import_stream(fh, "marc")
    rejected = [o for o in summary.outcomes if o.outcome == "rejected"]
    good = [o for o in summary.outcomes if o.outcome != "rejected"]
    assert rejected and good
    # a good record after the broken ones is still imported
    assert max(o.position for o in good) > min(o.position for o in rejected)
    assert Record.objects.count() == len(good)


def test_reimport_is_idempotent():
    with (PYMARC / "test.dat").open("rb") as fh:
        first = import_stream(fh, "marc")
    count = Record.objects.count()
    with (PYMARC / "test.dat").open("rb") as fh:
        second = import_stream(fh, "marc")
    assert Record.objects.count() == count
    assert first.counts["rejected"] == second.counts["rejected"]
    assert second.counts["imported"] == 0


def test_matching_on_035_and_isbn():
    first = make_marc("Pan Tadeusz", author="Mickiewicz, Adam", isbn="83-04-04663-6")
    first.add_field(
        marc.Field(
            tag="035",
            indicators=marc.Indicators(" ", " "),
            subfields=[marc.Subfield("a", "(PL-X)123")],
        )
    )
    import_stream(io.BytesIO(marc.to_binary([first])), "marc")
    again = make_marc(
        "Pan Tadeusz, czyli ostatni zajazd", author="Mickiewicz, Adam", isbn="978-83-04-04663-4"
    )
    summary = import_stream(io.BytesIO(marc.to_binary([again])), "marc")
    assert summary.counts["updated"] == 1
    record = Record.objects.get()
    assert record.title == "Pan Tadeusz, czyli ostatni zajazd"
    assert record.changes.count() == 1
    assert RecordIdentifier.objects.filter(kind="isbn", value="9788304046634").exists()


def test_marc8_is_converted_to_utf8():
    with (PYMARC / "marc8.dat").open("rb") as fh:
        summary = import_stream(fh, "marc")
    outcome = summary.outcomes[0]
    assert outcome.outcome == "warned"
    assert "MARC-8" in outcome.reason
    record = Record.objects.get()
    assert record.marc["leader"][9] == "a"
    exported = marc.to_binary([marc.from_stored(record.marc)])
    assert exported[9:10] == b"a"
    exported.decode("utf-8")


def test_marcxml_with_external_entity_is_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    xml = f"""<?xml version="1.0"?>
<!DOCTYPE collection [<!ENTITY xxe SYSTEM "file://{secret}">]>
<collection xmlns="http://www.loc.gov/MARC21/slim"><record>
<leader>00000nam a2200000 a 4500</leader>
<datafield tag="245" ind1="0" ind2="0"><subfield code="a">&xxe;</subfield></datafield>
</record></collection>""".encode()
    with pytest.raises(marc.MarcFileError):
        import_stream(io.BytesIO(xml), "marcxml")
    assert not Record.objects.exists()


def test_marcxml_entity_expansion_is_refused():
    xml = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>
<collection xmlns="http://www.loc.gov/MARC21/slim"><record>
<leader>00000nam a2200000 a 4500</leader>
<datafield tag="245" ind1="0" ind2="0"><subfield code="a">&lol2;</subfield></datafield>
</record></collection>"""
    with pytest.raises(marc.MarcFileError):
        import_stream(io.BytesIO(xml), "marcxml")


def test_truncated_last_record_is_rejected_not_fatal():
    data = marc.to_binary([make_marc("Pierwsza"), make_marc("Druga")])
    summary = import_stream(io.BytesIO(data[:-30]), "marc")
    assert [o.outcome for o in summary.outcomes] == ["imported", "rejected"]


def test_wrong_length_in_leader_is_a_warning_and_the_rest_survives():
    one, two = make_marc("Zła długość"), make_marc("Następny rekord")
    raw_one = bytearray(marc.to_binary([one]))
    raw_one[0:5] = b"99999"
    summary = import_stream(io.BytesIO(bytes(raw_one) + marc.to_binary([two])), "marc")
    assert [o.outcome for o in summary.outcomes] == ["warned", "imported"]
    assert Record.objects.count() == 2


def test_json_records_with_wrong_shape_are_rejected_one_by_one():
    good = make_marc("Dobry").as_dict()
    data = io.BytesIO(__import__("json").dumps([good, {"nope": 1}, good]).encode())
    summary = import_stream(data, "json")
    assert [o.outcome for o in summary.outcomes] == ["imported", "rejected", "updated"] or [
        o.outcome for o in summary.outcomes
    ] == ["imported", "rejected", "imported"]


def test_authority_records_are_loaded():
    auth = make_authority("Zwierzęta", see=["Fauna"], see_also=["Ssaki"])
    summary = import_stream(io.BytesIO(marc.to_binary([auth])), "marc")
    assert summary.counts["imported"] == 1
    from library.models import Authority

    authority = Authority.objects.get()
    assert sorted(authority.references.values_list("kind", "heading")) == [
        ("see", "Fauna"),
        ("see_also", "Ssaki"),
    ]


def test_record_the_database_refuses_is_rejected_alone_the_batch_goes_in(monkeypatch):
    """A row the database refuses (here a negative year, against the column's
    CHECK, on both databases): the batch is written again record by record, the
    record is rejected with the database's reason, the others go in."""
    from library import importing
    from library.importing import Importer

    prepared = importing.prepared

    def one_row_refused(*args, **kwargs):
        for p in prepared(*args, **kwargs):
            if p.control_number == "bad-2":  # the row part ends with the year
                p = p._replace(row=p.row.rsplit(b"\t", 1)[0] + b"\t-5")
            yield p

    monkeypatch.setattr(importing, "prepared", one_row_refused)
    data = b"".join(
        make_marc(title, control=f"bad-{i}").as_marc()
        for i, title in enumerate(["Pierwsza", "Zła", "Trzecia"], start=1)
    )
    importer = Importer()
    summary = importer.run(marc.read_binary(io.BytesIO(data)))
    # the two written alone count towards the look-up statistics (importing.LOOKUP_COLUMNS)
    assert importer._written == 2
    outcomes = [(o.position, o.outcome) for o in summary.outcomes]
    assert outcomes == [(1, "imported"), (2, "rejected"), (3, "imported")]
    assert "baza danych odrzuciła rekord" in summary.outcomes[1].reason
    assert sorted(Record.objects.values_list("title", flat=True)) == ["Pierwsza", "Trzecia"]


def test_a_nul_or_a_lone_surrogate_anywhere_in_a_record_rejects_it_alone():
    """The MARC is stored as text (library 0016), which would take an escaped NUL
    that jsonb refused: such a record could then not be edited or updated. A NUL
    in a note no column reads, or a lone surrogate from a JSON file, is the
    record's rejection with a reason, on both databases; the rest go in."""
    from pymarc import Field, Indicators, Subfield

    note = make_marc("Z notatką", control="n-2")
    note.add_field(
        Field(tag="500", indicators=Indicators(" ", " "), subfields=[Subfield("a", "a\x00b")])
    )
    literal = make_marc("Ukośnik", control="n-3", summary="tekst \\u0000 dosłownie")
    data = marc.to_binary([make_marc("Pierwsza", control="n-1"), note, literal])
    summary = import_stream(io.BytesIO(data), "marc")
    outcomes = [(o.position, o.outcome) for o in summary.outcomes]
    assert outcomes == [(1, "imported"), (2, "rejected"), (3, "imported")]
    assert "znak NUL (bajt 0x00)" in summary.outcomes[1].reason
    assert Record.objects.get(control_number="n-3").summary == "tekst \\u0000 dosłownie"

    surrogate = marc.to_dict(marc.parse_binary(0, marc.to_binary([make_marc("Zły")])).record)
    surrogate["fields"].append({"500": {"ind1": " ", "ind2": " ", "subfields": [{"a": "\ud800"}]}})
    summary = import_stream(io.BytesIO(json.dumps([surrogate]).encode()), "json")
    assert [o.outcome for o in summary.outcomes] == ["rejected"]
    assert "nie są poprawnym Unicode" in summary.outcomes[0].reason


@pytest.mark.parametrize(("threshold", "analysed"), [(3, True), (4, False)])
def test_a_large_import_analyses_the_tables_it_filled(marc_record, settings, threshold, analysed):
    """Fresh statistics right after a bulk load (issue 17: without them PostgreSQL
    planned the search for empty tables until autovacuum ran)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.LIBRARY_ANALYZE_AFTER_RECORDS = threshold
    records = [marc_record(f"Tom {i}", control=f"an{i}") for i in range(3)]
    with CaptureQueriesContext(connection) as queries:
        summary = import_stream(io.BytesIO(marc.to_binary(records)), "marc")
    assert summary.counts["imported"] == 3
    analysed_tables = {
        q["sql"].split()[1].strip('"') for q in queries if q["sql"].startswith("ANALYZE")
    }
    expected = {"library_record", "library_searchdocument", "library_facetvalue"}
    assert (expected <= analysed_tables) is analysed
    assert bool(analysed_tables) is analysed


def test_a_large_import_refreshes_the_statistics_of_what_it_looks_up(
    marc_record, settings, monkeypatch
):
    """PostgreSQL: the columns the importer matches and links on are analysed
    each time what it wrote has doubled (planned for empty tables, those look-ups
    scanned the growing tables for every batch); the whole tables only at the end."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from library import importing

    settings.LIBRARY_ANALYZE_AFTER_RECORDS = 1000  # no analysis at the end
    monkeypatch.setattr(importing, "LOOKUP_ANALYZE_FIRST", 3)
    records = [marc_record(f"Tom {i}", control=f"lk{i}") for i in range(10)]
    with CaptureQueriesContext(connection) as queries:
        summary = importing.Importer(batch_size=2).run(
            marc.read_binary(io.BytesIO(marc.to_binary(records)))
        )
    assert summary.counts["imported"] == 10
    analysed = [q["sql"] for q in queries if q["sql"].startswith("ANALYZE")]
    if connection.vendor != "postgresql":
        assert analysed == []
        return
    # written before the batches: 0, 2, 4 (analyse), 6, 8 (analyse: doubled)
    lookups = [
        'ANALYZE "library_recordidentifier" ("kind", "value")',
        'ANALYZE "library_record" ("control_number", "host_control", "host_id")',
    ]
    assert analysed == lookups * 2
    # and the statistics are there for the planner
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stats WHERE tablename = 'library_recordidentifier' "
            "AND attname IN ('kind', 'value')"
        )
        assert cursor.fetchone()[0] == 2


def test_a_title_with_replacement_characters_is_imported_with_a_warning_in_polish(marc_record):
    records = [
        marc_record("Zły \ufffd tytuł", control="rc1"),
        marc_record("Dobry tytuł", control="rc2"),
    ]
    summary = import_stream(io.BytesIO(marc.to_binary(records)), "marc")
    outcomes = [(o.outcome, o.reason) for o in summary.outcomes]
    assert outcomes == [
        ("warned", "tytuł zawiera znaki, których nie udało się odczytać („�”)"),
        ("imported", ""),
    ]
