"""python manage.py export_register SCHOOL_ID YEAR_NAME [--class CLASS_ID]
[--format xml|json] [--output PATH]

The electronic register of a school year (one class, or the whole school) as XML
(format register 1.1, validated against gradebook/yearend/schemas/register-1.1.xsd)
or JSON; to a file or to standard output. For the operators: the web page
(/dziennik/koniec-roku/eksport/) records who downloaded what in the audit trail."""

import os
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.models import SchoolClass, SchoolYear

from ...xml_export import FORMATS, InvalidRegisterExport, register_export_write


class Command(BaseCommand):
    help = "Export a school year's electronic register as XML (register 1.0) or JSON."

    def add_arguments(self, parser):
        parser.add_argument("school_id", type=int, help="the school's id")
        parser.add_argument("year", help='the school year\'s name, e.g. "2026/2027"')
        parser.add_argument(
            "--class", type=int, dest="class_id", help="one class's id (default: every class)"
        )
        parser.add_argument("--format", choices=FORMATS, default="xml", dest="fmt")
        parser.add_argument("--output", default="-", help="file to write, or - (standard output)")

    def handle(self, *args, school_id, year, class_id, fmt, output, **opts):
        school_year = (
            SchoolYear.objects.select_related("school")
            .filter(school_id=school_id, name=year)
            .first()
        )
        if school_year is None:
            names = list(
                SchoolYear.objects.filter(school_id=school_id).values_list("name", flat=True)
            )
            if not names:
                raise CommandError(f"No school with id {school_id}, or it has no school years.")
            raise CommandError(
                f"School {school_id} has no school year {year!r}; it has: {', '.join(names)}."
            )
        school_class = None
        if class_id is not None:
            school_class = SchoolClass.objects.filter(pk=class_id, school_year=school_year).first()
            if school_class is None:
                raise CommandError(
                    f"No class with id {class_id} in school {school_id}'s year {year}."
                )
        try:
            if output == "-":
                register_export_write(
                    school_year=school_year,
                    school_class=school_class,
                    fmt=fmt,
                    out=sys.stdout.buffer,
                )
                return
            target = Path(output)
            if not target.parent.is_dir():
                raise CommandError(f"The folder {target.parent} does not exist.")
            # written beside the target and renamed: a failed export leaves no half file
            fd, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
            try:
                with os.fdopen(fd, "wb") as fh:
                    register_export_write(
                        school_year=school_year, school_class=school_class, fmt=fmt, out=fh
                    )
                os.replace(partial, target)
            finally:
                if os.path.exists(partial):
                    os.unlink(partial)
        except InvalidRegisterExport as exc:
            raise CommandError(f"The export does not match its schema (a bug): {exc}") from exc
        scope = f"class {school_class.name}" if school_class else "every class"
        self.stderr.write(
            f"Register of {school_year.school} {school_year.name} ({scope}) written to {output}."
        )
