from pathlib import Path

import polib

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Compile every .po catalogue of the project to .mo with polib, so a fresh "
        "machine needs no GNU gettext (compilemessages needs msgfmt)."
    )

    def handle(self, *args, **options):
        roots = [Path(p) for p in settings.LOCALE_PATHS]
        roots += [
            Path(settings.BASE_DIR) / app / "locale"
            for app in (
                "portal",
                "gradebook",
                "gradebook/register",
                "library",
                "library/circulation",
                "cms",
            )
        ]
        count = 0
        for root in roots:
            for po_path in sorted(root.glob("*/LC_MESSAGES/*.po")):
                catalogue = polib.pofile(str(po_path))
                catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
                count += 1
        self.stdout.write(f"Compiled {count} catalogue(s).")
