"""An ISBN with a wrong check digit is a visible warning (import report, editor,
record page) and the record stays findable by it; the import report gives its
reasons in Polish, never a Python exception's text."""

import io
import re

import pytest

from django.urls import reverse
from django.utils import translation

from library import marc
from library.importing import import_stream
from library.models import Record
from tests.library.conftest import PYMARC, make_marc

pytestmark = pytest.mark.django_db

BAD_ISBN = "83-01-00000-2"  # 83-01-00000-1 is the valid one
GOOD_ISBN = "83-04-04663-6"


def test_a_wrong_check_digit_is_a_warning_in_the_import_report_and_stays_findable(client):
    data = marc.to_binary(
        [make_marc("Zły numer", isbn=BAD_ISBN), make_marc("Dobry", isbn=GOOD_ISBN)]
    )
    with translation.override("pl"):
        summary = import_stream(io.BytesIO(data), "marc")
    bad, good = summary.outcomes
    assert bad.outcome == "warned" and "8301000002" in bad.reason
    assert "błędną cyfrę kontrolną" in bad.reason
    assert good.outcome == "imported"
    for typed in (BAD_ISBN, "8301000002"):
        found = client.get(reverse("library:search"), {"q": typed}).context["total"]
        assert found == 1, typed
    assert client.get(reverse("library:search"), {"isbn": BAD_ISBN}).context["total"] == 1
    assert client.get(reverse("library:search"), {"q": GOOD_ISBN}).context["total"] == 1
    # A wrong ISBN is not used to match editions: another record with it is a new one.
    again = import_stream(io.BytesIO(marc.to_binary([make_marc("Inny", isbn=BAD_ISBN)])), "marc")
    assert again.outcomes[0].outcome == "warned" and Record.objects.count() == 3


def test_the_editor_and_the_record_page_warn_the_librarian(world, login, client):
    librarian = login(world.a.librarian)
    response = librarian.post(
        reverse("library:record_new"),
        {
            "text": f"LDR 00000nam a2200000 a 4500\n020    $a{BAD_ISBN}\n245 10 $aZ błędem",
            "school": world.a.school.pk,
        },
        follow=True,
    )
    page = response.content.decode()
    assert "ISBN 8301000002 ma błędną cyfrę kontrolną" in page
    record = Record.objects.get()
    assert "Do sprawdzenia w tym rekordzie" in librarian.get(record.get_absolute_url()).text
    client.logout()
    assert "błędną cyfrę" not in client.get(record.get_absolute_url()).text


ENGLISH = re.compile(r"invalid literal|Unable to|[A-Z][a-z]+(Invalid|NotFound|Error)\b|base 10")


SAMPLES = sorted(p for p in PYMARC.iterdir() if p.suffix in (".dat", ".mrc", ".xml", ".json"))


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_import_report_reasons_are_in_polish(path):
    fmt = marc.guess_format(path.name, path.read_bytes()[:200])
    with translation.override("pl"), path.open("rb") as fh:
        summary = import_stream(fh, fmt)
    reasons = [o.reason for o in summary.outcomes if o.reason]
    for reason in reasons:
        assert not ENGLISH.search(reason), reason


def test_a_directory_that_is_not_numbers_is_explained():
    raw = bytearray(marc.to_binary([make_marc("Zepsuty katalog")]))
    raw[24:27] = b"f00"  # the first directory entry's tag and length turn to letters
    raw[27:31] = b"xxxx"
    with translation.override("pl"):
        outcome = import_stream(io.BytesIO(bytes(raw)), "marc").outcomes[0]
    assert outcome.outcome == "rejected"
    assert outcome.reason.startswith("katalog rekordu jest uszkodzony"), outcome.reason
