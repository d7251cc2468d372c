import io

import pytest

from django.core.management import CommandError, call_command
from django.utils import timezone

from library import editor
from library.demo import generated_records, seed_library
from library.models import Authority, Record
from tests.library.conftest import PYMARC, make_marc

pytestmark = pytest.mark.django_db


def test_import_marc_command_reports_and_summarises(tmp_path, world):
    out, err = io.StringIO(), io.StringIO()
    report = tmp_path / "report.tsv"
    call_command(
        "import_marc",
        str(PYMARC / "bad_records.mrc"),
        "--library",
        "a",
        "--report",
        str(report),
        stdout=out,
        stderr=err,
    )
    assert "rejected" in out.getvalue() and "imported" in out.getvalue()
    assert "record 2: rejected" in err.getvalue()
    lines = report.read_text().splitlines()
    assert sorted(int(line.split("\t")[0]) for line in lines) == list(range(1, len(lines) + 1))
    assert Record.objects.filter(school=world.a.school).exists()


def test_import_marc_command_fails_only_for_unreadable_files(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<collection><record>")
    with pytest.raises(CommandError):
        call_command("import_marc", str(bad), stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError):
        call_command("import_marc", str(tmp_path / "missing.mrc"))


def test_export_marc_command(tmp_path):
    call_command(
        "import_marc", str(PYMARC / "test.dat"), stdout=io.StringIO(), stderr=io.StringIO()
    )
    out = tmp_path / "all.xml"
    call_command("export_marc", str(out), "--format", "xml", stderr=io.StringIO())
    assert out.read_bytes().count(b"<record") == Record.objects.count()
    stdout = io.StringIO()
    call_command("export_marc", "-", "--format", "ris", "--query", "perl", stdout=stdout)
    assert "TY  - BOOK" in stdout.getvalue()


def test_editor_round_trip_and_validation():
    record = make_marc("Cena $5", author="Nowak, Jan", subjects=["Zwierzęta"])
    text = editor.to_text(record)
    assert "{dollar}5" in text
    again = editor.from_text(text)
    assert again.as_dict()["fields"] == record.as_dict()["fields"]
    with pytest.raises(editor.EditorError) as exc:
        editor.from_text("LDR short\n24 10 $a\n650 4 x\n001 $a")
    assert len(exc.value.errors) >= 4


def test_seed_is_idempotent(world):
    import random
    from types import SimpleNamespace

    ctx = SimpleNamespace(
        rng=random.Random(1),
        scale=1,
        password_hash="",
        today=timezone.localdate(),
        schools=[world.a.school],
        years={},
        accounts={"demo-librarian": world.a.librarian},
        log=lambda *a: None,
    )
    seed_library(ctx)
    counts = (Record.objects.count(), Authority.objects.count())
    seed_library(ctx)
    assert (Record.objects.count(), Authority.objects.count()) == counts
    assert counts[0] >= 4000 and counts[1] == 10
    assert len(generated_records()) > 30
