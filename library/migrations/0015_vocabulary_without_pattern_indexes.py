"""Issue 17, the import's speed: PostgreSQL only. Django gives a unique or indexed
CharField a second, `varchar_pattern_ops` index for LIKE; the vocabulary
(`Term.word`, `Term.head`) is only ever compared for equality ("did you mean"),
which the plain indexes serve, and an import inserts hundreds of thousands of
words: 100,000 words into a copy of the table, 0.82 s with the two pattern
indexes, 0.59 s without."""

from django.db import migrations

PATTERN_INDEXES = {
    "library_term_word_1ea2d02d_like": "word",
    "library_term_head_681a3f89_like": "head",
}


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in PATTERN_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, column in PATTERN_INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON library_term ({column} varchar_pattern_ops)"
            )


class Migration(migrations.Migration):
    dependencies = [("library", "0014_unused_search_indexes")]

    operations = [migrations.RunPython(drop, create)]
