from django import template

from ..permissions import user_roles

register = template.Library()


@register.simple_tag(takes_context=True)
def roles_of(context, user=None):
    user = user or context["request"].user
    return user_roles(user)


@register.simple_tag(takes_context=True)
def query_transform(context, **kwargs):
    """The current query string with some parameters replaced (for pagination links)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()
