from pathlib import Path

import polib

from django.conf import settings
from django.core.management.base import BaseCommand

SKIP = {".venv", "var", "node_modules", ".git"}


class Command(BaseCommand):
    help = (
        "Compile every .po catalogue of the project to .mo with polib, so a fresh "
        "machine needs no GNU gettext (compilemessages needs msgfmt)."
    )

    def handle(self, *args, **options):
        base = Path(settings.BASE_DIR)
        count = 0
        for po_path in sorted(base.glob("**/locale/*/LC_MESSAGES/*.po")):
            if SKIP.intersection(po_path.relative_to(base).parts):
                continue
            polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
            count += 1
        self.stdout.write(f"Compiled {count} catalogue(s).")
