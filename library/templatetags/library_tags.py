from django import template

from ..exporting import citation as make_citation

register = template.Library()


@register.filter
def citation(record):
    return make_citation(record)


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)
