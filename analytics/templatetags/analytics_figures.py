"""One figure's table cell, written in Python: the officer's pages have
thousands of cells, and an `{% include %}` per cell cost more than the rest of
the page (issue 19: the overview of 20 schools took 601 ms)."""

from django import template
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from analytics.measures import MEASURES, MIN_POPULATION

register = template.Library()


@register.simple_tag
def figure_cell(figure):
    """The figure's value; "–" for no data; "*" with its reason when hidden
    because fewer pupils than its measure allows were counted."""
    if figure is None or (not figure.suppressed and figure.value is None):
        return format_html('<span aria-label="{}">–</span>', _("no data"))
    if figure.suppressed:
        measure = MEASURES.get(figure.measure)
        n = measure.min_population if measure else MIN_POPULATION
        reason = _("hidden: fewer than %(n)s pupils") % {"n": n}
        return format_html(
            '<span title="{}">*<span class="visually-hidden"> {}</span></span>', reason, reason
        )
    return mark_safe(conditional_escape(localize(figure.value)))
