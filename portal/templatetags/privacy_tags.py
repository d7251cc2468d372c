from django import template
from django.core.exceptions import FieldDoesNotExist

register = template.Library()

# Shown as changed, never by value: the viewers need not disclose them.
MASKED_FIELDS = {"pesel", "password"}


def _show(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(_show(v) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_show(v)}" for k, v in value.items()) or "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return str(value)


def _field_label(model, key: str) -> str:
    """The field's own (translated) name where the model has one, else the key."""
    if model is not None:
        try:
            return str(model._meta.get_field(key).verbose_name)
        except FieldDoesNotExist:
            pass
    return key


@register.filter
def audit_changes(event) -> list[tuple[str, str, str]]:
    """An audit event's before and after as rows of (field, before, after)."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    model = event.target_type.model_class() if getattr(event, "target_type_id", None) else None
    rows = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if key in MASKED_FIELDS:
            old, new = ("•••" if old else None), ("•••" if new else None)
        rows.append((_field_label(model, key), _show(old), _show(new)))
    if not rows and (event.before is not None or event.after is not None):
        rows.append(("", _show(event.before), _show(event.after)))
    return rows
