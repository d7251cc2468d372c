"""Repair grade columns that got weight 1 because the add-column form showed the
model's default (1) in a box whose help said "empty: the category's default".

A column is repaired when its weight is 1 while its category's default is not:
until now nothing recorded whether a 1 was typed or left as filled in, and the
form filled it in on every new column. Each repair is printed and written to the audit trail (`assessment.update`, with the
reason), so a school can see which columns changed and set one back if its 1
was meant."""

from django.db import migrations

REASON = (
    "Migration gradebook.0004: the column was created with weight 1 while its "
    "category's default weight is different (the add-column form filled in 1)."
)


def repair(apps, schema_editor):
    Assessment = apps.get_model("gradebook", "Assessment")
    AuditEvent = apps.get_model("portal", "AuditEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    rows = (
        Assessment.objects.filter(weight=1)
        .exclude(category__weight=1)
        .select_related("category", "assignment__subject", "assignment__school_class__school_year")
        .order_by("pk")
    )
    changed = list(rows)
    if not changed:
        return
    ctype, _created = ContentType.objects.get_or_create(app_label="gradebook", model="assessment")
    events = []
    for col in changed:
        events.append(
            AuditEvent(
                actor=None,
                actor_name="migration gradebook.0004",
                category="gradebook",
                action="assessment.update",
                school_id=col.assignment.school_class.school_year.school_id,
                target_type=ctype,
                target_id=col.pk,
                target_repr=col.name[:300],
                before={"weight": 1},
                after={"weight": col.category.weight},
                reason=REASON,
            )
        )
        print(
            f"  gradebook.0004: column {col.pk} “{col.name}” "
            f"({col.assignment.subject.name}, {col.assignment.school_class.name}, "
            f"school {col.assignment.school_class.school_year.school_id}): "
            f"weight 1 → {col.category.weight} ({col.category.name})"
        )
        Assessment.objects.filter(pk=col.pk).update(weight=col.category.weight)
    AuditEvent.objects.bulk_create(events)
    print(f"  gradebook.0004: {len(changed)} column(s) repaired; see the audit trail.")


class Migration(migrations.Migration):
    dependencies = [
        ("gradebook", "0003_notification_mail_delivery"),
        ("portal", "0005_audit_category_gradebook"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop)]
