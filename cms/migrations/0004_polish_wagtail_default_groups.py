"""Wagtail's migrations create two groups named in English, "Editors" and "Moderators",
which superusers read among the portal's Polish groups in the admin. They keep their
permissions and members; only the names become Polish."""

from django.db import migrations

NAMES = {
    "Editors": "Redaktorzy (grupa domyślna Wagtaila)",
    "Moderators": "Moderatorzy (grupa domyślna Wagtaila)",
}


def rename(apps, names):
    Group = apps.get_model("auth", "Group")
    for old, new in names.items():
        if not Group.objects.filter(name=new).exists():
            Group.objects.filter(name=old).update(name=new)


def to_polish(apps, schema_editor):
    rename(apps, NAMES)


def to_english(apps, schema_editor):
    rename(apps, {new: old for old, new in NAMES.items()})


class Migration(migrations.Migration):
    # after every Wagtail migration that finds these groups by their English names
    dependencies = [
        ("cms", "0003_constraint_messages"),
        ("wagtailcore", "0005_add_page_lock_permission_to_moderators"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtaildocs", "0002_initial_data"),
        ("wagtailimages", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(to_polish, to_english)]
