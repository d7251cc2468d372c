"""History rows in words: a change's before and after as (field, before, after)
with the fields' own translated names, choice labels instead of codes, dates in
the Polish style and related objects by name ("Obecność: nieobecność
nieusprawiedliwiona → spóźnienie 5 min", not `status=n minutes_late=None`).

Every history screen (the audit trail, the register's lesson history, the grade
history) renders through here, so a value reads the same everywhere."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats
from django.utils.translation import gettext as _

# Shown as changed, never by value: the viewers need not disclose them.
MASKED_FIELDS = {"pesel", "password"}
EMPTY = "—"


def show_value(value) -> str:
    """Any stored value as text, for a field the model does not describe."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, list):
        return ", ".join(show_value(v) for v in value) or EMPTY
    if isinstance(value, dict):
        return "; ".join(f"{k}: {show_value(v)}" for k, v in value.items()) or EMPTY
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _field(model, key: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:
        return None


def field_label(model, key: str) -> str:
    """The field's own (translated) name where the model has one; for a key that
    is no field (a count, say) the name the model gives it in `audit_labels`."""
    extra = getattr(model, "audit_labels", None) or {}
    if key in extra:
        return str(extra[key])
    field = _field(model, key)
    if field is not None and hasattr(field, "verbose_name"):
        return str(field.verbose_name)
    return key


def _show_date(value: str, kind: str) -> str:
    try:
        if kind == "date":
            return formats.date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        moment = datetime.datetime.fromisoformat(value)
        return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
    except (TypeError, ValueError):
        return show_value(value)


def field_value(model, key: str, value, names: dict | None = None) -> str:
    """One stored value of a model's field in words."""
    if value is None or value == "":
        return EMPTY
    if key in MASKED_FIELDS:
        return "•••"
    field = _field(model, key)
    if field is None:
        return show_value(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return show_value(bool(value))
    if isinstance(field, models.DateTimeField):
        return _show_date(value, "datetime")
    if isinstance(field, models.DateField):
        return _show_date(value, "date")
    if field.many_to_one or field.one_to_one:
        known = (names or {}).get(field.related_model, {})
        return known.get(value, f"#{value}")
    return show_value(value)


def change_rows(model, before, after, names: dict | None = None) -> list[tuple[str, str, str]]:
    """A change's before and after as rows of (field, before, after); only the
    fields that changed, unless the object was created or deleted."""
    old = before if isinstance(before, dict) else {}
    new = after if isinstance(after, dict) else {}
    keys = list(dict.fromkeys([*old, *new]))
    if old and new:
        keys = [key for key in keys if old.get(key) != new.get(key)]
    else:  # created or deleted: what it held, without the empty fields
        keys = [key for key in keys if (old or new).get(key) not in (None, "")]
    rows = [
        (
            field_label(model, key),
            field_value(model, key, old.get(key), names) if old else EMPTY,
            field_value(model, key, new.get(key), names) if new else EMPTY,
        )
        for key in keys
    ]
    raw = [state for state in (before, after) if state is not None and not isinstance(state, dict)]
    if not rows and raw:
        rows.append(("", show_value(before), show_value(after)))
    return rows


def related_names(entries: Iterable, model_of: Callable) -> dict:
    """The names of every object a page of history rows refers to, one query per
    related model: {related model: {pk: str(object)}}."""
    wanted: dict = defaultdict(set)
    for entry in entries:
        model = model_of(entry)
        for state in (entry.before, entry.after):
            if not isinstance(state, dict):
                continue
            for key, value in state.items():
                field = _field(model, key)
                if value and field is not None and (field.many_to_one or field.one_to_one):
                    wanted[field.related_model].add(value)
    return {
        related: {obj.pk: str(obj) for obj in related._default_manager.filter(pk__in=ids)}
        for related, ids in wanted.items()
    }


def describe(entries, model_of: Callable) -> list:
    """Attach `.changes` (rows in words) to each history row of a page."""
    entries = list(entries)
    names = related_names(entries, model_of)
    for entry in entries:
        entry.changes = change_rows(model_of(entry), entry.before, entry.after, names)
    return entries
