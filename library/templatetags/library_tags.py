from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import pgettext

from ..exporting import citation as make_citation
from ..languages import language_name as name_of_language

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


@register.filter
def lang_attr(tag) -> str:
    """` lang="en"` for a BCP 47 tag (from library.languages, so never markup), else ""."""
    tag = str(tag or "")
    if not tag or not all(c.isalnum() or c == "-" for c in tag):
        return ""
    return mark_safe(f' lang="{tag}"')  # noqa: S308 (checked to be letters, digits and -)


@register.filter
def page_suffix(page) -> str:
    """ ", strona 2" after a page title from the second page on, so every page of a
    paginated list has a title of its own."""
    number = getattr(page, "number", 1) or 1
    if number <= 1:
        return ""
    return pgettext("after a page title", ", page %(n)s") % {"n": number}


@register.filter
def language_name(code) -> str:
    """A MARC language code in words where the catalogue knows it ("eng" → "angielski")."""
    return name_of_language(code)
