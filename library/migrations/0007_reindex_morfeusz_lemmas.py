"""Issue 17: the search keys are now Morfeusz lemmas (portal.search.analysis), so
every record's search row is written again; until then the new queries would not
find records indexed with the old Snowball keys. About as fast as an import of the
same records; `manage.py reindex_catalogue` does the same by hand."""

from django.db import migrations


def reindex(apps, schema_editor):
    from library.indexing import rebuild_search_index

    rebuild_search_index(
        apps.get_model("library", "Record"), apps.get_model("library", "SearchDocument")
    )


class Migration(migrations.Migration):
    atomic = False  # each batch commits on its own (a large catalogue)
    dependencies = [("library", "0006_import_job_total")]

    operations = [migrations.RunPython(reindex, migrations.RunPython.noop)]
