"""The e-register's notifications now live in the notification centre
(`notifications.Notification`); its migration 0003 copied the rows first."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("gradebook", "0006_grade_value_removed"),
        ("notifications", "0003_copy_gradebook_notifications"),
    ]

    operations = [migrations.DeleteModel(name="Notification")]
