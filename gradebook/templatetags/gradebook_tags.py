from django import template

from ..pupil_render import chip_colours, compact_chips_html, term_grade_word
from ..sheet_render import grade_chips_html

register = template.Library()


@register.filter
def grade_chips(grades):
    """Render a list of grades as chips (fast path for long lists)."""
    return grade_chips_html(grades)


@register.filter
def compact_chips(grades):
    """The compact table's chips: each grade a disclosure with its details."""
    return compact_chips_html(grades)


@register.filter
def chip_style(category):
    """The inline colours of a category's legend swatch (same as its chips)."""
    background, text = chip_colours(category.colour)
    return f"background:{background};color:{text};border-color:{background}"


@register.filter
def grade_in_words(grade):
    """A term grade's full word (6 → celujący)."""
    return term_grade_word(grade)
