"""Filled the field-weighted key columns of migration 0008 for every record (as
migration 0007 did for the lemmas).

Since 0013 rewrites every search row in the form the indexing code writes now, this
one does nothing: today's rows have columns that arrive only in 0010, so writing
them here failed on a catalogue upgraded from before 0010."""

from django.db import migrations


def reindex(apps, schema_editor):
    """Nothing to do now: 0013 reindexes every record after 0010 and 0012."""


class Migration(migrations.Migration):
    atomic = False  # each batch commits on its own (a large catalogue)
    dependencies = [("library", "0008_weighted_search_index")]

    operations = [migrations.RunPython(reindex, migrations.RunPython.noop)]
