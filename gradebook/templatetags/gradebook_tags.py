from django import template

from ..sheet_render import grade_chips_html

register = template.Library()


@register.filter
def grade_chips(grades):
    """Render a list of grades as chips (fast path for long lists)."""
    return grade_chips_html(grades)
