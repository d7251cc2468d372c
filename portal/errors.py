"""One error type for the services of every app.

A service refuses with `ServiceError(code, message)`: `code` is stable (tests,
API clients, the desk's override list), `message` is a sentence for the person
in their language. The apps' names for it (PortalError, RegisterError,
GradebookError, CirculationError, CmsError) are subclasses that add nothing but
their name, or one thing of their own (the gradebook's per-cell errors, the
desk's overridable refusals).

Model validation and database constraints reach people through here too:
`validate` turns a ValidationError into one readable message naming the fields,
and `constraint_errors` turns an IntegrityError of a named constraint into that
constraint's `violation_error_message` instead of the raw constraint name."""

from __future__ import annotations

import re
from contextlib import contextmanager
from functools import cache

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _


class ServiceError(Exception):
    """A refused operation; `code` is stable, `message` is readable."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def validation_message(obj: models.Model, exc: ValidationError) -> str:
    """A ValidationError of `obj` as one sentence per field: "Sala: za długie"."""
    if not hasattr(exc, "error_dict"):
        return "; ".join(exc.messages)
    parts = []
    for field, errors in exc.message_dict.items():
        label = ""
        if field != "__all__":
            try:
                label = str(obj._meta.get_field(field).verbose_name)
            except FieldDoesNotExist:
                label = field
        parts += [f"{label[:1].upper()}{label[1:]}: {e}" if label else str(e) for e in errors]
    return "; ".join(parts)


def validate(obj: models.Model, *, error=ServiceError, code: str = "invalid", **kwargs) -> None:
    """`obj.full_clean(**kwargs)`, refusing with `error(code, readable message)`."""
    try:
        obj.full_clean(**kwargs)
    except ValidationError as exc:
        raise error(code, validation_message(obj, exc)) from exc


@cache
def _constraint_messages() -> dict[str, str]:
    """Every named constraint of the project's models -> its message (lazy)."""
    found = {}
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            found[constraint.name] = constraint.violation_error_message
    return found


# What the databases say: PostgreSQL names the constraint (diag.constraint_name);
# SQLite says `CHECK constraint failed: <name>` or `UNIQUE constraint failed:
# table.col, ...` (no name: matched by the table's unique constraints' columns).
_SQLITE_CHECK = re.compile(r"CHECK constraint failed: (\w+)")
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: ([\w.]+(?:, [\w.]+)*)")


def _unique_by_columns(columns: str) -> str | None:
    table_columns = [c.split(".", 1) for c in columns.split(", ")]
    table = table_columns[0][0]
    wanted = {column for _t, column in table_columns}
    for model in apps.get_models():
        if model._meta.db_table != table:
            continue
        for constraint in model._meta.constraints:
            fields = getattr(constraint, "fields", ())
            if fields and {model._meta.get_field(f).column for f in fields} == wanted:
                return constraint.name
    return None


def constraint_name(exc: IntegrityError) -> str | None:
    """The name of the constraint an IntegrityError broke, where it can be told."""
    diag = getattr(exc.__cause__, "diag", None)
    if diag is not None and getattr(diag, "constraint_name", None):
        return diag.constraint_name
    text = str(exc)
    if match := _SQLITE_CHECK.search(text):
        return match.group(1)
    if match := _SQLITE_UNIQUE.search(text):
        return _unique_by_columns(match.group(1))
    return None


def constraint_message(exc: IntegrityError) -> str:
    name = constraint_name(exc)
    message = _constraint_messages().get(name) if name else None
    if message and "%(name)s" not in str(message):
        return str(message)
    return _("The change conflicts with data already saved; nothing was changed.")


@contextmanager
def constraint_errors(*, error=ServiceError, code: str = "conflict"):
    """Run a write in a savepoint; a broken database constraint refuses with
    `error(code, the constraint's own message)` and leaves the outer transaction usable."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        raise error(code, constraint_message(exc)) from exc
