"""Catalogue changes join the portal's one audit shape (portal.models.AuditEntry):
user → actor with the name kept in actor_name, a reason, and `at` settable.
Existing rows keep their values; actor_name is filled from the accounts."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def fill_names(apps, schema_editor):
    from portal.audit import fill_actor_names

    fill_actor_names(
        apps.get_model("library", "RecordChange"), apps.get_model(settings.AUTH_USER_MODEL)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0004_host_control_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField("recordchange", "user", "actor"),
        migrations.AlterField(
            model_name="recordchange",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="by",
            ),
        ),
        migrations.AlterField(
            model_name="recordchange",
            name="at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, verbose_name="at"
            ),
        ),
        migrations.AlterField(
            model_name="recordchange",
            name="action",
            field=models.CharField(max_length=40, verbose_name="action"),
        ),
        migrations.AlterField(
            model_name="recordchange",
            name="before",
            field=models.JSONField(blank=True, null=True, verbose_name="before"),
        ),
        migrations.AlterField(
            model_name="recordchange",
            name="after",
            field=models.JSONField(blank=True, null=True, verbose_name="after"),
        ),
        migrations.AddField(
            model_name="recordchange",
            name="actor_name",
            field=models.CharField(blank=True, max_length=300, verbose_name="by (name)"),
        ),
        migrations.AddField(
            model_name="recordchange",
            name="reason",
            field=models.CharField(blank=True, max_length=500, verbose_name="reason"),
        ),
        migrations.AlterModelOptions(name="recordchange", options={"ordering": ["-at", "-id"]}),
        migrations.RunPython(fill_names, migrations.RunPython.noop),
    ]
