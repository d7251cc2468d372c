"""Rendering a message's plain text: escaped, web addresses made links
(rel="nofollow noopener noreferrer"), line breaks kept. No markup of the
sender's is ever rendered."""

from django import template
from django.utils.html import linebreaks, urlize
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def message_text(text: str) -> str:
    linked = urlize(text or "", nofollow=True, autoescape=True)
    linked = linked.replace('rel="nofollow"', 'rel="nofollow noopener noreferrer"')
    return mark_safe(linebreaks(linked, autoescape=False))  # noqa: S308 (escaped by urlize)
