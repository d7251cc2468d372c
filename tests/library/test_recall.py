"""Recall of the Polish search on its own test set (issue 17): at least 60 query ->
record pairs over the committed Library of Congress excerpt and the demo titles
(tests/library/data/recall_pl.csv). bench/search_quality.py prints the same
figures for the old (Snowball) analysis beside these."""

import pytest

from bench.search_quality import evaluate, load_catalogue, load_pairs

pytestmark = pytest.mark.django_db


def test_the_set_covers_what_the_issue_asks():
    pairs = load_pairs()
    assert len(pairs) >= 60
    kinds = {p["kind"] for p in pairs}
    assert kinds == {"alternation", "plural", "adjective", "unaccented", "name", "place"}
    lengths = {len(p["query"].split()) for p in pairs}
    assert {1, 2, 3} <= lengths


def test_recall_of_the_polish_analysis():
    load_catalogue()
    quality = evaluate(load_pairs())
    assert quality.recall >= 0.95, quality.misses
    assert quality.mrr >= 0.8
