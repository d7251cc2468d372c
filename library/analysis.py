"""The catalogue's side of search analysis. The analysis itself (words -> keys,
Morfeusz lemmas for Polish, Snowball by the record's language) lives in
`portal.search.analysis`, shared with the site's page search; this module adds
the catalogue's field markers and re-exports the folding helpers the library and
messaging use."""

from __future__ import annotations

from portal.search.analysis import analyzer, fold, normalise_phrase, words

__all__ = ["FIELD_PREFIX", "analyzer", "fold", "normalise_phrase", "words"]

# Field markers: a key prefixed with one of these is searched by advanced search
# only. No Polish or English word (nor lemma) starts with "zz", so they never collide.
FIELD_PREFIX = {
    "title": "zzt",
    "author": "zza",
    "subject": "zzs",
    "series": "zzr",
    "ukd": "zzu",
    "isbn": "zzi",
}
