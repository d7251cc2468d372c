"""Scheduled anonymisation of people who left, after the retention periods.

    manage.py rodo_anonymise --dry-run --report raport.json   # who and why, no change
    manage.py rodo_anonymise                                  # do it (daily from cron)

The real run's output and report leave out the login: after the run nothing
should still name the people it anonymised."""

import json

from django.core.management.base import BaseCommand

from portal.privacy.retention import anonymisation_candidates, person_anonymise


class Command(BaseCommand):
    help = "Anonymise the accounts of people who left, after the retention periods."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List who would be anonymised; change nothing."
        )
        parser.add_argument("--report", metavar="FILE", help="Write the report as JSON to FILE.")

    def handle(self, *args, dry_run=False, report=None, **options):
        candidates = anonymisation_candidates()
        due = [(c, c.as_dict()) for c in candidates["due"]]
        kept = [c.as_dict() for c in candidates["kept"]]
        for candidate, row in due:
            if not dry_run:
                person_anonymise(person=candidate.person, reason=candidate.why)
                del row["login"]
            login = f"\t{row['login']}" if dry_run else ""
            self.stdout.write(f"{row['id']}{login}\t{row['kind']}\t{row['last_link_end']}")
            self.stdout.write(f"\t{row['why']}")
        for row in kept:
            self.stdout.write(f"kept {row['id']}\t{row['login']}\t{row['kept_by']}")
        verb = "would anonymise" if dry_run else "anonymised"
        self.stdout.write(
            f"{verb} {len(due)}; kept {len(kept)}; within retention {len(candidates['waiting'])}"
        )
        if report:
            with open(report, "w", encoding="utf-8") as out:
                json.dump(
                    {
                        "dry_run": dry_run,
                        "would_anonymise" if dry_run else "anonymised": [row for _c, row in due],
                        "kept": kept,
                        "within_retention": len(candidates["waiting"]),
                    },
                    out,
                    ensure_ascii=False,
                    indent=2,
                )
