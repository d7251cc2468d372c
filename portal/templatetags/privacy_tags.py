from django import template

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


@register.filter
def audit_changes(event) -> list[tuple[str, str, str]]:
    """An audit event's before and after as rows of (field, before, after)."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    rows = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if key in MASKED_FIELDS:
            old, new = ("•••" if old else None), ("•••" if new else None)
        rows.append((key, _show(old), _show(new)))
    if not rows and (event.before is not None or event.after is not None):
        rows.append(("", _show(event.before), _show(event.after)))
    return rows
