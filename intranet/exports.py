"""All answers to a request at once: files as a ZIP, form answers as CSV
(UTF-8 with a BOM, so Excel reads the Polish letters) and XLSX. Headers in
the portal's language (Polish)."""

from __future__ import annotations

import io
import zipfile

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override, pgettext

from portal.exports import csv_text, number_cell, spreadsheet_cell
from portal.files import safe_filename

from .models import DataRequest, RequestField
from .selectors import request_status


def _value(field: RequestField, value):
    if value is None or value == "":
        return ""
    if field.kind == RequestField.Kind.YES_NO:
        return _("yes") if value else _("no")
    return value


def _status_label(status: str) -> str:
    return {
        "answered": _("answered"),
        "late": _("answered late"),
        "missing": _("not answered"),
        "overdue": _("not answered, overdue"),
    }[status]


def table(data_request: DataRequest) -> list[list]:
    """Header and one row per chosen school, in the portal's language."""
    with override(settings.LANGUAGE_CODE):
        fields = list(data_request.fields.all())
        header = [_("School"), pgettext("intranet", "Status"), _("Answered by"), _("Answered at")]
        header += [pgettext("intranet", "Late")]
        header += [f.label for f in fields] + [pgettext("intranet", "Note")]
        rows = [header]
        for row in request_status(data_request):
            answer = row.answer
            values = answer.values if answer else {}
            rows.append(
                [
                    row.school.name,
                    _status_label(row.status),
                    answer.answered_by.get_full_name() if answer else "",
                    date_format(timezone.localtime(answer.answered_at), "Y-m-d H:i")
                    if answer
                    else "",
                    (_("yes") if answer.late else _("no")) if answer else "",
                ]
                + [_value(f, values.get(str(f.pk))) for f in fields]
                + [answer.note if answer else ""]
            )
        return rows


def as_csv(data_request: DataRequest) -> bytes:
    """Every cell through `spreadsheet_cell`: a school's answer never runs as a
    formula in the office's spreadsheet."""
    return "\ufeff".encode() + csv_text(table(data_request), delimiter=";").encode("utf-8")


def as_xlsx(data_request: DataRequest) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = (safe_filename(data_request.title, "Odpowiedzi")[:31]).replace("/", "-")
    for i, row in enumerate(table(data_request)):
        # text never starts a formula; numbers stay numbers
        sheet.append([number_cell(v) if i else spreadsheet_cell(v) for v in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def as_zip(data_request: DataRequest) -> bytes:
    """Each answered school's file, named after the school."""
    buffer = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for row in request_status(data_request):
            answer = row.answer
            if answer is None or not answer.file:
                continue
            name = safe_filename(f"{row.school.short_name or row.school.name} - {answer.file_name}")
            base, n = name, 2
            while name in used:
                name = f"{n}-{base}"
                n += 1
            used.add(name)
            with answer.file.open("rb") as handle:
                archive.writestr(name, handle.read())
    return buffer.getvalue()
