from django import template

from ..exporting import citation as make_citation

register = template.Library()


@register.filter
def citation(record):
    return make_citation(record)


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)


@register.simple_tag(takes_context=True)
def facet_query(context, kind, value):
    """The current search with one more facet value, back on page 1."""
    query = context["request"].GET.copy()
    query.pop("page", None)
    values = query.getlist(f"f_{kind}")
    if str(value) not in values:
        query.appendlist(f"f_{kind}", str(value))
    return query.urlencode()
