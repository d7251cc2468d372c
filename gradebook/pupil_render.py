"""The compact grades table's chips, built as HTML strings like the sheet's cells
(a child may have a few hundred grades in a year).

A chip is a `<details>`: its face is the grade on the category's colour, and
opening it (click, Enter or Space, no script needed) shows the category,
weight, date, teacher and description. The face's text colour is chosen for
contrast, so any colour a school picks for a category reads at 4.5:1 or more,
and the category is also written out for screen readers and in the details:
colour is never the only carrier."""

from __future__ import annotations

import re

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from .sheet_render import ShortDates, escape

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
FALLBACK_COLOUR = "#475467"


TERM_GRADE_WORDS = {
    6: pgettext_lazy("term grade", "excellent"),
    5: pgettext_lazy("term grade", "very good"),
    4: pgettext_lazy("term grade", "good"),
    3: pgettext_lazy("term grade", "satisfactory"),
    2: pgettext_lazy("term grade", "acceptable"),
    1: pgettext_lazy("term grade", "failing"),
}


def term_grade_word(grade: int | None) -> str:
    """Term grades are written in words on documents (6 → celujący)."""
    return str(TERM_GRADE_WORDS.get(grade, ""))


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of a #rrggbb colour."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_colour_on(background: str) -> str:
    """Black or white, whichever contrasts more with `background`: for any colour
    the better of the two reaches at least 4.58:1."""
    if contrast_ratio(background, "#000000") >= contrast_ratio(background, "#ffffff"):
        return "#000000"
    return "#ffffff"


def chip_colours(colour: str) -> tuple[str, str]:
    """(background, text) for a category colour; a malformed one falls back to grey."""
    background = colour if HEX_COLOUR.match(colour or "") else FALLBACK_COLOUR
    return background, text_colour_on(background)


def compact_chips_html(grades) -> SafeString:
    """`<li>` chips for one subject and term. Each grade carries `is_new` and
    `improved_symbol` and `counts` (set by `selectors.compact_grades`)."""
    labels = {
        "category": escape(_("Category")),
        "weight": escape(_("Weight of the grade")),
        "date": escape(_("Date")),
        "teacher": escape(_("Teacher")),
        "description": escape(_("Description of the assessment")),
        "not_counted": escape(_("does not count to the average")),
        "new": escape(_("new grade")),
        "improves": escape(_("Improves the grade")),
        "close": escape(_("Close the details")),
    }
    teachers: dict[int, str] = {}
    colours: dict[int, tuple[str, str]] = {}
    days = ShortDates()
    parts = []
    for g in grades:
        a = g.assessment
        category = a.category
        teacher = teachers.get(g.teacher_id)
        if teacher is None:
            teacher = teachers[g.teacher_id] = escape(g.teacher.get_full_name())
        background, text = colours.get(category.pk) or colours.setdefault(
            category.pk, chip_colours(category.colour)
        )
        day = days[a.date]
        counted = g.counts
        classes = "chip"
        if g.is_new:
            classes += " is-new"
        if not counted:
            classes += " not-counted"
        weight = str(a.weight) if counted else labels["not_counted"]
        # A mark that does not count is drawn outlined: a shape cue, not only a colour.
        face = (
            f"background:{background};color:{text};border-color:{background}"
            if counted
            else f"background:#fff;color:#1b1f24;border-color:{background}"
        )
        spoken = f", {escape(category.name)}, {day}"
        if g.is_new:
            spoken += f", {labels['new']}"
        new_mark = '<span class="chip-new" aria-hidden="true">•</span>' if g.is_new else ""
        rows = [
            (labels["category"], escape(category.name)),
            (labels["weight"], weight),
            (labels["date"], day),
            (labels["teacher"], teacher),
        ]
        if g.improved_symbol:
            rows.append((labels["improves"], escape(g.improved_symbol)))
        if a.description:
            rows.append((labels["description"], escape(a.description)))
        facts = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
        parts.append(
            f'<li><details class="{classes}" name="grade-chip" id="ocena-{g.pk}">'
            f'<summary class="chip-face" style="{face}">'
            f'<span class="chip-symbol">{escape(g.symbol)}</span>{new_mark}'
            f'<span class="visually-hidden">{spoken}</span></summary>'
            f'<div class="chip-detail"><p class="chip-title"><strong>{escape(g.symbol)}</strong>'
            f" · {escape(a.name)}</p><dl>{facts}</dl>"
            f'<button type="button" class="chip-close button-secondary" data-chip-close>'
            f"{labels['close']}</button></div></details></li>"
        )
    return mark_safe("".join(parts))  # noqa: S308  (every value above is escaped)
