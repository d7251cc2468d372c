"""The catalogue's side of search analysis. The analysis itself (words -> keys,
Morfeusz lemmas for Polish, Snowball by the record's language) lives in
`portal.search.analysis`, shared with the site's page search; this module adds
the catalogue's field markers and re-exports the folding helpers the library and
messaging use."""

from __future__ import annotations

from portal.search.analysis import analyzer, fold, normalise_phrase, words

__all__ = ["APART", "FIELD_PREFIX", "analyzer", "fold", "normalise_phrase", "words"]

# Field markers. No Polish or English word (nor lemma) starts with "zz", so they
# never collide with a word's keys. The keys of an author, a subject and a series
# are indexed under their field's marker alone (`APART`): advanced search looks
# for the marked key, a plain search for the key with and without each marker.
# The title's keys are indexed as they are, in the title's own column (weight A on
# PostgreSQL), where advanced search restricts them. An ISBN's key is marked.
FIELD_PREFIX = {
    "author": "zza",
    "subject": "zzs",
    "series": "zzr",
    "isbn": "zzi",
}
APART = ("author", "subject", "series")
