"""Export of records as MARC 21, MARCXML, MARC-in-JSON, RIS and BibTeX. RIS and
BibTeX are written through portal.exports, which keeps every value inside its line
and field whatever the imported MARC holds."""

from __future__ import annotations

import re
from collections.abc import Iterable

from portal.exports import bibtex_entry, ris_line

from . import marc
from .analysis import fold
from .models import Record

EXPORT_FORMATS = {
    "mrc": ("application/marc", "mrc"),
    "xml": ("application/marcxml+xml", "xml"),
    "json": ("application/json", "json"),
    "ris": ("application/x-research-info-systems", "ris"),
    "bib": ("application/x-bibtex", "bib"),
}


def _names(record: Record) -> list[str]:
    return [re.sub(r"\s*\(.*?\)$", "", n) for n in record.names] or (
        [record.main_author] if record.main_author else []
    )


def ris(records: Iterable[Record]) -> str:
    out = []
    for r in records:
        kind = {"article": "JOUR" if r.host_title else "CHAP", "serial": "JFULL"}.get(
            r.material, "BOOK"
        )
        fields = [("TY", kind), ("TI", r.title)]
        fields += [("AU", n) for n in _names(r)]
        fields += [
            ("PY", r.year),
            ("PB", r.publisher),
            ("CY", r.place),
            ("ET", r.edition),
        ]
        fields += [("SN", i) for i in r.isbns]
        fields += [("KW", s) for s in r.subjects]
        fields += [("T2", r.host_title), ("LA", r.language), ("AB", r.summary)]
        lines = [ris_line(tag, value) for tag, value in fields if value]
        lines.append("ER  - ")
        out.append("\r\n".join(lines))
    return "\r\n".join(out) + "\r\n"


def bibtex_key(record: Record) -> str:
    author = fold(_names(record)[0].split(",")[0]) if _names(record) else "anon"
    word = next((w for w in fold(record.title).split() if len(w) > 3), "tytul")
    return re.sub(r"[^a-z0-9]", "", f"{author}{record.year or ''}{word}") or f"rec{record.pk}"


def bibtex(records: Iterable[Record]) -> str:
    out = []
    for r in records:
        kind = "incollection" if r.host_title else "book"
        fields = [
            ("title", r.title),
            ("author", " and ".join(_names(r))),
            ("year", str(r.year or "")),
            ("publisher", r.publisher),
            ("address", r.place),
            ("edition", r.edition),
            ("isbn", ", ".join(r.isbns)),
            ("booktitle", r.host_title),
            ("keywords", ", ".join(r.subjects)),
        ]
        out.append(bibtex_entry(kind, bibtex_key(r), fields))
    return "\n\n".join(out) + "\n"


def export(records: Iterable[Record], fmt: str) -> bytes:
    records = list(records)
    if fmt == "mrc":
        return marc.to_binary(marc.from_stored(r.marc) for r in records)
    if fmt == "xml":
        return marc.to_marcxml(marc.from_stored(r.marc) for r in records)
    if fmt == "json":
        return marc.to_json(marc.from_stored(r.marc) for r in records).encode()
    if fmt == "ris":
        return ris(records).encode()
    if fmt == "bib":
        return bibtex(records).encode()
    raise ValueError(fmt)


def citation(record: Record) -> str:
    """A short citation in the style Polish school essays use (PN-ISO 690 like)."""
    parts = []
    names = _names(record)
    if names:
        parts.append(
            names[0].upper().split(",")[0]
            + ("," + names[0].split(",", 1)[1] if "," in names[0] else "")
        )
    title = record.title
    parts.append(title)
    if record.edition:
        parts.append(record.edition)
    pub = ", ".join(
        x
        for x in [
            record.place and f"{record.place}: {record.publisher}"
            if record.publisher
            else record.place,
            str(record.year or ""),
        ]
        if x
    )
    if pub:
        parts.append(pub)
    if record.isbns:
        parts.append("ISBN " + record.isbns[0])
    return ". ".join(p.rstrip(".") for p in parts if p) + "."
