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
