"""The year end's files: the classification summaries as CSV (through the
portal's formula-safe cells) and as PDF (WeasyPrint, through the portal's one
`render_pdf`, shared with the library's and the data-protection PDFs).

Both PDFs come from one template, `yearend/classification_pdf.html`, with print
CSS (A4, the school's name in the header, page numbers from the @page counter);
later printouts (the certificates, the record sheets) extend its base."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from portal.exports import csv_text
from portal.pdfs import pdf_response, render_pdf

from .selectors import ClassClassification, SchoolClassification, Totals

PDF_TEMPLATE = "yearend/classification_pdf.html"
__all__ = ["render_pdf", "class_pdf", "school_pdf", "class_csv", "school_csv"]


def number(value) -> str:
    """A figure as Polish spreadsheets read it: a decimal comma, empty for none."""
    if value is None:
        return ""
    if isinstance(value, float | Decimal):
        return f"{value}".replace(".", ",")
    return str(value)


def yes(flag: bool) -> str:
    return _("yes") if flag else ""


def csv_response(rows, *, filename: str) -> HttpResponse:
    """Semicolons and a byte-order mark, as a Polish spreadsheet opens a CSV."""
    text = "\ufeff" + csv_text(rows, delimiter=";", lineterminator="\r\n")
    response = HttpResponse(text.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slugify(filename)}.csv"'
    return response


def cell_text(cell, in_progress: bool = False) -> str:
    if cell is None:
        return "–"
    if cell.unclassified and in_progress:
        return _("none yet")
    if cell.unclassified:
        return _("unclassified")
    if cell.grade is None:
        return _("descriptive")
    return str(cell.grade)


def _unclassified_label(in_progress: bool) -> str:
    """Before the term is closed a missing final grade is not yet "unclassified"."""
    if in_progress:
        return _("Without a final grade in a subject")
    return _("Unclassified in a subject")


def _totals_rows(totals: Totals, in_progress: bool) -> list[list]:
    rows = [
        [_("Pupils"), totals.pupils],
        [_("Classified in every subject"), totals.classified],
        [_unclassified_label(in_progress), totals.unclassified],
        [_("With a failing grade"), totals.failing],
        [_("Honours"), totals.honours],
        [_("At risk"), totals.at_risk],
        [_("Average"), number(totals.average)],
        [_("Attendance %"), number(totals.attendance)],
    ]
    rows += [[label, n] for label, n in totals.outcome_list]
    return rows


def class_csv_rows(result: ClassClassification) -> list[list]:
    school_class, term = result.school_class, result.term
    rows: list[list] = [
        [_("Classification summary"), str(school_class.school), school_class.name, str(term)],
        [],
        [
            _("No."),
            _("Pupil"),
            *[s.name for s in result.subjects],
            _("Average"),
            _("Behaviour"),
            _("Attendance %"),
            _("Without a final grade in") if result.in_progress else _("Unclassified in"),
            _("Failing grades"),
            _("Honours"),
            _("At risk"),
            _("Proposed outcome"),
        ],
    ]
    for row in result.rows:
        rows.append(
            [
                row.number or "",
                row.pupil.sort_name,
                *[cell_text(c, result.in_progress) for c in row.cells],
                number(row.average),
                row.behaviour_label,
                number(row.attendance),
                ", ".join(s.name for s in row.unclassified),
                row.failing,
                yes(row.honours),
                yes(row.at_risk),
                row.outcome_label,
            ]
        )
    rows += [
        [],
        [
            _("Subject"),
            _("Classified"),
            _("Without a final grade") if result.in_progress else _("Unclassified"),
            *[str(g) for g in range(1, 7)],
            _("Average"),
            _("Failing grades"),
        ],
    ]
    for s in result.stats:
        rows.append(
            [
                s.subject.name,
                s.classified,
                s.unclassified,
                *[n for _g, n in s.distribution_list],
                number(s.average),
                s.failing,
            ]
        )
    return [*rows, [], *_totals_rows(result.totals, result.in_progress)]


def school_csv_rows(result: SchoolClassification) -> list[list]:
    rows: list[list] = [
        [_("Classification summary"), str(result.school), str(result.term)],
        [],
        [
            _("Class"),
            _("Homeroom teacher"),
            _("Pupils"),
            _("Classified in every subject"),
            _unclassified_label(result.in_progress),
            _("With a failing grade"),
            _("Honours"),
            _("At risk"),
            _("Average"),
            _("Attendance %"),
        ],
    ]
    for c in result.classes:
        t = c.totals
        teacher = c.school_class.homeroom_teacher
        rows.append(
            [
                c.school_class.name,
                teacher.get_full_name() if teacher else "",
                t.pupils,
                t.classified,
                t.unclassified,
                t.failing,
                t.honours,
                t.at_risk,
                number(t.average),
                number(t.attendance),
            ]
        )
    return [*rows, [], *_totals_rows(result.totals, result.in_progress)]


def class_csv(result: ClassClassification) -> HttpResponse:
    name = f"klasyfikacja-{result.school_class.name}-okres-{result.term.number}"
    return csv_response(class_csv_rows(result), filename=name)


def school_csv(result: SchoolClassification) -> HttpResponse:
    name = f"klasyfikacja-{result.school.short_name}-okres-{result.term.number}"
    return csv_response(school_csv_rows(result), filename=name)


def class_pdf(result: ClassClassification, *, base_url: str) -> HttpResponse:
    context = {
        "school": result.school_class.school,
        "term": result.term,
        "result": result,
        "now": timezone.now(),
        "landscape": len(result.subjects) > 6,
    }
    data = render_pdf(PDF_TEMPLATE, context, base_url)
    name = f"klasyfikacja-{result.school_class.name}-okres-{result.term.number}"
    return pdf_response(data, filename=name)


def school_pdf(result: SchoolClassification, *, base_url: str) -> HttpResponse:
    context = {
        "school": result.school,
        "term": result.term,
        "school_result": result,
        "now": timezone.now(),
    }
    data = render_pdf(PDF_TEMPLATE, context, base_url)
    name = f"klasyfikacja-{result.school.short_name}-okres-{result.term.number}"
    return pdf_response(data, filename=name)
