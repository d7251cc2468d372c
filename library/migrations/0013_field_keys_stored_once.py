"""Issue 17, the import's speed: the keys of authors, subjects and series are
indexed once, under their field's marker, and the title's keys once, in the
title's column (`library.analysis.APART`; advanced search restricts a title word
to that column), instead of each field's keys both plain and marked. Every
record's search row is written again in the new form by today's indexing code
(0009's reindex now does nothing and leaves it to this one); `manage.py
reindex_catalogue` does the same by hand. A later migration that adds a column
to the search rows must make this one a no-op in the same way and reindex after
its own change."""

from django.db import migrations


def reindex(apps, schema_editor):
    from library.indexing import rebuild_search_index

    rebuild_search_index(
        apps.get_model("library", "Record"), apps.get_model("library", "SearchDocument")
    )


class Migration(migrations.Migration):
    atomic = False  # each batch commits on its own (a large catalogue)
    dependencies = [("library", "0012_filter_keys_in_vector")]

    operations = [migrations.RunPython(reindex, migrations.RunPython.noop)]
