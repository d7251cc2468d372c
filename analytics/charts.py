"""Accessible charts drawn on the server as SVG: the one chart module of the
municipal analytics (pages and the council's PDF alike).

A chart is drawn from a `reports.Table`: its rows are the groups of bars and
the chosen columns the series. Each series has its own pattern as well as its
own shade (no information by colour alone), the SVG has a <title> and a
<desc>, every bar carries its value as text, and the page shows the same table
beside the chart (behind a <details> toggle). No script, nothing third-party.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .selectors import Figure

# Narrow on purpose: the SVG scales to the column, so at 390 px the 14-unit
# labels still read at about 11 px; on a wide screen the figure is held to
# 36rem (analytics/_panel.html), about 20 px.
WIDTH = 400
LABEL_WIDTH = 150
BAR = 18
GAP = 10
LEGEND = 26

# (fill of the pattern's background, the pattern's marks): dark on light, so
# every series stays distinct printed in black and white.
PATTERNS = (
    ("solid", '<rect width="8" height="8" fill="#1f4e79"/>'),
    (
        "hatch",
        '<rect width="8" height="8" fill="#d6e4f0"/>'
        '<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="#1f4e79" stroke-width="2"/>',
    ),
    (
        "dots",
        '<rect width="8" height="8" fill="#fbe3c4"/><circle cx="4" cy="4" r="2" fill="#8a4b08"/>',
    ),
)


# Advance widths of DejaVu Sans (the usual fallback sans-serif) in 1/1000 em:
# narrow and wide letters, the rest by case. Used to cut a bar's label so it
# stays left of the bars (cutting by characters let "Wychowanie fizyczne" run
# past the SVG's left edge while "Październik 2026" fitted).
_NARROW = dict.fromkeys("iljI.,:;'!|", 280) | dict.fromkeys("ftr ()-", 400)
_WIDE = dict.fromkeys("mwMW", 950)
LABEL_FONT_PX = 14


def _text_width(text: str) -> float:
    em = sum(
        _NARROW.get(c) or _WIDE.get(c) or (700 if c.isupper() else 620 if c.isdigit() else 600)
        for c in text
    )
    return em * LABEL_FONT_PX / 1000


def _short(label: str, room: float = LABEL_WIDTH - 8) -> str:
    # The full label is in the data table; the chart keeps its left column.
    if _text_width(label) <= room:
        return label
    while label and _text_width(label + "…") > room:
        label = label[:-1]
    return label.rstrip() + "…"


def value_of(cell):
    """The number a cell shows, or None (no data, or suppressed)."""
    if isinstance(cell, Figure):
        return cell.shown
    return cell if isinstance(cell, int | float | Decimal) else None


def cell_text(cell) -> str:
    if isinstance(cell, Figure) and cell.value is not None and cell.suppressed:
        return "*"
    value = value_of(cell)
    if value is None:
        return "–"
    return number_format(value) if not isinstance(value, str) else value


def bar_chart(table, *, series: list[int], title: str, description: str = "") -> SafeString:
    """Horizontal grouped bars of `table`'s columns `series` (indexes), one
    group per row (the foot's rows too)."""
    rows = [*table.rows, *table.foot]
    numbers = [value_of(r[i]) for r in rows for i in series]
    top = max((float(n) for n in numbers if n is not None), default=0) or 1
    chart_id = slugify(f"chart-{table.slug}-{'-'.join(map(str, series))}")
    group = len(series) * BAR + GAP
    height = LEGEND + len(rows) * group + GAP
    plot = WIDTH - LABEL_WIDTH - 44
    parts = []
    for r, row in enumerate(rows):
        y0 = LEGEND + r * group
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" class="label">{}</text>',
                LABEL_WIDTH - 6,
                y0 + len(series) * BAR / 2 + 4,
                _short(str(row[0])),
            )
        )
        for s, index in enumerate(series):
            y = y0 + s * BAR
            value = value_of(row[index])
            length = 0 if value is None else max(1, round(plot * float(value) / top))
            pattern = PATTERNS[s % len(PATTERNS)][0]
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="url(#{}-{})" '
                    'stroke="#1f4e79"/><text x="{}" y="{}" class="value" font-size="13">{}</text>',
                    LABEL_WIDTH,
                    y + 1,
                    length,
                    BAR - 2,
                    chart_id,
                    pattern,
                    LABEL_WIDTH + length + 4,
                    y + BAR - 4,
                    cell_text(row[index]),
                )
            )
    legend = format_html_join(
        "",
        '<rect x="{}" y="4" width="14" height="14" fill="url(#{}-{})" stroke="#1f4e79"/>'
        '<text x="{}" y="16" class="label">{}</text>',
        (
            (
                LABEL_WIDTH + s * 120,
                chart_id,
                PATTERNS[s % len(PATTERNS)][0],
                LABEL_WIDTH + s * 120 + 18,
                str(table.columns[index].label)[:14],
            )
            for s, index in enumerate(series)
        ),
    )
    defs = mark_safe(  # noqa: S308 - constant markup of this module
        "".join(
            f'<pattern id="{chart_id}-{name}" width="8" height="8" '
            f'patternUnits="userSpaceOnUse">{marks}</pattern>'
            for name, marks in PATTERNS
        )
    )
    described = description or _(
        "Bars for each row of the table below; the value is written at the end of each bar; "
        "* means hidden (fewer than 5 pupils), – no data."
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {w} {h}" '
        'width="100%" role="img" aria-labelledby="{id}-title {id}-desc" '
        # Presentation attributes, not a <style>: the portal's CSP allows no
        # inline style sheet, so a <style> here was dropped and the labels took
        # the page's 16 px font and ran past the chart's left edge.
        'font-family="sans-serif" font-size="{font}" fill="#111">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        "<defs>{defs}</defs>"
        "{legend}{bars}</svg>",
        w=WIDTH,
        h=height,
        font=LABEL_FONT_PX,
        id=chart_id,
        title=title,
        desc=described,
        defs=defs,
        legend=legend,
        bars=mark_safe("".join(parts)),  # noqa: S308 - each part escaped by format_html
    )


def charts_for(tables, *, key: str) -> list[tuple]:
    """[(table, chart or None)]: each table with a chart of the columns of
    measure `key` (a trend's two years, a comparison's one measure)."""
    result = []
    for table in tables:
        series = [i for i, c in enumerate(table.columns) if c.measure == key]
        chart = None
        if series and (table.rows or table.foot):
            from .measures import MEASURES

            measure = MEASURES[key]
            chart = bar_chart(
                table,
                series=series,
                title=f"{table.title}: {measure.label} ({measure.unit})",
            )
        result.append((table, chart))
    return result
