"""Printable library cards: a PDF with the reader's name and a Code128 barcode."""

from __future__ import annotations

import base64
import io

from django.template.loader import render_to_string

from portal.pdfs import html_to_pdf


def barcode_svg(code: str) -> str:
    from barcode import Code128
    from barcode.writer import SVGWriter

    out = io.BytesIO()
    Code128(code, writer=SVGWriter()).write(
        out, options={"module_height": 12.0, "font_size": 8, "text_distance": 4.0}
    )
    return out.getvalue().decode()


def barcode_data_uri(code: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(barcode_svg(code).encode()).decode()


def _pdf(html: str, base_url: str) -> bytes:
    return html_to_pdf(html, base_url)


def card_pdf(*, profile, schools, base_url: str) -> bytes:
    html = render_to_string(
        "circulation/card_pdf.html",
        {
            "profile": profile,
            "reader": profile.user,
            "schools": schools,
            "barcode": barcode_data_uri(profile.card_number),
        },
    )
    return _pdf(html, base_url)


def cards_sheet_html(*, profiles, school, class_name: str = "") -> str:
    """The cards of several readers (a class), ten to an A4 page, in the order
    given; each card as on the single card."""
    return render_to_string(
        "circulation/cards_sheet_pdf.html",
        {
            "cards": [{"profile": p, "barcode": barcode_data_uri(p.card_number)} for p in profiles],
            "schools": [school],
            "class_name": class_name,
        },
    )


def cards_sheet_pdf(*, profiles, school, class_name: str = "", base_url: str) -> bytes:
    return _pdf(cards_sheet_html(profiles=profiles, school=school, class_name=class_name), base_url)
