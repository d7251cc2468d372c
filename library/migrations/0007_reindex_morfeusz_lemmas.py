"""Issue 17: the search keys are now Morfeusz lemmas (portal.search.analysis), so
every record's search row is written again; until then the new queries would not
find records indexed with the old Snowball keys. About as fast as an import of the
same records; `manage.py reindex_catalogue` does the same by hand.

Since 0008 split the keys into weighted columns, 0009 does this reindex instead
(the indexing code writes the new columns, which this state does not have yet)."""

from django.db import migrations


def reindex(apps, schema_editor):
    """Nothing to do now: the rows are written by today's indexing code, whose
    columns arrive in 0008, and 0009 reindexes every record after it."""


class Migration(migrations.Migration):
    atomic = False  # each batch commits on its own (a large catalogue)
    dependencies = [("library", "0006_import_job_total")]

    operations = [migrations.RunPython(reindex, migrations.RunPython.noop)]
