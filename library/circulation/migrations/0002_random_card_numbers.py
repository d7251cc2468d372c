"""Library cards get random numbers (issue 10): the old ones were "C" + the
account's id, which told anyone holding a card the id of its owner and let the
next cards be guessed. Cards printed before must be printed again."""

import secrets

from django.db import migrations

# Keep in step with library.circulation.services.card_number_new (a migration
# must not change when the code does).
CARD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CARD_LENGTH = 10


def renumber_cards(apps, schema_editor):
    ReaderProfile = apps.get_model("circulation", "ReaderProfile")
    used = set(ReaderProfile.objects.values_list("card_number", flat=True))
    changed = []
    for profile in ReaderProfile.objects.only("pk", "card_number").iterator(2000):
        number = "".join(secrets.choice(CARD_ALPHABET) for _ in range(CARD_LENGTH))
        while number in used:
            number = "".join(secrets.choice(CARD_ALPHABET) for _ in range(CARD_LENGTH))
        used.add(number)
        profile.card_number = number
        changed.append(profile)
    ReaderProfile.objects.bulk_update(changed, ["card_number"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("circulation", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(renumber_cards, migrations.RunPython.noop),
    ]
