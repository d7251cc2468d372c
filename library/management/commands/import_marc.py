"""python manage.py import_marc FILE [--format marc|marcxml|json] [--library SCHOOL]"""

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from library import marc
from library.importing import REJECTED, Importer
from portal.models import School


class Command(BaseCommand):
    help = "Import MARC 21 (binary UTF-8/MARC-8), MARCXML or MARC-in-JSON records."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", choices=marc.FORMATS, dest="fmt")
        parser.add_argument("--library", help="school id, short name or name")
        parser.add_argument("--report", help="write the per-record report (TSV) here")
        parser.add_argument("--quiet-records", action="store_true", help="only the summary")

    def handle(self, *args, file, fmt=None, library=None, report=None, quiet_records=False, **opts):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"cannot read {file}")
        school = None
        if library:
            school = (
                School.objects.filter(pk=int(library)).first()
                if library.isdigit()
                else School.objects.filter(short_name=library).first()
                or School.objects.filter(name=library).first()
            )
            if school is None:
                raise CommandError(f"no such library (school): {library}")
        with path.open("rb") as fh:
            fmt = fmt or marc.guess_format(path.name, fh.read(200))
        size = path.stat().st_size
        report_fh = open(report, "w", encoding="utf-8") if report else None  # noqa: SIM115
        start = time.monotonic()
        interactive = self.stdout.isatty() if hasattr(self.stdout, "isatty") else False

        with path.open("rb") as fh:

            def on_outcome(outcome):
                if report_fh:
                    report_fh.write(f"{outcome.position}\t{outcome.outcome}\t{outcome.reason}\n")
                if outcome.outcome == REJECTED and not quiet_records:
                    self.stderr.write(f"record {outcome.position}: rejected: {outcome.reason}")
                done = importer.summary.total
                if done % 1000 == 0:
                    pct = fh.tell() * 100 // max(size, 1)
                    rate = done / max(time.monotonic() - start, 1e-6)
                    bar = "#" * (pct // 4)
                    line = f"\r[{bar:<25}] {pct:3d}% {done} records {rate:.0f}/s"
                    if interactive:
                        self.stdout.write(line, ending="")
                    else:
                        sys.stderr.write(line.strip() + "\n")

            importer = Importer(school=school, keep_outcomes=False, on_outcome=on_outcome)
            try:
                summary = importer.run(marc.read_records(fh, fmt))
            except marc.MarcFileError as exc:
                raise CommandError(str(exc)) from exc
            finally:
                if report_fh:
                    report_fh.close()
        elapsed = time.monotonic() - start
        counts = summary.counts
        if interactive:
            self.stdout.write("")
        rate = summary.total / max(elapsed, 1e-6)
        self.stdout.write(
            f"{summary.total} records in {elapsed:.1f} s ({rate:.0f}/s): "
            f"{counts['imported']} imported, {counts['updated']} updated, "
            f"{counts['warned']} imported with warnings, {counts['rejected']} rejected"
        )
