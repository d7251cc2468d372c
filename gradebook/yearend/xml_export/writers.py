"""The register's data written as XML (validated against the XSD) or JSON."""

from __future__ import annotations

import datetime
import json
import shutil
import tempfile
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import IO

from lxml import etree

from portal.models import SchoolClass, SchoolYear

from .builder import FORMATS, NAMESPACE, SCHEMA_PATH, InvalidRegisterExport, RegisterBuilder

# --- XML ------------------------------------------------------------------------------------

# Lists are written as a container element of the key's name holding items of this name.
ITEMS = {
    "terms": "term",
    "subjects": "subject",
    "grade_categories": "category",
    "classes": "class",
    "groups": "group",
    "members": "member",
    "pupils": "pupil",
    "enrolments": "enrolment",
    "assignments": "assignment",
    "lessons": "lesson",
    "attendance": "entry",
    "assessments": "assessment",
    "grades": "grade",
    "history": "change",
    "deleted_grades": "deleted-grade",
    "term_grades": "term-grade",
    "behaviour_grades": "behaviour-grade",
    "remarks": "remark",
    "promotion_decisions": "decision",
    "retake_exams": "retake-exam",
    "staff": "person",
}
# Scalars written as child elements (free text); every other scalar is an attribute.
TEXTS = {
    "name",
    "short_name",
    "first_name",
    "last_name",
    "street",
    "postal_code",
    "city",
    "headteacher",
    "topic",
    "description",
    "text",
    "acknowledged_by",
    "who",
    "old",
    "new",
    "label",
    "note",
    "board",
}
# Text elements written even when empty (the XSD requires them).
REQUIRED_TEXTS = {"name", "first_name", "last_name"}


def _xml_name(key: str) -> str:
    return key.replace("_", "-")


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return str(value)


def _element(tag: str, data: dict) -> etree._Element:
    element = etree.Element(f"{{{NAMESPACE}}}{tag}", nsmap={None: NAMESPACE})
    _fill(element, data)
    return element


def _fill(element, data: dict) -> None:
    for key, value in data.items():
        name = _xml_name(key)
        if isinstance(value, list):
            container = etree.SubElement(element, f"{{{NAMESPACE}}}{name}")
            for item in value:
                _fill(etree.SubElement(container, f"{{{NAMESPACE}}}{ITEMS[key]}"), item)
        elif isinstance(value, dict):
            _fill(etree.SubElement(element, f"{{{NAMESPACE}}}{name}"), value)
        elif key in TEXTS:
            if value or key in REQUIRED_TEXTS:
                etree.SubElement(element, f"{{{NAMESPACE}}}{name}").text = _clean_text(value)
        elif value is not None and value != "":
            element.set(name, _scalar(value))


def _clean_text(value) -> str:
    """Characters XML 1.0 cannot hold (control characters pasted into a topic)
    become U+FFFD instead of breaking the document."""
    text = "" if value is None else str(value)
    return "".join(
        c if c in "\t\n\r" or (c >= " " and c not in "\ufffe\uffff") else "\ufffd" for c in text
    )


def write_xml(builder: RegisterBuilder, out: IO[bytes]) -> None:
    """Stream the register as XML: one class element at a time."""
    header = builder.header()
    attributes = {
        _xml_name(k): _scalar(header.pop(k)) for k in ("format_version", "generated_at", "scope")
    }
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element(f"{{{NAMESPACE}}}register", attributes, nsmap={None: NAMESPACE}):
            for key, value in header.items():
                _write_part(xf, key, value)
            with xf.element(f"{{{NAMESPACE}}}classes"):
                for school_class in builder.classes():
                    xf.write(_element("class", school_class))
                    xf.flush()
            _write_part(xf, "staff", builder.staff())


def _write_part(xf, key: str, value) -> None:
    holder = etree.Element("holder")
    _fill(holder, {key: value})
    for child in holder:
        xf.write(child)


@cache
def register_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def validate_xml(path: str | Path) -> None:
    """Check a written document against the XSD, reading it element by element
    (a whole school's year does not fit comfortably in memory as a tree)."""
    try:
        for _event, element in etree.iterparse(
            str(path), events=("end",), schema=register_schema(), huge_tree=True
        ):
            if element.getparent() is not None and etree.QName(element).localname == "class":
                element.clear(keep_tail=True)
    except etree.XMLSyntaxError as exc:  # a schema violation is reported as a syntax error
        raise InvalidRegisterExport(str(exc)) from exc


# --- JSON -----------------------------------------------------------------------------------


def _json_default(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def write_json(builder: RegisterBuilder, out: IO[bytes]) -> None:
    """The same data as JSON (ISO dates), streamed one class at a time."""
    header = builder.header()
    out.write(b"{")
    for key, value in header.items():
        out.write(f"{_dumps(key)}: {_dumps(value)}, ".encode())
    out.write(b'"classes": [')
    for i, school_class in enumerate(builder.classes()):
        out.write((", " if i else "").encode() + _dumps(school_class).encode())
    out.write(f'], "staff": {_dumps(builder.staff())}}}\n'.encode())


# --- Writing a file -------------------------------------------------------------------------


def register_export_write(
    *,
    school_year: SchoolYear,
    school_class: SchoolClass | None = None,
    fmt: str,
    out: IO[bytes],
) -> None:
    """Write the register of `school_year` (or of one class of it) to `out` as
    `fmt` ("xml" or "json"). XML is written to a temporary file and validated
    against the XSD before a byte reaches `out` (InvalidRegisterExport)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    builder = RegisterBuilder(school_year=school_year, school_class=school_class)
    with tempfile.NamedTemporaryFile(suffix=f".{fmt}") as tmp:
        (write_xml if fmt == "xml" else write_json)(builder, tmp)
        tmp.flush()
        if fmt == "xml":
            validate_xml(tmp.name)
        tmp.seek(0)
        shutil.copyfileobj(tmp, out, 1024 * 1024)


def export_filename(*, school_year: SchoolYear, school_class: SchoolClass | None, fmt: str) -> str:
    """A file name such as `dziennik-sp1-2026-2027-4a.xml`."""
    from django.utils.text import slugify

    parts = ["dziennik", school_year.school.slug, slugify(school_year.name.replace("/", "-"))]
    if school_class is not None:
        parts.append(slugify(school_class.name) or str(school_class.pk))
    return "-".join(p for p in parts if p) + f".{fmt}"
