"""python manage.py archive_year SCHOOL YEAR

The signed year-end archive of a school year (§ 22): for every class the
register's XML and PDF/A-3b with the XML embedded, PAdES-signed with the school's
certificate (settings.YEAR_END_SIGNING), and manifest.json with its detached
signature, kept in the private storage. SCHOOL is the school's id or slug, YEAR
the school year's name ("2026/2027"). The web page (/dziennik/koniec-roku/archiwum/)
does the same in the background; `verify_archive` checks an archive."""

import contextlib

from django.core.management.base import BaseCommand, CommandError

from portal.models import School, SchoolYear
from portal.services import PortalError

from ...archive import year_archive_request, year_archive_run
from ...models import YearArchive


def find_school_year(school_key: str, year: str) -> SchoolYear:
    """The school year named `year` of the school with the id or slug `school_key`."""
    lookup = {"pk": int(school_key)} if school_key.isdigit() else {"slug": school_key}
    school = School.objects.filter(**lookup).first()
    if school is None:
        raise CommandError(f"No school with the id or slug {school_key!r}.")
    school_year = (
        SchoolYear.objects.select_related("school").filter(school=school, name=year).first()
    )
    if school_year is None:
        names = ", ".join(SchoolYear.objects.filter(school=school).values_list("name", flat=True))
        raise CommandError(f"{school} has no school year {year!r}; it has: {names or 'none'}.")
    return school_year


class Command(BaseCommand):
    help = "Make the signed year-end archive of a school year (every class's register)."

    def add_arguments(self, parser):
        parser.add_argument("school", help="the school's id or slug")
        parser.add_argument("year", help='the school year\'s name, e.g. "2026/2027"')

    def handle(self, *args, school, year, **opts):
        school_year = find_school_year(school, year)
        try:
            archive = year_archive_request(user=None, school_year=school_year, queue=False)
        except PortalError as exc:
            raise CommandError(exc.message) from exc
        with contextlib.suppress(Exception):  # marked failed with the reason, read below
            year_archive_run(archive_id=archive.pk)
        archive.refresh_from_db()
        if archive.status != YearArchive.Status.SUCCEEDED:
            raise CommandError(f"Archive {archive.pk} failed: {archive.message}")
        self.stdout.write(
            f"Archive {archive.pk} of {school_year.school} {school_year.name}: "
            f"{archive.file_count} files, {archive.size} bytes, in {archive.folder}; "
            f"signed by {archive.signer_subject}; keep until {archive.retention_until}."
        )
