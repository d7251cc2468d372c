"""QR codes as inline SVG (segno, pure Python): no image file, no third party."""

from __future__ import annotations

import segno

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def qr_svg(data: str, *, label: str, scale: int = 5) -> SafeString:
    """An <svg role="img"> of the QR code of `data`, named by `label` for those who
    cannot see it (its alternative text)."""
    svg = segno.make(data, error="m").svg_inline(
        scale=scale,
        border=2,
        dark="#000",
        light="#fff",
        svgclass="qr-code",
        lineclass=None,
        omitsize=True,
    )
    return mark_safe(  # noqa: S308 - segno's own markup; the label is escaped here
        svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    )
