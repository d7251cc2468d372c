"""The importer's fast paths must give exactly what the libraries they replace give."""

import re

import pytest
from pymarc import Record as PymarcRecord
from stdnum import isbn as stdnum_isbn

from library import marc
from tests.library.conftest import PYMARC

# pymarc's samples whose leader declares UTF-8 and whose structure is regular:
# the fast path must decode at least one record of each (and match pymarc).
FAST_PATH_SAMPLES = {
    "alphatag.dat",
    "diacritic.dat",
    "marc8-to-unicode.dat",
    "multi_isbn.dat",
    "one.dat",
    "regression45.dat",
    "utf8_errors.dat",
    "utf8_with_leader_flag.dat",
}
BINARY = sorted(p for p in PYMARC.iterdir() if p.suffix in (".dat", ".mrc"))


@pytest.mark.parametrize("path", BINARY, ids=lambda p: p.name)
def test_fast_utf8_decoding_matches_pymarc(path):
    checked = 0
    with path.open("rb") as fh:
        for raw in marc.split_binary(fh):
            fast = marc._decode_utf8(raw.lstrip(b"\r\n\t \x00"))
            if fast is None:  # irregular or MARC-8: pymarc decodes it
                continue
            ref = PymarcRecord(data=raw.lstrip(b"\r\n\t \x00"), to_unicode=True)
            assert marc.to_dict(fast) == ref.as_dict()
            assert fast.as_marc() == ref.as_marc()
            assert str(fast) == str(ref)
            checked += 1
    # MARC-8 samples and deliberately broken ones go through pymarc; the regular
    # UTF-8 samples must take the fast path (else this test compares nothing).
    assert (checked > 0) == (path.name in FAST_PATH_SAMPLES)


def test_to_dict_matches_pymarc_as_dict():
    with (PYMARC / "test.dat").open("rb") as fh:
        for item in marc.read_binary(fh):
            if item.record is not None:
                assert marc.to_dict(item.record) == item.record.as_dict()


def _stdnum(value):
    match = re.search(r"[0-9][0-9\- ]{8,16}[0-9Xx]", value)
    if not match:
        return ""
    try:
        return stdnum_isbn.to_isbn13(stdnum_isbn.validate(re.sub(r"[\- ]", "", match.group(0))))
    except Exception:
        return ""


@pytest.mark.parametrize(
    "value",
    [
        "83-01-00000-1",
        "83-01-00000-2",
        "0-8039-6835-3",
        "080396835X",
        "978-83-01-00000-8",
        "9788301000008 (pbk.)",
        "9798301000008",
        "9778301000008",
        "123456789",
        "12345678X",
        "0 8039 6835 3 (cloth)",
        "ISBN 1-56592-",
        "",
        "X123456789",
        "97883010000X8",
    ],
)
def test_isbn_normalisation_matches_stdnum(value):
    assert marc.normalise_isbn(value) == _stdnum(value)
