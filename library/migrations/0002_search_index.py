"""The full-text side of SearchDocument, per database.

SQLite: an FTS5 table kept in step with library_searchdocument by triggers.
PostgreSQL: a stored generated tsvector column with a GIN index.
Both hold the same ASCII keys, so both find the same records.
"""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE library_fts USING fts5(keys, tokenize='unicode61')",
    """CREATE TRIGGER library_fts_ai AFTER INSERT ON library_searchdocument BEGIN
         INSERT INTO library_fts(rowid, keys) VALUES (new.record_id, new.keys); END""",
    """CREATE TRIGGER library_fts_ad AFTER DELETE ON library_searchdocument BEGIN
         DELETE FROM library_fts WHERE rowid = old.record_id; END""",
    """CREATE TRIGGER library_fts_au AFTER UPDATE OF keys ON library_searchdocument BEGIN
         DELETE FROM library_fts WHERE rowid = old.record_id;
         INSERT INTO library_fts(rowid, keys) VALUES (new.record_id, new.keys); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS library_fts_au",
    "DROP TRIGGER IF EXISTS library_fts_ad",
    "DROP TRIGGER IF EXISTS library_fts_ai",
    "DROP TABLE IF EXISTS library_fts",
]
POSTGRES = [
    """ALTER TABLE library_searchdocument ADD COLUMN vector tsvector
         GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, keys)) STORED""",
    "CREATE INDEX library_searchdocument_vector ON library_searchdocument USING GIN (vector)",
    "CREATE INDEX library_facetvalue_trgm_free ON library_facetvalue (value)",
]
POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS library_facetvalue_trgm_free",
    "DROP INDEX IF EXISTS library_searchdocument_vector",
    "ALTER TABLE library_searchdocument DROP COLUMN IF EXISTS vector",
]


def forwards(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(
        schema_editor.connection.vendor, []
    )
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
