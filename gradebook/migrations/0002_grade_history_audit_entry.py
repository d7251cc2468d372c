"""Grade history joins the portal's one audit shape (portal.models.AuditEntry):
changed_by → actor (SET_NULL, so a teacher's account can be deleted) with the
name kept in actor_name, changed_at → at, and before/after/reason added.
Existing rows keep their values; actor_name is filled from the accounts."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def fill_names(apps, schema_editor):
    from portal.audit import fill_actor_names

    fill_actor_names(
        apps.get_model("gradebook", "GradeHistory"), apps.get_model(settings.AUTH_USER_MODEL)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("gradebook", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField("gradehistory", "changed_by", "actor"),
        migrations.RenameField("gradehistory", "changed_at", "at"),
        migrations.AlterField(
            model_name="gradehistory",
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
            model_name="gradehistory",
            name="at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, verbose_name="at"
            ),
        ),
        migrations.AddField(
            model_name="gradehistory",
            name="actor_name",
            field=models.CharField(blank=True, max_length=300, verbose_name="by (name)"),
        ),
        migrations.AddField(
            model_name="gradehistory",
            name="before",
            field=models.JSONField(blank=True, null=True, verbose_name="before"),
        ),
        migrations.AddField(
            model_name="gradehistory",
            name="after",
            field=models.JSONField(blank=True, null=True, verbose_name="after"),
        ),
        migrations.AddField(
            model_name="gradehistory",
            name="reason",
            field=models.CharField(blank=True, max_length=500, verbose_name="reason"),
        ),
        migrations.AlterModelOptions(
            name="gradehistory",
            options={
                "ordering": ["-at", "-id"],
                "verbose_name": "grade history entry",
                "verbose_name_plural": "grade history",
            },
        ),
        migrations.RunPython(fill_names, migrations.RunPython.noop),
    ]
