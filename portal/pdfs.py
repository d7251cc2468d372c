"""PDFs from HTML, the one way every app renders a printout (WeasyPrint).

WeasyPrint is imported when a PDF is made, not with the module: it is slow to
import, and tests stand a fake in for it (`sys.modules["weasyprint"]`).
Long renders belong in a background task or a cache (library/pdfs.py)."""

from __future__ import annotations

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.text import slugify


def html_to_pdf(html: str, base_url: str) -> bytes:
    """The PDF of an HTML document; `base_url` resolves its relative links
    (stylesheets, images)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url).write_pdf()


def render_pdf(template: str, context: dict, base_url: str) -> bytes:
    """A template rendered to HTML, then to PDF."""
    return html_to_pdf(render_to_string(template, context), base_url)


def pdf_response(data: bytes, *, filename: str, inline: bool = True) -> HttpResponse:
    """The PDF as a response, shown in the browser (or downloaded)."""
    response = HttpResponse(data, content_type="application/pdf")
    name = slugify(filename) or "dokument"
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{name}.pdf"'
    return response
