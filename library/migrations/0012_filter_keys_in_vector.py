"""Issue 17, a word with a year range and a language at 250k records: PostgreSQL's
tsvector also holds each row's filter keys (`library.search.FILTER_PREFIX`: zzl +
language, zzm + material, zzy + year, zzd + decade), so that the search ANDs them
into its one full-text expression and the GIN index intersects them with the
words' hits. As b-tree conditions the planner built the bitmaps of every English
record (131,871) and of the years 1990-2000 (179,111) for a word with 6,927 hits:
14-20 ms per statement at 250k, against 5 ms with the keys.

The generated column is built again (PostgreSQL 15 cannot change a generated
column's expression in place), which rewrites the table and its GIN index: about
a minute at 250,000 records. SQLite is unchanged (its FTS5 match drives the plan
and the filters are checked on the rows it finds)."""

from django.db import migrations

from library.indexing import KEY_COLUMNS

WEIGHTS = dict(zip(KEY_COLUMNS, "ABCD", strict=True))
WORDS = " || ".join(
    f"setweight(to_tsvector('simple'::regconfig, {c}), '{w}')" for c, w in WEIGHTS.items()
)
# Every piece immutable, as a generated column needs: a missing value adds no key.
FILTER_KEYS = (
    "coalesce('zzl' || nullif(language, ''), '') || ' ' || "
    "coalesce('zzm' || nullif(material, ''), '') || ' ' || "
    "coalesce('zzy' || year::text, '') || ' ' || "
    "coalesce('zzd' || (year / 10)::text, '')"
)


def _vector(expression: str) -> list[str]:
    return [
        "DROP INDEX IF EXISTS library_searchdocument_vector",
        "ALTER TABLE library_searchdocument DROP COLUMN IF EXISTS vector",
        "ALTER TABLE library_searchdocument ADD COLUMN vector tsvector"
        f" GENERATED ALWAYS AS ({expression}) STORED",
        "CREATE INDEX library_searchdocument_vector ON library_searchdocument USING GIN (vector)",
        "ANALYZE library_searchdocument",
    ]


def with_filter_keys(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        filters = f"setweight(to_tsvector('simple'::regconfig, {FILTER_KEYS}), 'D')"
        for sql in _vector(f"{WORDS} || {filters}"):
            schema_editor.execute(sql)


def words_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in _vector(WORDS):
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("library", "0011_search_summaries")]

    operations = [migrations.RunPython(with_filter_keys, words_only)]
