"""The officer's tables as files: CSV and XLSX of one table, every table of the
year as one workbook, and the open data CSV. Headers and notes in the portal's
language (Polish); a hidden figure is "*", no data is empty. A cell is text
that never starts a formula, or a number."""

from __future__ import annotations

import io
from decimal import Decimal

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from portal.exports import csv_text, number_cell, spreadsheet_cell

from .charts import value_of
from .measures import MEASURES, MIN_POPULATION
from .selectors import Figure


def _cell(cell, *, decimal_comma: bool):
    if isinstance(cell, Figure):
        if cell.value is not None and cell.suppressed:
            return "*"
        cell = value_of(cell)
    if cell is None:
        return ""
    if isinstance(cell, Decimal | float) and decimal_comma:
        return number_format(cell, use_l10n=True)
    return cell


def table_rows(table, *, decimal_comma: bool = False) -> list[list]:
    header = [str(c.label) for c in table.columns]
    body = [*table.rows, *table.foot]
    return [header, *[[_cell(c, decimal_comma=decimal_comma) for c in row] for row in body]]


def notes(table) -> list[str]:
    """The definitions of the table's measures and the suppression rule."""
    lines = [
        f"{MEASURES[k].label}: {MEASURES[k].definition} ({_('Source')}: {MEASURES[k].source})"
        for k in dict.fromkeys(table.measure_keys)
    ]
    lines.append(
        _("* hidden: computed from fewer than %(n)s pupils, so that nobody can be recognised.")
        % {"n": MIN_POPULATION}
    )
    return lines


def as_csv(table) -> bytes:
    """UTF-8 with a BOM and semicolons, decimal commas: what a Polish
    spreadsheet opens as numbers."""
    with override(settings.LANGUAGE_CODE):
        rows = table_rows(table, decimal_comma=True)
    return "\ufeff".encode() + csv_text(rows, delimiter=";").encode("utf-8")


def _sheet_title(title: str, used: set[str]) -> str:
    base = "".join("-" if ch in "[]:*?/\\" else ch for ch in title)[:28] or "Arkusz"
    name, n = base, 2
    while name.lower() in used:
        name, n = f"{base[:25]} {n}", n + 1
    used.add(name.lower())
    return name


def as_xlsx(tables, *, computed_at=None) -> bytes:
    """One sheet per table: the title, the header, the rows, then the notes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    with override(settings.LANGUAGE_CODE):
        for table in tables:
            sheet = book.create_sheet(_sheet_title(str(table.title), used))
            sheet.append([spreadsheet_cell(str(table.title))])
            sheet["A1"].font = Font(bold=True)
            header, *body = table_rows(table)
            sheet.append([spreadsheet_cell(v) for v in header])
            for cell in sheet[2]:
                cell.font = Font(bold=True)
            for row in body:
                sheet.append([number_cell(v) for v in row])
            sheet.append([])
            for line in notes(table):
                sheet.append([spreadsheet_cell(line)])
            if computed_at is not None:
                sheet.append([spreadsheet_cell(f"{_('Computed')}: {computed_at:%Y-%m-%d %H:%M}")])
            sheet.column_dimensions["A"].width = 36
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def open_data_csv(table, *, licence: str) -> bytes:
    """Machine-readable: commas and decimal points, UTF-8; the licence and the
    suppression rule on the first lines, marked with "#"."""
    with override(settings.LANGUAGE_CODE):
        rows = table_rows(table)
        head = f"# {licence}\r\n# {notes(table)[-1]}\r\n"
    return (head + csv_text(rows)).encode("utf-8")
