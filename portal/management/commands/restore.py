from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, backup_restore, read_manifest


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup`: replaces the whole database and the "
        "uploaded files, then compares row counts and the register checksum."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the .tar written by `manage.py backup`")
        parser.add_argument(
            "--yes", action="store_true", help="do not ask before replacing the data"
        )

    def handle(self, *args, archive, yes, **options):
        path = Path(archive)
        try:
            manifest = read_manifest(path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Backup of {manifest['created_at']} ({manifest['engine']}, "
            f"{sum(manifest['row_counts'].values())} rows)."
        )
        if not yes:
            answer = input("This replaces ALL data of this portal. Type 'yes' to go on: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing restored.")
        try:
            result = backup_restore(archive=path, log=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from error
        for table, (before, after) in sorted(result.counts_differ.items()):
            self.stderr.write(f"  {table}: {before} rows in the backup, {after} now")
        if not result.ok:
            raise CommandError(
                "The restored data does not match the backup "
                f"(register checksum {result.checksum_after[:12]} ≠ "
                f"{result.checksum_before[:12]}); see the differences above."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored and verified: register checksum {result.checksum_after[:12]}."
            )
        )
