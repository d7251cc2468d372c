"""RIS and BibTeX exports of records whose imported MARC holds line breaks, braces
and backslashes: a value stays inside its own line, field and record."""

import re

import pytest

from django.urls import reverse

from tests.factories.library import record_create

pytestmark = pytest.mark.django_db

FORGED_TITLE = "Tytuł\r\nER  - \r\nTY  - BOOK\r\nTI  - Podrobiony"


def forged_record():
    return record_create(
        FORGED_TITLE,
        author="Kowal}, Jan\n\n@misc{wstrzykniety, title = {x",
        subjects=["Zwierzęta\rKW  - obce", "Las\\}\\\\}", "Bajki\u2028AU  - Ktoś\x85Inny"],
        host=[("t", "Zbiór\nT2  - Inny")],
    )


def test_line_breaks_in_marc_cannot_forge_ris_records(client):
    record = forged_record()
    body = client.get(reverse("library:record_export", args=[record.pk, "ris"])).content.decode()
    lines = body.split("\r\n")
    assert lines.pop() == ""
    assert all(not re.search(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", line) for line in lines)
    assert all(re.match(r"[A-Z][A-Z0-9]  - ", line) for line in lines), lines
    tags = [line[:2] for line in lines]
    assert tags.count("TY") == 1 and tags.count("ER") == 1 and tags[-1] == "ER"
    assert tags.count("TI") == 1 and tags.count("AU") == 1 and tags.count("T2") == 1
    assert tags.count("KW") == 3
    assert "TI  - Tytuł ER  -  TY  - BOOK TI  - Podrobiony" in lines


def bibtex_skeleton(text: str) -> tuple[str, str]:
    """What BibTeX sees outside the field values: the text at brace depth 0 (between
    entries) and at depth 1 (an entry's key and field names). BibTeX counts braces
    literally, a backslash before one does not hide it."""
    depth, between, inside = 0, [], []
    for char in text:
        if char == "{":
            depth += 1
            continue
        if char == "}":
            depth -= 1
            assert depth >= 0, "a value closed more braces than it opened"
            continue
        if depth == 0:
            between.append(char)
        elif depth == 1:
            inside.append(char)
    assert depth == 0
    return "".join(between), "".join(inside)


def test_braces_backslashes_and_line_breaks_cannot_close_a_bibtex_entry(client):
    record = forged_record()
    body = client.get(reverse("library:record_export", args=[record.pk, "bib"])).content.decode()
    between, inside = bibtex_skeleton(body)
    assert between.split() == ["@incollection"]
    assert re.findall(r"(\w+) = ", inside) == [
        "title",
        "author",
        "year",
        "booktitle",
        "keywords",
    ]
    lines = body.strip().split("\n")
    assert lines[0].startswith("@incollection{") and lines[-1] == "}"
    assert all(re.fullmatch(r"  [a-z]+ = \{.*\},?", line) for line in lines[1:-1]), lines
    assert r"Kowal\textbraceright{}, Jan @misc\textbraceleft{}wstrzykniety" in body
    assert r"Las\textbackslash{}\textbraceright{}\textbackslash{}\textbackslash{}" in body
