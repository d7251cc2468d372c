"""Polish text analysis shared by indexing and querying.

Every word yields two keys: stem-then-fold and fold-then-stem (the Snowball
"polish" stemmer gives different stems for "Kraków" and "krakow"), plus a variant
for the fleeting "e" of genitive plurals ("książek" -> "książk"). Keys are plain
ASCII [a-z0-9], so SQLite FTS5 and PostgreSQL's "simple" configuration split them
identically and the same query finds the same records on both databases.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

_stemmer = Stemmer.Stemmer("polish")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_SPECIAL = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "ß": "ss", "æ": "ae"})
_CONSONANTS = set("bcdfghjklmnprstwzxqv")

# Field markers: a key prefixed with one of these is searched by advanced search
# only. No Polish or English word starts with "zz", so they never collide.
FIELD_PREFIX = {
    "title": "zzt",
    "author": "zza",
    "subject": "zzs",
    "series": "zzr",
    "ukd": "zzu",
    "isbn": "zzi",
}


def fold(text: str) -> str:
    """Lower case without diacritics: "Żółw" -> "zolw"."""
    if not text:
        return ""
    if text.isascii():
        return text.lower()
    return _fold_word(text) if len(text) < 40 else _fold(text)


@lru_cache(maxsize=200_000)
def _fold_word(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
    text = text.translate(_SPECIAL)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


# Library of Congress data writes some Polish acutes as a modifier prime before
# the letter ("wartoʹsci"); decomposed text (NFD) would split words at the accent.
_PRIME = re.compile("\u02b9([cnoszCNOSZ])")


def words(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", _PRIME.sub("\\1\u0301", text or ""))
    return _WORD.findall(text.lower())


def normalise_phrase(text: str) -> str:
    """Folded words joined by single spaces, for exact comparisons."""
    return " ".join(words(fold(text)))


@lru_cache(maxsize=200_000)
def word_keys(word: str) -> tuple[str, ...]:
    """The index keys of one (lower-case) word."""
    word = word.lower()
    keys = {fold(_stemmer.stemWord(word)), _stemmer.stemWord(fold(word))}
    for key in list(keys):
        if len(key) >= 6 and key.endswith("ek") and key[-3] in _CONSONANTS:
            keys.add(key[:-2] + "k")
    return tuple(sorted(k for k in keys if k.isascii() and k.isalnum()))


def text_keys(text: str) -> set[str]:
    out: set[str] = set()
    for word in words(text):
        out.update(word_keys(word))
    return out


def field_keys(field: str, text: str) -> set[str]:
    prefix = FIELD_PREFIX[field]
    return {prefix + k for k in text_keys(text)}
