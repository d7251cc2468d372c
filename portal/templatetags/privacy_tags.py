from django import template

register = template.Library()


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
        rows.append((key, _show(before.get(key)), _show(after.get(key))))
    if not rows and (event.before is not None or event.after is not None):
        rows.append(("", _show(event.before), _show(event.after)))
    return rows
