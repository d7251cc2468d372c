"""Search quality of the catalogue's Polish analysis: recall and MRR on the recall
set (tests/library/data/recall_pl.csv: a query and the control number of the
record it must find, from the committed Library of Congress excerpt and the demo
titles), for the analysis before issue 17 (Snowball) and the current one
(Morfeusz lemmas), side by side, on a fresh SQLite database.

    .venv/bin/python bench/search_quality.py            # both analyses
    .venv/bin/python bench/search_quality.py --misses   # and the pairs each one misses

Recall: the record is among the hits at all. MRR: the mean of 1/rank of the record
in the first RANKED results (0 beyond), with the ranking as it stands.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAIRS = ROOT / "tests" / "library" / "data" / "recall_pl.csv"
RANKED = 100


@dataclass
class Quality:
    recall: float
    mrr: float
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # query, control, kind
    by_kind: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind -> found, total


def load_pairs(path: Path = PAIRS) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def evaluate(pairs: list[dict]) -> Quality:
    """Runs each query through the catalogue search on the current database."""
    from django.db import connection

    from library.models import Record
    from library.search import Query, Results

    ids = dict(
        Record.objects.filter(control_number__in={p["control"] for p in pairs}).values_list(
            "control_number", "pk"
        )
    )
    found = reciprocal = 0.0
    quality = Quality(0.0, 0.0)
    for pair in pairs:
        rid = ids.get(pair["control"])
        results = Results(Query(q=pair["query"]))
        sql, params = results.compiled.from_where()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 {sql} AND d.record_id = %s", [*params, rid])
            hit = rid is not None and cursor.fetchone() is not None
        kind_found, kind_total = quality.by_kind.get(pair["kind"], (0, 0))
        quality.by_kind[pair["kind"]] = (kind_found + hit, kind_total + 1)
        if not hit:
            quality.misses.append((pair["query"], pair["control"], pair["kind"]))
            continue
        found += 1
        ranked = results.ids(0, RANKED)
        if rid in ranked:
            reciprocal += 1 / (ranked.index(rid) + 1)
    quality.recall = found / len(pairs)
    quality.mrr = reciprocal / len(pairs)
    return quality


def load_catalogue() -> None:
    """The demo catalogue: the generated school titles and the LoC excerpt."""
    from library.demo import load_catalogue as load

    load(log=lambda *_: None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--misses", action="store_true", help="list the pairs each one misses")
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.base"
    os.environ["TASK_BACKEND"] = "immediate"
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='bench-quality-')}/q.sqlite3"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from library.indexing import rebuild_search_index
    from portal.search.analysis import LemmaAnalyzer, SnowballAnalyzer, use_analyzer

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    load_catalogue()
    print(f"demo catalogue loaded in {time.perf_counter() - start:.1f} s")
    pairs = load_pairs()
    results = {}
    for analysis in (SnowballAnalyzer(), LemmaAnalyzer()):
        use_analyzer(analysis)
        start = time.perf_counter()
        count = rebuild_search_index()
        took = time.perf_counter() - start
        results[analysis.name] = evaluate(pairs)
        print(f"{analysis.name}: indexed {count} records in {took:.1f} s")
    old, new = results["snowball"], results["morfeusz"]
    print(f"\n{len(pairs)} pairs          Snowball (old)   Morfeusz (new)")
    print(f"recall            {old.recall:14.1%}   {new.recall:14.1%}")
    print(f"MRR (first {RANKED})    {old.mrr:14.3f}   {new.mrr:14.3f}")
    for kind, (found, total) in new.by_kind.items():
        old_found = old.by_kind[kind][0]
        print(f"  {kind:<15} {old_found:>8}/{total:<5}   {found:>8}/{total}")
    if args.misses:
        for name, quality in results.items():
            print(f"\nmissed by {name}:")
            for query, control, kind in quality.misses:
                print(f"  {query!r} -> {control} ({kind})")


if __name__ == "__main__":
    main()
