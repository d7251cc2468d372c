from django import template
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms import BaseForm, BaseFormSet
from django.utils.functional import LazyObject, empty

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


@register.filter
def has_required(form) -> bool:
    """Whether a form asks for anything (its note "fields marked * are required")."""
    return any(field.field.required for field in form.visible_fields())


def _forms_in(value):
    """The bound forms in one context value: a form, a formset's forms (and its
    own errors), nothing else. A lazy value not read yet is no form: reading it
    here would run the query a page served from cache skips (cms/pagecache.py)."""
    if isinstance(value, LazyObject) and value._wrapped is empty:
        return
    if isinstance(value, BaseForm):
        if value.is_bound:
            yield value
    elif isinstance(value, BaseFormSet) and value.is_bound:
        yield value
        yield from value.forms


@register.simple_tag(takes_context=True)
def error_summary(context):
    """Every error of every submitted form in the page's context, as (text, field
    id) pairs, for the summary at the top of <main> and the "Error:" title.
    Views need not do anything: a form with errors in the context is enough."""
    items, seen = [], set()
    for value in context.flatten().values():
        for form in _forms_in(value):
            if id(form) in seen:
                continue
            seen.add(id(form))
            if isinstance(form, BaseFormSet):
                items += [(str(error), "") for error in form.non_form_errors()]
                continue
            if not form.errors:
                continue
            items += [(str(error), "") for error in form.non_field_errors()]
            for name, errors in form.errors.items():
                if name == NON_FIELD_ERRORS or name not in form.fields:
                    continue
                field = form[name]
                for error in errors:
                    label = field.label or name
                    items.append((f"{label}: {error}", field.id_for_label or ""))
    return items


@register.simple_tag(takes_context=True)
def error_message_shown(context) -> bool:
    """Whether the page shows an error message (a service refused what was sent):
    its title then starts with "Błąd:" too. Reading the messages here does not
    use them up; the page still lists them."""
    return any(message.level >= messages.ERROR for message in context.get("messages") or ())


@register.simple_tag(takes_context=True)
def qr_code(context, path: str, label: str):
    """{% qr_code path label %}: the QR code of this site's address `path` as inline
    SVG with `label` as its alternative text."""
    from portal.qr import qr_svg

    return qr_svg(context["request"].build_absolute_uri(path), label=label)
