"""python manage.py verify_archive ARCHIVE_ID
python manage.py verify_archive --school SCHOOL --year YEAR   (the year's newest archive)
python manage.py verify_archive --path FOLDER_OR_ZIP          (an unpacked or downloaded copy)

Checks a year-end archive: every file's SHA-256 and size against manifest.json,
no file missing or added, the manifest's detached signature and each PDF's PAdES
signature. Prints every difference and exits with status 1 if there is any. An
untrusted certificate (self-signed, or a root not in the system's store nor in
YEAR_END_TRUST_ROOTS) is reported, not counted a difference. A check of a stored
archive is kept on it (the archive page shows it) and audited."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ...archive import ArchiveFiles, archive_verify_files, year_archive_verify
from ...models import YearArchive
from .archive_year import find_school_year


class Command(BaseCommand):
    help = "Check a year-end archive's files and signatures against its manifest."

    def add_arguments(self, parser):
        parser.add_argument("archive_id", nargs="?", type=int, help="the archive's id")
        parser.add_argument("--school", help="the school's id or slug (with --year)")
        parser.add_argument("--year", help='the school year\'s name, e.g. "2026/2027"')
        parser.add_argument("--path", help="an unpacked archive folder or its ZIP file")

    def handle(self, *args, archive_id, school, year, path, **opts):
        if path:
            target = Path(path)
            if not target.exists():
                raise CommandError(f"{path} does not exist.")
            report, label = archive_verify_files(ArchiveFiles.at_path(target)), path
        else:
            archive = self._archive(archive_id, school, year)
            report = year_archive_verify(archive=archive, user=None)
            label = f"archive {archive.pk} ({archive.school_year.school} {archive.school_year})"
        for seen in report.signatures:
            trust = "trusted" if seen["trusted"] else "NOT trusted (e.g. self-signed)"
            self.stdout.write(f"{seen['name']}: signed by {seen['signer']}, certificate {trust}")
        for problem in report.problems:
            self.stderr.write(problem.message)
        if not report.ok:
            raise CommandError(f"{label}: {len(report.problems)} difference(s) found.")
        self.stdout.write(f"{label}: intact, {report.files_checked} files checked.")

    def _archive(self, archive_id, school, year) -> YearArchive:
        archives = YearArchive.objects.select_related("school_year__school").filter(
            status=YearArchive.Status.SUCCEEDED
        )
        if archive_id is not None:
            archive = archives.filter(pk=archive_id).first()
            if archive is None:
                raise CommandError(f"No finished archive with the id {archive_id}.")
            return archive
        if not (school and year):
            raise CommandError("Give an archive id, --school with --year, or --path.")
        archive = archives.filter(school_year=find_school_year(school, year)).first()
        if archive is None:
            raise CommandError(f"No finished archive of {school} {year}.")
        return archive
