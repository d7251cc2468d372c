"""Text for the files the portal hands out, one helper per format: RIS, BibTeX,
CSV/XLSX cells and iCalendar.

The values come from people and imported files (MARC records, contact-form
submissions, homework descriptions), so a value must never be able to end its
line, field or record and start one of its own, and a spreadsheet must never run
a value as a formula. Every export in the project builds its file through these
helpers; docs/security.md ("Exports and feeds") says what each one does.

The module is shared by every app and imports none of them.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from icalendar import Calendar, Event

from django.http import HttpResponse

# C0 controls (CR, LF, TAB, ...), DEL, C1 controls (NEL, ...) and the Unicode line
# and paragraph separators, which some readers also take for the end of a line.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_CONTROLS_BUT_LINE_BREAKS = re.compile(r"[\x00-\x09\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]+")


def one_line(value) -> str:
    """`value` as text on one line: each run of control characters becomes one space."""
    return _CONTROLS.sub(" ", "" if value is None else str(value))


def keep_lines(value) -> str:
    """`value` as text whose every line break is a plain LF and which holds no other
    control character (each run of them becomes one space)."""
    text = _LINE_BREAK.sub("\n", "" if value is None else str(value))
    return _CONTROLS_BUT_LINE_BREAKS.sub(" ", text)


# --- RIS ---------------------------------------------------------------------------------

_RIS_TAG = re.compile(r"[A-Z][A-Z0-9]")


def ris_line(tag: str, value) -> str:
    """One `TAG  - value` line of a RIS record. The value is folded onto one line,
    so nothing in it can start a tag line (`ER  - `, `TY  - `) of its own."""
    if not _RIS_TAG.fullmatch(tag):
        raise ValueError(f"not a RIS tag: {tag!r}")
    return f"{tag}  - {one_line(value)}"


# --- BibTeX ------------------------------------------------------------------------------

# BibTeX counts braces without looking at backslashes (`\}` still closes a field), so
# braces and backslashes become text commands whose own braces are balanced.
_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
}
_BIBTEX_SPECIAL_RE = re.compile("|".join(re.escape(c) for c in _BIBTEX_SPECIAL))
_BIBTEX_NAME = re.compile(r"[a-z]+")
_BIBTEX_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_:.-]")


def bibtex_value(value) -> str:
    """A field value to put between the braces of `field = {...}`: on one line, with
    LaTeX's special characters escaped and no brace that could close the field."""
    return _BIBTEX_SPECIAL_RE.sub(lambda m: _BIBTEX_SPECIAL[m.group()], one_line(value))


def bibtex_entry(kind: str, key: str, fields: Iterable[tuple[str, object]]) -> str:
    """One `@kind{key, field = {value}, ...}` entry; empty fields are left out."""
    fields = [(name, value) for name, value in fields if value]
    for name in (kind, *(name for name, _value in fields)):
        if not _BIBTEX_NAME.fullmatch(name):
            raise ValueError(f"not a BibTeX name: {name!r}")
    body = ",\n".join(f"  {name} = {{{bibtex_value(value)}}}" for name, value in fields)
    return f"@{kind}{{{_BIBTEX_KEY_UNSAFE.sub('', key)},\n{body}\n}}"


# --- CSV and spreadsheets ----------------------------------------------------------------

# OWASP's list (=, +, -, @, TAB, CR) with LF and the fullwidth forms spreadsheets also
# take for an operator; a formula sign after leading blanks counts too, since some
# spreadsheets trim the blanks on import. Asked of the value as it was given.
_FORMULA_START = re.compile(r"[\t\r\n]|\s*[=+\-@\uff1d\uff0b\uff0d\uff20]")
_TYPED_VALUES = (int, float, Decimal, datetime.date, datetime.time)


def spreadsheet_cell(value):
    """A value for a CSV or XLSX cell that a spreadsheet shows as text and never runs.

    Text is always text: one that starts like a formula gets a leading apostrophe (so
    `-5` typed into a text field reads `'-5`); line breaks become LF and other control
    characters spaces. Numbers, dates and times given as Python values (not as text)
    are written as they are: they cannot hold a formula and stay sortable.
    """
    if value is None:
        return ""
    if isinstance(value, _TYPED_VALUES):
        return value
    text = str(value)
    if _FORMULA_START.match(text):
        return "'" + keep_lines(text)
    return keep_lines(text)


def number_cell(value):
    """A cell of a numeric column: a finite number given as text becomes a number,
    anything else is an ordinary (neutralised) text cell."""
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return spreadsheet_cell(value)
        return number if number.is_finite() else spreadsheet_cell(value)
    return spreadsheet_cell(value)


class SafeSpreadsheetExportMixin:
    """For a view built on Wagtail's `SpreadsheetExportMixin`: its CSV and XLSX
    downloads write every heading and cell through `spreadsheet_cell` (the fields
    named by `numeric_export_fields` through `number_cell`). Wagtail writes them as
    they are: `=HYPERLINK(...)` typed into a form would reach the CSV as a formula,
    and a control character would make the XLSX download fail."""

    numeric_export_fields: Iterable[str] = ()

    def get_heading(self, queryset, field):
        return spreadsheet_cell(super().get_heading(queryset, field))

    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        if field in self.numeric_export_fields:
            return number_cell(value)
        return spreadsheet_cell(value)


class SafeCsvWriter:
    """`csv.writer` whose every cell goes through `spreadsheet_cell`."""

    def __init__(self, file, **fmtparams):
        self._writer = csv.writer(file, **fmtparams)

    def writerow(self, row: Iterable) -> None:
        self._writer.writerow([spreadsheet_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def csv_text(rows: Iterable[Iterable], **fmtparams) -> str:
    """The rows as CSV text, formula-safe (`fmtparams` as for `csv.writer`)."""
    buffer = io.StringIO()
    SafeCsvWriter(buffer, **fmtparams).writerows(rows)
    return buffer.getvalue()


def csv_response(rows: Iterable[Iterable], *, filename: str, **fmtparams) -> HttpResponse:
    """A CSV download of the rows, formula-safe."""
    response = HttpResponse(csv_text(rows, **fmtparams), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- iCalendar ---------------------------------------------------------------------------


def ical_calendar(*, prodid: str, name: str) -> Calendar:
    """An empty VCALENDAR to add `ical_event`s to."""
    calendar = Calendar()
    calendar.add("prodid", one_line(prodid))
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", one_line(name))
    return calendar


def _ical_moment(value: datetime.date) -> datetime.date:
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(datetime.UTC)
    return value


def ical_event(
    *,
    uid: str,
    stamp: datetime.datetime,
    start: datetime.date,
    end: datetime.date,
    summary: str,
    description: str = "",
    location: str = "",
    url: str = "",
) -> Event:
    """One VEVENT. A date gives an all-day event, an aware datetime a moment written
    in UTC. The summary, location and URL are folded onto one line; the description
    keeps its line breaks, which the `icalendar` package writes escaped (`\\n`)."""
    event = Event()
    event.add("uid", one_line(uid))
    event.add("dtstamp", _ical_moment(stamp))
    event.add("summary", one_line(summary))
    if url:
        event.add("url", one_line(url))
    event.add("dtstart", _ical_moment(start))
    event.add("dtend", _ical_moment(end))
    if location:
        event.add("location", one_line(location))
    if description:
        event.add("description", keep_lines(description))
    return event


def ical_response(calendar: Calendar, *, filename: str = "") -> HttpResponse:
    """The calendar as a `text/calendar` response (inline, so phones subscribe to it)."""
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    if filename:
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
