"""Issue 17, ranking: the search keys split by field into four columns, weighted
title (A) > authors and subjects (B) > series and notes (C) > the rest (D).

SQLite: the FTS5 table gets the four columns (bm25() weighs them at query time).
PostgreSQL: the tsvector is the setweight()-ed concatenation of the four.
The old single-column index is dropped first (its triggers and generated column
depend on `keys`); migration 0009 fills the new columns."""

from django.db import migrations, models

from library.indexing import KEY_COLUMNS

COLUMNS = ", ".join(KEY_COLUMNS)
NEW_VALUES = ", ".join(f"new.{c}" for c in KEY_COLUMNS)
WEIGHTS = dict(zip(KEY_COLUMNS, "ABCD", strict=True))

SQLITE = [
    f"CREATE VIRTUAL TABLE library_fts USING fts5({COLUMNS}, tokenize='unicode61')",
    f"""CREATE TRIGGER library_fts_ai AFTER INSERT ON library_searchdocument BEGIN
         INSERT INTO library_fts(rowid, {COLUMNS}) VALUES (new.record_id, {NEW_VALUES}); END""",
    """CREATE TRIGGER library_fts_ad AFTER DELETE ON library_searchdocument BEGIN
         DELETE FROM library_fts WHERE rowid = old.record_id; END""",
    f"""CREATE TRIGGER library_fts_au AFTER UPDATE OF {COLUMNS} ON library_searchdocument BEGIN
         DELETE FROM library_fts WHERE rowid = old.record_id;
         INSERT INTO library_fts(rowid, {COLUMNS}) VALUES (new.record_id, {NEW_VALUES}); END""",
]
POSTGRES = [
    "ALTER TABLE library_searchdocument ADD COLUMN vector tsvector GENERATED ALWAYS AS ("
    + " || ".join(
        f"setweight(to_tsvector('simple'::regconfig, {c}), '{w}')" for c, w in WEIGHTS.items()
    )
    + ") STORED",
    "CREATE INDEX library_searchdocument_vector ON library_searchdocument USING GIN (vector)",
]
DROP = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS library_fts_au",
        "DROP TRIGGER IF EXISTS library_fts_ad",
        "DROP TRIGGER IF EXISTS library_fts_ai",
        "DROP TABLE IF EXISTS library_fts",
    ],
    "postgresql": [
        "DROP INDEX IF EXISTS library_searchdocument_vector",
        "ALTER TABLE library_searchdocument DROP COLUMN IF EXISTS vector",
    ],
}


def drop_index(apps, schema_editor):
    for sql in DROP.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def create_weighted(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def create_single(apps, schema_editor):
    """Backwards: the index of migration 0002 (reindex by hand afterwards)."""
    from importlib import import_module

    old = import_module("library.migrations.0002_search_index")
    statements = {"sqlite": old.SQLITE, "postgresql": old.POSTGRES[:2]}
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("library", "0007_reindex_morfeusz_lemmas")]

    operations = [
        migrations.RunPython(drop_index, create_single),
        # A default first, so that migrating back can add the column to existing rows.
        migrations.AlterField(
            model_name="searchdocument", name="keys", field=models.TextField(default="")
        ),
        migrations.RemoveField(model_name="searchdocument", name="keys"),
        migrations.AddField(
            model_name="searchdocument", name="title_keys", field=models.TextField(default="")
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="heading_keys",
            field=models.TextField(default="", help_text="Authors and subjects."),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="note_keys",
            field=models.TextField(default="", help_text="Series and notes."),
        ),
        migrations.AddField(
            model_name="searchdocument", name="other_keys", field=models.TextField(default="")
        ),
        migrations.RunPython(create_weighted, drop_index),
    ]
