"""PDFs from HTML, the one way every app renders a printout (WeasyPrint).

WeasyPrint is imported when a PDF is made, not with the module: it is slow to
import, and tests stand a fake in for it (`sys.modules["weasyprint"]`).
Long renders belong in a background task or a cache (library/pdfs.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.text import slugify


@dataclass(frozen=True)
class PdfAttachment:
    """A file embedded in a PDF (the XML of a register inside its PDF/A-3)."""

    name: str
    data: bytes
    description: str = ""
    relationship: str = "Data"  # PDF/A-3: how the file relates to the document


def html_to_pdf(
    html: str,
    base_url: str,
    *,
    pdf_variant: str | None = None,
    attachments: list[PdfAttachment] | None = None,
) -> bytes:
    """The PDF of an HTML document; `base_url` resolves its relative links
    (stylesheets, images). `pdf_variant` asks WeasyPrint for a standard's
    variant ("pdf/a-3b" for the year-end archive); `attachments` are embedded."""
    from weasyprint import HTML

    options = {}
    if pdf_variant:
        options["pdf_variant"] = pdf_variant
    if attachments:
        from weasyprint import Attachment

        options["attachments"] = [
            Attachment(
                string=a.data,
                name=a.name,
                description=a.description or a.name,
                relationship=a.relationship,
            )
            for a in attachments
        ]
    return HTML(string=html, base_url=base_url).write_pdf(**options)


def render_pdf(template: str, context: dict, base_url: str, **options) -> bytes:
    """A template rendered to HTML, then to PDF (`options`: those of `html_to_pdf`)."""
    return html_to_pdf(render_to_string(template, context), base_url, **options)


def pdf_response(data: bytes, *, filename: str, inline: bool = True) -> HttpResponse:
    """The PDF as a response, shown in the browser (or downloaded)."""
    response = HttpResponse(data, content_type="application/pdf")
    name = slugify(filename) or "dokument"
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{name}.pdf"'
    return response
