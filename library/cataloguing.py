"""The cataloguing form: common record types (a printed book, an e-book, an
article or chapter in a host item) described in plain fields and written as
MARC 21, beside the tagged editor.

`build_record` turns the form's data into a pymarc Record. Editing an existing
record replaces only the fields the form manages (`MANAGED_TAGS`) and keeps every
other field (identifiers, notes, local fields) as it was; `form_initial` reads
those fields back for the form."""

from __future__ import annotations

import datetime

from pymarc import Field, Indicators, Leader, Subfield
from pymarc import Record as MarcRecord

from . import marc

KINDS = ("book", "ebook", "article")
# Leader/06-07 per kind: language material, monograph or component part.
LEADERS = {
    "book": "00000nam a2200000 a 4500",
    "ebook": "00000nam a2200000 a 4500",
    "article": "00000naa a2200000 a 4500",
}
MANAGED_TAGS = (
    "008",
    "020",
    "041",
    "080",
    "100",
    "245",
    "250",
    "264",
    "300",
    "490",
    "520",
    "650",
    "700",
    "773",
    "856",
)
BLANK = Indicators(" ", " ")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _field(tag: str, ind: tuple[str, str], *pairs: tuple[str, str]) -> Field | None:
    subfields = [Subfield(code, value.strip()) for code, value in pairs if value and value.strip()]
    if not subfields:
        return None
    return Field(tag=tag, indicators=Indicators(*ind), subfields=subfields)


def _008(kind: str, year: int | None, language: str, created: str) -> str:
    """The fixed-length data elements (40 characters) for a book, e-book or
    article: date entered, single date, Polish place code, form of item."""
    chars = list(created[:6].ljust(6) + "s" + (str(year) if year else "    ") + " " * 29)
    chars[15:18] = "pl "
    chars[23] = "o" if kind == "ebook" else " "
    chars[35:38] = (language or "pol")[:3].ljust(3)
    chars[39] = "d"
    return "".join(chars[:40])


def build_record(data: dict, base: MarcRecord | None = None) -> MarcRecord:
    """A MARC record from the cataloguing form's cleaned data; with `base`, that
    record with the managed fields replaced and the rest kept."""
    kind = data["kind"]
    record = MarcRecord(force_utf8=True)
    kept = []
    created = datetime.date.today().strftime("%y%m%d")
    if base is not None:
        leader = str(base.leader)
        record.leader = Leader(leader[:6] + LEADERS[kind][6:8] + leader[8:])
        for f in base.fields:
            if f.tag == "008" and f.data:
                created = f.data[:6]
            if f.tag not in MANAGED_TAGS:
                kept.append(f)
    else:
        record.leader = Leader(LEADERS[kind])
    fields: list[Field | None] = [
        Field(tag="008", data=_008(kind, data.get("year"), data.get("language"), created))
    ]
    fields += [_field("020", (" ", " "), ("a", isbn)) for isbn in _lines(data.get("isbn"))]
    if data.get("language"):
        fields.append(_field("041", ("0", " "), ("a", data["language"])))
    fields.append(_field("080", (" ", " "), ("a", data.get("ukd", ""))))
    author = data.get("author", "")
    fields.append(_field("100", ("1", " "), ("a", author)))
    title, subtitle = data["title"], data.get("subtitle", "")
    responsibility = data.get("responsibility", "")
    fields.append(
        _field(
            "245",
            ("1" if author else "0", "0"),
            ("a", title + (" :" if subtitle else (" /" if responsibility else ""))),
            ("b", subtitle + (" /" if subtitle and responsibility else "")),
            ("c", responsibility),
        )
    )
    fields.append(_field("250", (" ", " "), ("a", data.get("edition", ""))))
    year = str(data["year"]) if data.get("year") else ""
    fields.append(
        _field(
            "264",
            (" ", "1"),
            ("a", data.get("place", "") + (" :" if data.get("publisher") else "")),
            ("b", data.get("publisher", "") + ("," if year else "")),
            ("c", year),
        )
    )
    fields.append(_field("300", (" ", " "), ("a", data.get("extent", ""))))
    fields.append(_field("490", ("0", " "), ("a", data.get("series", ""))))
    fields.append(_field("520", (" ", " "), ("a", data.get("summary", ""))))
    fields += [_field("650", (" ", "4"), ("a", s)) for s in _lines(data.get("subjects"))]
    fields += [_field("700", ("1", " "), ("a", name)) for name in _lines(data.get("other_authors"))]
    if kind == "article":
        host = data.get("host")
        fields.append(
            _field(
                "773",
                ("0", " "),
                ("t", host.title if host else data.get("host_title", "")),
                ("g", data.get("host_related", "")),
                ("w", host.control_number if host and host.control_number else ""),
            )
        )
    if data.get("url"):
        fields.append(_field("856", ("4", "0"), ("u", data["url"])))
    new = [f for f in fields if f is not None]
    for f in sorted(kept + new, key=lambda f: f.tag):
        record.add_field(f)
    return record


def form_initial(record: MarcRecord, host_id: int | None = None) -> dict:
    """The cataloguing form's fields, read from a record."""
    desc = marc.describe(record)
    leader = str(record.leader)
    f008 = (record.get_fields("008") or [None])[0]
    if leader[7:8] in ("a", "b"):
        kind = "article"
    elif (f008 is not None and (f008.data or "")[23:24] in ("o", "s")) or record.get_fields("856"):
        kind = "ebook"
    else:
        kind = "book"

    def sub(tag: str, code: str) -> str:
        for f in record.get_fields(tag):
            value = f.get(code)
            if value:
                return marc.clean(value)
        return ""

    others = [marc.clean(f.get("a") or "") for f in record.get_fields("700") if f.get("a")]
    return {
        "kind": kind,
        "title": sub("245", "a"),
        "subtitle": sub("245", "b"),
        "responsibility": sub("245", "c"),
        "author": sub("100", "a"),
        "other_authors": "\n".join(others),
        "edition": desc["edition"],
        "place": sub("264", "a") or sub("260", "a"),
        "publisher": desc["publisher"],
        "year": desc["year"],
        "extent": desc["extent"],
        "isbn": "\n".join(v for f in record.get_fields("020") for v in f.get_subfields("a")),
        "series": sub("490", "a"),
        "language": desc["language"] or "pol",
        "subjects": "\n".join(marc.clean(f.get("a") or "") for f in record.get_fields("650")),
        "ukd": desc["ukd"],
        "summary": desc["summary"],
        "url": sub("856", "u"),
        "host": host_id,
        "host_title": desc["host_title"],
        "host_related": desc["host_related"],
    }
