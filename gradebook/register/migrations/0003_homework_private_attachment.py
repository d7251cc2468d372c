"""Homework attachments move to the private storage (PRIVATE_MEDIA_ROOT, outside
MEDIA_ROOT), where no URL of the web server reaches them; only the
permission-checked view `register:homework_file` serves them.

The files already uploaded are moved from the default storage by this migration
(idempotent; reversed, they move back). See docs/operations.md."""

from django.core.files.storage import default_storage
from django.db import migrations, models

import gradebook.register.models
import portal.files


def _move(apps, *, source, target):
    Homework = apps.get_model("register", "Homework")
    names = Homework.objects.exclude(attachment="").values_list("attachment", flat=True)
    renamed = portal.files.move_files(list(names), source=source, target=target)
    for old, new in renamed.items():
        Homework.objects.filter(attachment=old).update(attachment=new)


def to_private(apps, schema_editor):
    _move(apps, source=default_storage, target=portal.files.private_storage())


def to_public(apps, schema_editor):
    _move(apps, source=portal.files.private_storage(), target=default_storage)


class Migration(migrations.Migration):
    dependencies = [
        ("register", "0002_register_change_audit_entry"),
    ]

    operations = [
        migrations.AlterField(
            model_name="homework",
            name="attachment",
            field=models.FileField(
                blank=True,
                storage=portal.files.private_storage,
                upload_to=gradebook.register.models.homework_upload_to,
                verbose_name="attachment",
            ),
        ),
        migrations.RunPython(to_private, to_public),
    ]
