"""Issue 17, the import's speed: indexes no query uses, kept up to date for every
row an import writes, are dropped.

- library_searchdocument's title_norm (and its pattern-ops twin on PostgreSQL),
  author_norm and author_norm_alt: relevance's tiers compare them on the hits the
  full-text index found, no statement looks a title or author up by them.
- library_facetvalue's record_id: the (record_id, kind) index serves its look-ups.
- library_facetvalue's value (PostgreSQL, migration 0002): every look-up names the
  kind too, which the (kind, value) index serves.

The index changes of the fields are made by name (SeparateDatabaseAndState): on
SQLite Django would remake both tables for them, and remaking the search rows'
table drops the FTS5 triggers (migration 0010)."""

import django.db.models.deletion
from django.db import migrations, models

DROPPED = {
    # name: (table, columns, PostgreSQL only)
    "library_searchdocument_title_norm_9fc41f49": ("library_searchdocument", "title_norm", False),
    "library_searchdocument_title_norm_9fc41f49_like": (
        "library_searchdocument",
        "title_norm varchar_pattern_ops",
        True,
    ),
    "library_facetvalue_record_id_1f0b9f5f": ("library_facetvalue", "record_id", False),
    "library_facetvalue_trgm_free": ("library_facetvalue", "value", True),
}


def _applies(schema_editor, postgresql_only: bool) -> bool:
    return not postgresql_only or schema_editor.connection.vendor == "postgresql"


def drop(apps, schema_editor):
    for name, (_table, _columns, postgresql_only) in DROPPED.items():
        if _applies(schema_editor, postgresql_only):
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def create(apps, schema_editor):
    for name, (table, columns, postgresql_only) in DROPPED.items():
        if _applies(schema_editor, postgresql_only):
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")


class Migration(migrations.Migration):
    dependencies = [("library", "0013_field_keys_stored_once")]

    operations = [
        migrations.RemoveIndex(model_name="searchdocument", name="library_sea_author__566c49_idx"),
        migrations.RemoveIndex(model_name="searchdocument", name="library_sea_author__e3d2ee_idx"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="facetvalue",
                    name="record",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="facet_values",
                        to="library.record",
                    ),
                ),
                migrations.AlterField(
                    model_name="searchdocument",
                    name="title_norm",
                    field=models.CharField(max_length=300),
                ),
            ],
            database_operations=[migrations.RunPython(drop, create)],
        ),
    ]
