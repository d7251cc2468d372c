"""python manage.py export_marc OUT [--format mrc|xml|json|ris|bib] [--query TEXT] [--ids 1,2]"""

from django.core.management.base import BaseCommand, CommandError

from library.exporting import EXPORT_FORMATS, export
from library.models import Record
from library.search import Query, search


class Command(BaseCommand):
    help = "Export catalogue records as MARC 21, MARCXML, MARC-in-JSON, RIS or BibTeX."

    def add_arguments(self, parser):
        parser.add_argument("out", help="output file, or - for standard output")
        parser.add_argument("--format", choices=list(EXPORT_FORMATS), default="mrc", dest="fmt")
        parser.add_argument("--query", default="", help="export the result of a catalogue search")
        parser.add_argument("--ids", default="", help="comma-separated record ids")
        parser.add_argument("--batch", type=int, default=1000)

    def handle(self, *args, out, fmt, query, ids, batch, **opts):
        if query:
            results = search(Query(q=query))
            chunks = (results[i : i + batch] for i in range(0, results.count(), batch))
        else:
            qs = Record.objects.order_by("pk")
            if ids:
                try:
                    qs = qs.filter(pk__in=[int(i) for i in ids.split(",") if i.strip()])
                except ValueError as exc:
                    raise CommandError("--ids takes numbers") from exc
            pks = list(qs.values_list("pk", flat=True))
            chunks = (
                list(Record.objects.filter(pk__in=pks[i : i + batch]).order_by("pk"))
                for i in range(0, len(pks), batch)
            )
        total = 0
        parts = []
        for chunk in chunks:
            total += len(chunk)
            parts.append(chunk)
        records = [r for chunk in parts for r in chunk]
        if fmt in ("xml", "json"):
            data = export(records, fmt)  # one document
        else:
            data = b"".join(export(chunk, fmt) for chunk in parts)
        if out == "-":
            self.stdout.write(data.decode("utf-8", "replace"), ending="")
        else:
            with open(out, "wb") as fh:
                fh.write(data)
            self.stderr.write(f"{total} records written to {out}")
