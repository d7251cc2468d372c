"""Copy the e-register's own notifications (term grades, test changes) into the
notification centre, keeping their keys, read state and e-mail state; the
gradebook model is removed by gradebook's next migration."""

from django.db import migrations


def copy(apps, schema_editor):
    Old = apps.get_model("gradebook", "Notification")
    New = apps.get_model("notifications", "Notification")
    rows = []
    for old in Old.objects.order_by("pk").iterator():
        key = old.dedupe_key or f"legacy:{old.pk}"
        rows.append(
            New(
                recipient_id=old.recipient_id,
                pupil_id=old.pupil_id,
                kind="term_grade" if key.startswith("term:") else "test",
                title=old.text[:200],
                url=old.url[:300],
                key=key[:200],
                created_at=old.created_at,
                updated_at=old.created_at,
                read_at=old.read_at,
                mail_status=old.mail_status,
                mail_attempts=old.mail_attempts,
                mail_error=old.mail_error,
            )
        )
        if len(rows) >= 1000:
            New.objects.bulk_create(rows, ignore_conflicts=True)
            rows = []
    New.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_notification_for_digest_notification_mail_due_at_and_more"),
        ("gradebook", "0006_grade_value_removed"),
    ]

    operations = [migrations.RunPython(copy, migrations.RunPython.noop)]
