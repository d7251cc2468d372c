"""A large binary MARC file is prepared in worker processes (library.preparing,
issue 17): the report, the records and every row written must be those of the
in-process import, record by record."""

import io

import pytest

from library import preparing
from library.importing import import_stream
from library.indexing import ID_COLUMNS, SEARCH_COLUMNS
from library.models import Authority, FacetValue, Record, RecordIdentifier, SearchDocument, Term
from library.preparing import RECORD_FIELDS
from tests.library.conftest import PYMARC, make_authority, make_marc

pytestmark = pytest.mark.django_db

BINARY = sorted(p for p in PYMARC.iterdir() if p.suffix in (".dat", ".mrc"))


def sample_file() -> bytes:
    """pymarc's binary samples, good and broken, and records that update others."""
    from library import marc

    authority = make_authority("Zwierzęta")
    extra = [
        make_marc("Pan Tadeusz", author="Mickiewicz, Adam", control="w1", isbn="83-04-04663-6"),
        make_marc("Część", control="w2", host=[("t", "Pan Tadeusz"), ("w", "w1")]),
        authority,
        # a NUL character: rejected by prepare() on either path
        make_marc("Zła\x00tytuł", control="w3"),
        make_marc("Pan Tadeusz, wyd. 2", author="Mickiewicz, Adam", control="w1"),
    ]
    return b"".join(p.read_bytes() for p in BINARY) + marc.to_binary(extra)


def imported(data: bytes) -> dict:
    """The report and what was written, by the records' positions in the file."""
    summary = import_stream(io.BytesIO(data), "marc")
    by_id = {o.record_id: o.position for o in summary.outcomes if o.record_id}

    def rows(model, columns):
        out = {}
        for row in model.objects.values_list(*columns):
            out.setdefault(by_id[row[0]], []).append(row[1:])
        return {position: sorted(values) for position, values in out.items()}

    hosts = dict(Record.objects.values_list("pk", "host_id"))
    return {
        "report": [(o.position, o.outcome, o.reason) for o in summary.outcomes],
        "records": rows(Record, ["pk", "marc", *RECORD_FIELDS]),
        "hosts": {by_id[pk]: by_id.get(host) for pk, host in hosts.items()},
        "search": rows(SearchDocument, SEARCH_COLUMNS),
        "identifiers": rows(RecordIdentifier, ID_COLUMNS),
        "facets": rows(FacetValue, ID_COLUMNS),
        "terms": set(Term.objects.values_list("word", flat=True)),
        "authorities": list(Authority.objects.values_list("heading", flat=True)),
    }


def test_workers_give_the_report_and_rows_of_the_in_process_import(settings, monkeypatch):
    data = sample_file()
    settings.LIBRARY_IMPORT_WORKERS = 0
    alone = imported(data)
    Record.objects.all().delete()
    Term.objects.all().delete()
    Authority.objects.all().delete()

    settings.LIBRARY_IMPORT_WORKERS = 2
    settings.LIBRARY_IMPORT_PARALLEL_AFTER = 10
    monkeypatch.setattr(preparing, "CHUNK", 7)  # many chunks, and both workers busy
    spawned = []
    in_workers = preparing._in_workers
    monkeypatch.setattr(
        preparing, "_in_workers", lambda *args: spawned.append(args) or in_workers(*args)
    )
    assert imported(data) == alone
    assert spawned, "the file went through the worker processes"

    outcomes = {outcome for _position, outcome, _reason in alone["report"]}
    assert {"imported", "updated", "warned", "rejected"} <= outcomes
    rejected = [reason for _p, outcome, reason in alone["report"] if outcome == "rejected"]
    assert "rekord" in " ".join(rejected), "the reasons in the report's language"
    assert any(alone["hosts"].values()), "773 linked"
    assert alone["authorities"] == ["Zwierzęta"]


def test_a_few_records_are_prepared_without_worker_processes(settings, monkeypatch):
    from library import marc

    settings.LIBRARY_IMPORT_WORKERS = 2
    monkeypatch.setattr(preparing, "_in_workers", None)  # would fail if called
    data = marc.to_binary([make_marc(f"Tom {i}") for i in range(3)])
    summary = import_stream(io.BytesIO(data), "marc")
    assert summary.counts["imported"] == 3


def test_the_workers_keep_preparing_while_the_importer_writes(monkeypatch):
    """The workers are given `ahead` records beyond the one being taken, so they
    go on while the importer writes a batch (with three chunks they sat idle and
    the importer then waited for them)."""
    from library import marc

    submitted = []

    class Counting(preparing.ProcessPoolExecutor):
        def submit(self, *args, **kwargs):
            submitted.append(args[1])
            return super().submit(*args, **kwargs)

    monkeypatch.setattr(preparing, "ProcessPoolExecutor", Counting)
    monkeypatch.setattr(preparing, "CHUNK", 7)
    data = marc.to_binary([make_marc(f"Tom {i}", control=f"ah{i}") for i in range(120)])
    items = preparing.prepared(
        marc.read_binary(io.BytesIO(data)), None, workers=1, parallel_after=10, ahead=50
    )
    first = next(items)
    # 50 records ahead = 8 chunks of 7, and one more for the worker in hand
    assert len(submitted) == 9
    assert first.position == 1
    rest = list(items)
    assert [p.position for p in rest] == list(range(2, 121))
    assert len(submitted) == 18  # 120 records in chunks of 7


def test_the_importer_asks_for_two_of_its_batches_ahead(monkeypatch):
    from library import importing, marc

    asked = []
    prepared = importing.prepared
    monkeypatch.setattr(
        importing,
        "prepared",
        lambda *args, **kwargs: asked.append(kwargs) or prepared(*args, **kwargs),
    )
    data = marc.to_binary([make_marc(f"Tom {i}", control=f"ba{i}") for i in range(3)])
    importing.Importer(batch_size=40).run(marc.read_binary(io.BytesIO(data)))
    assert asked and asked[0]["ahead"] == 80


def test_a_record_s_json_text_reads_back_as_its_values():
    """orjson writes the JSON text of the import's rows; what it refuses (a lone
    surrogate) falls back to the json module, and both read back the same."""
    import json

    value = {"leader": "00000nam", "fields": [{"245": {"ind1": "1", "subfields": [{"a": "Żółw"}]}}]}
    text = preparing._json(value)
    assert json.loads(text) == value
    assert "Żółw" in text  # UTF-8, not \u escapes
    assert json.loads(preparing._json(["a\ud800b"])) == ["a\ud800b"]
