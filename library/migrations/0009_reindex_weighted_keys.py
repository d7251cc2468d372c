"""Fills the field-weighted key columns of migration 0008 for every record (as
migration 0007 did for the lemmas); `manage.py reindex_catalogue` does the same
by hand."""

from django.db import migrations


def reindex(apps, schema_editor):
    from library.indexing import rebuild_search_index

    rebuild_search_index(
        apps.get_model("library", "Record"), apps.get_model("library", "SearchDocument")
    )


class Migration(migrations.Migration):
    atomic = False  # each batch commits on its own (a large catalogue)
    dependencies = [("library", "0008_weighted_search_index")]

    operations = [migrations.RunPython(reindex, migrations.RunPython.noop)]
