"""Fill the site search's index with the pages already published (issue 17).
Runs the same indexing code as publishing, on the historical models."""

from django.db import migrations


def fill(apps, schema_editor):
    from cms.search_index import page_index_rebuild

    page_index_rebuild(registry=apps)


class Migration(migrations.Migration):
    dependencies = [("cms", "0007_page_search_index")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
