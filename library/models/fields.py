"""Model fields of the library's own."""

from __future__ import annotations

import json

from django.db import models


class JSONTextField(models.JSONField):
    """A JSON value the database keeps as text and never looks into: a record's
    full MARC (`Record.marc`), read and written whole, exported as is, never
    queried by its content. PostgreSQL stores it in a text column instead of
    jsonb, so an import's COPY writes the JSON text as it comes, without
    jsonb's parse of every record (measured, 100,000 records of the bench file
    into a copy of library_record: 3.3 s with jsonb, 1.0 s with text; the rows
    take a fifth less room), and reading one back skips jsonb's output. SQLite
    keeps JSONField's text column and check. Python sees the same values: JSON
    text in, the decoded value out (JSONField.from_db_value). Lookups into the
    value (marc__fields__...) are not available on PostgreSQL."""

    def db_type(self, connection):
        if connection.vendor == "postgresql":
            return "text"
        return super().db_type(connection)

    def get_db_prep_value(self, value, connection, prepared=False):
        if connection.vendor != "postgresql":
            return super().get_db_prep_value(value, connection, prepared)
        if not prepared:
            value = self.get_prep_value(value)
        # the text Django writes into SQLite's column (JSONField's Jsonb adapter
        # would send it as jsonb)
        return json.dumps(value, cls=self.encoder)


@models.CharField.register_lookup
class AnyOf(models.Lookup):
    """`field__any_of=[...]`, PostgreSQL only: `field = ANY(%s)` with the list as
    one array parameter. Django's `__in` writes a placeholder per value, and its
    client-side binding rewrites every one: for the importer's look-ups of a
    thousand values a batch that cost its process more than the server spent
    on them. `among()` picks it or `__in`."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


def among(queryset, field: str, values: list, size: int = 500) -> list:
    """queryset.filter(field__in=values) as a list of querysets to run: one with
    `__any_of` on PostgreSQL, chunks of `size` values with `__in` elsewhere."""
    from django.db import connections

    if connections[queryset.db].vendor == "postgresql":
        return [queryset.filter(**{f"{field}__any_of": list(values)})] if values else []
    values = list(values)
    return [
        queryset.filter(**{f"{field}__in": values[i : i + size]})
        for i in range(0, len(values), size)
    ]
