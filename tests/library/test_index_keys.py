"""The import's speed-ups (issue 17) must not change what is indexed: the search
rows of the committed MARC files, imported through the importer, equal what the
plain analysis gives (each field's texts joined and analysed word by word, with
`words` as it was before its fast path), column by column."""

import gzip
import io
import re
import unicodedata

import pytest

from library import marc
from library.analysis import FIELD_PREFIX
from library.demo import DEMO_DATA
from library.importing import import_stream
from library.indexing import KEY_COLUMNS, SEARCH_COLUMNS, search_document, vocabulary
from library.models import Record, SearchDocument, Term
from portal.search.analysis import (
    POLISH,
    algorithm,
    fold,
    other_keys,
    polish_index_keys,
    words,
)
from tests.library.conftest import PYMARC

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_PRIME = re.compile("\u02b9([cnoszCNOSZ])")
_OGONEK = re.compile("([aeAE])[\u0326\u031c\u0327]")


def plain_words(text):
    """`words` without its fast path."""
    text = _OGONEK.sub("\\1\u0328", _PRIME.sub("\\1\u0301", text or ""))
    text = unicodedata.normalize("NFC", text)
    return _WORD.findall(text.lower())


def plain_keys(text, language):
    name = algorithm(language)
    out = set()
    for word in plain_words(text):
        out.update(polish_index_keys(word) if name == POLISH else other_keys(word, name))
    return out


def plain_key_columns(desc):
    """The key columns as search_document computed them before issue 17's speed-ups."""
    language = desc["language"]
    title = plain_keys(desc["title"] + " " + desc["host_title"], language)
    author = plain_keys(" ".join(desc["names"]) + " " + desc["responsibility"], language)
    subject = plain_keys(" ".join(desc["subjects"] + desc["genres"]), language)
    series = plain_keys(" ".join(desc["series"]), language)

    def prefixed(field, keys):
        return {FIELD_PREFIX[field] + k for k in keys}

    columns = {
        "title_keys": title,
        "heading_keys": prefixed("author", author) | prefixed("subject", subject),
        "note_keys": prefixed("series", series) | plain_keys(desc["summary"][:2000], language),
        "other_keys": plain_keys(desc["publisher"] + " " + desc["edition"], language)
        | {"zzi" + isbn for isbn in desc["isbns"] + desc.get("isbns_invalid", [])},
    }
    return {column: " ".join(sorted(keys)) for column, keys in columns.items()}


def plain_folded(desc):
    """The search row's folded text as it was computed before it shared its folding."""

    def phrase(text):
        return " ".join(plain_words(fold(text)))

    return " ".join(
        [
            phrase(desc["title"]),
            phrase(" ".join(desc["names"])),
            phrase(" ".join(desc["subjects"] + desc["genres"])),
            fold(" ".join(desc["series"])),
        ]
    )


def plain_vocabulary(desc):
    """The vocabulary as it was computed before the search row shared its folding."""
    text = " ".join([desc["title"], desc["main_author"], " ".join(desc["subjects"])])
    return {w for w in plain_words(fold(text)) if 3 <= len(w) <= 60 and w.isalpha()}


def committed_marc() -> bytes:
    """The demo catalogue's excerpt of Library of Congress records (Polish and
    other languages) and pymarc's binary samples, one file."""
    with gzip.open(DEMO_DATA / "loc-excerpt.mrc.gz") as stream:
        data = stream.read()
    for path in sorted(PYMARC.iterdir()):
        if path.suffix in (".dat", ".mrc"):
            data += path.read_bytes()
    return data


def test_words_fast_path_matches_the_plain_analysis():
    texts = [
        "Wartoʹsci i ksie̜gach",  # prime before the letter, comma below for the ogonek
        "Światopogla̦d; ΟΔΟΣ Σοφίας",  # half ring below, a final sigma
        "Żółw",
        "e\u0301cole",  # decomposed
        "",
        "plain ascii, 1999",
    ]
    with gzip.open(DEMO_DATA / "loc-excerpt.mrc.gz") as stream:
        for item in marc.read_binary(stream):
            for f in item.record.fields if item.record else []:
                texts.append(f.data if f.control_field else " ".join(v for _c, v in f.subfields))
    for text in texts:
        assert words(text) == plain_words(text), text


@pytest.mark.django_db
def test_imported_search_rows_equal_the_plain_analysis():
    summary = import_stream(io.BytesIO(committed_marc()), "marc", keep_outcomes=False)
    assert summary.total > 4000
    rows = {row["record_id"]: row for row in SearchDocument.objects.values(*SEARCH_COLUMNS)}
    assert len(rows) == Record.objects.count() > 4000
    vocabularies = set()
    for pk, data, school_id in Record.objects.values_list("pk", "marc", "school_id"):
        desc = marc.describe(marc.from_stored(data))
        expected = search_document(pk, desc, school_id)
        assert rows[pk] == expected
        plain = plain_key_columns(desc)
        assert {c: rows[pk][c] for c in KEY_COLUMNS} == plain, desc["title"]
        assert rows[pk]["folded"] == plain_folded(desc), desc["title"]
        assert vocabulary(desc) == plain_vocabulary(desc), desc["title"]
        vocabularies |= plain_vocabulary(desc)
    assert set(Term.objects.values_list("word", flat=True)) == vocabularies
