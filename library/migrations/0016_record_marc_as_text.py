"""Issue 17, the import's speed: a record's full MARC is kept as JSON text
(`fields.JSONTextField`). PostgreSQL: the jsonb column becomes text, rewritten
once (jsonb's text form, which reads back as the same values); an import then
writes each record's JSON without jsonb's parse (100,000 records of the bench
file into a copy of the table: 3.3 s with jsonb, 1.0 s with text). SQLite's
column is text already: only the model's state changes there (Django would
otherwise remake the table)."""

from django.db import migrations

import library.models.fields


def to_text(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE library_record ALTER COLUMN marc TYPE text USING marc::text"
        )


def to_jsonb(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE library_record ALTER COLUMN marc TYPE jsonb USING marc::jsonb"
        )


class Migration(migrations.Migration):
    dependencies = [("library", "0015_vocabulary_without_pattern_indexes")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="record",
                    name="marc",
                    field=library.models.fields.JSONTextField(),
                )
            ],
            database_operations=[migrations.RunPython(to_text, to_jsonb)],
        )
    ]
