"""What the per-word-form caches of portal.search.analysis save (issue 17:
"lemma lookups cached per word form"). Analyses the words of the committed
Library of Congress excerpt (titles, statements of responsibility, subjects,
notes), repeated up to WORDS words, three ways:

  uncached  every word looked up in Morfeusz (and, unknown, Stempel) again
  cold      the analysis as used, its caches emptied first (one import's worth)
  warm      the same words again with the caches filled (a re-index)

    .venv/bin/python bench/analysis_cache.py [--words 50000]
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXCERPT = ROOT / "library" / "demo_data" / "loc-excerpt.mrc.gz"
sys.path.insert(0, str(ROOT))


def excerpt_words(limit: int) -> list[str]:
    from pymarc import MARCReader

    from portal.search.analysis import words

    out: list[str] = []
    with gzip.open(EXCERPT, "rb") as fh:
        for record in MARCReader(fh, to_unicode=True, force_utf8=True):
            if record is None:
                continue
            for field in record.get_fields("245", "500", "520", "600", "650", "651"):
                out.extend(words(" ".join(field.get_subfields("a", "b", "c", "x", "z"))))
    if not out:
        raise SystemExit("no words in the excerpt")
    print(f"the excerpt has {len(out)} words")
    return (out * (limit // len(out) + 1))[:limit]


def clear_caches(module) -> None:
    for name in ("lemma_keys", "fallback_keys", "polish_index_keys", "old_polish_keys",
                 "snowball_keys", "_fold_word"):  # fmt: skip
        getattr(module, name).cache_clear()


def timed(function, items) -> float:
    start = time.perf_counter()
    for item in items:
        function(item)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--words", type=int, default=50_000)
    args = parser.parse_args()
    from portal.search import analysis

    sample = excerpt_words(args.words)
    analysis.polish_index_keys("rozgrzewka")  # load Morfeusz and Stempel first
    analysis.stempel.stem("rozgrzewka")

    def uncached(word: str):
        return analysis.lemma_keys.__wrapped__(word) or analysis.fallback_keys.__wrapped__(word)

    clear_caches(analysis)
    no_cache = timed(uncached, sample)
    clear_caches(analysis)
    cold = timed(analysis.polish_index_keys, sample)
    warm = timed(analysis.polish_index_keys, sample)
    forms = len(set(sample))
    print(f"{len(sample)} words, {forms} distinct forms")
    for label, seconds in (("uncached", no_cache), ("cold cache", cold), ("warm cache", warm)):
        rate = len(sample) / seconds
        print(f"{label:<11} {seconds:7.2f} s  {rate:10.0f} words/s  x{no_cache / seconds:.1f}")


if __name__ == "__main__":
    main()
