"""Text analysis for search: words -> plain-ASCII keys.

Polish words (issue 17): the keys of a word are its lemmas from the Morfeusz 2
dictionary (SGJP), folded ("zamków" -> zamek; "Kaszubach" -> kaszub, kaszuba,
kaszuby: every lemma of an ambiguous form). Only a word the dictionary does not
know (a surname, a typo, an English word of a heading) gets fallback keys: its
Stempel stem and the Snowball "polish" keys, each stem-then-fold and
fold-then-stem. A query word the dictionary does not know, typically typed
without diacritics ("zakazne", "slask", "ksiazek"), is also tried as the accented
spellings the dictionary knows ("zakaźne", "Śląsk", "książek"): every spelling
Polish orthography allows when there are at most MAX_CANDIDATES, else that many
with the fewest diacritics first (a long word rarely has more than three).

Other languages keep Snowball stemming by the record's language (English records
English stems, German records German ones ...) plus the folded word itself; a
language without a Snowball stemmer gets the folded word only. A query does not
know the language of the records it should find, so each query word is one group
of keys: its Polish keys, its English stems, the folded word, and the stems of
the language filter when one is chosen.

Keys are [a-z0-9] only: SQLite FTS5 (unicode61) and PostgreSQL's "simple"
configuration split them identically, so both databases find the same records.
The same analysis would be an OpenSearch analyser (Morfeusz or Stempel plugin,
asciifolding): `Analyzer` is the interface such a backend implements.
"""

from __future__ import annotations

import gzip
import io
import itertools
import math
import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

import Stemmer

# --- Words and folding -----------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_SPECIAL = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "ß": "ss", "æ": "ae"})
_NOT_KEY = re.compile(r"[^a-z0-9]")
# Library of Congress data writes some Polish acutes as a modifier prime before
# the letter ("wartoʹsci"); decomposed text (NFD) would split words at the accent.
_PRIME = re.compile("\u02b9([cnoszCNOSZ])")
# ... and its older records write the ogonek as a comma, half ring or cedilla below
# ("Ksie̜gach", "Światopogla̦d"): not letters, so the word would be split there.
_OGONEK = re.compile("([aeAE])[\u0326\u031c\u0327]")


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


def words(text: str) -> list[str]:
    """The lower-case words of a text (letters and digits, composed)."""
    if not text:
        return []
    # The substitutions and NFC only where they can change something: this runs
    # for every field text of an import (issue 17), and most text has none of it.
    if "\u02b9" in text:
        text = _PRIME.sub("\\1\u0301", text)
    if "\u0326" in text or "\u031c" in text or "\u0327" in text:
        text = _OGONEK.sub("\\1\u0328", text)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return _WORD.findall(text.lower())


def normalise_phrase(text: str) -> str:
    """Folded words joined by single spaces, for exact comparisons."""
    return " ".join(words(fold(text)))


def _keys(values: Iterable[str | None]) -> tuple[str, ...]:
    """Folded [a-z0-9] keys, sorted, without empties."""
    out = {_NOT_KEY.sub("", fold(v)) for v in values if v}
    out.discard("")
    return tuple(sorted(out))


# --- Languages -------------------------------------------------------------------------

POLISH = "polish"
# MARC (ISO 639-2/B and /T) and ISO 639-1 codes -> Snowball algorithm
_SNOWBALL = {
    "ara": "arabic", "ar": "arabic", "arm": "armenian", "hye": "armenian", "hy": "armenian",
    "baq": "basque", "eus": "basque", "eu": "basque", "cat": "catalan", "ca": "catalan",
    "cze": "czech", "ces": "czech", "cs": "czech", "dan": "danish", "da": "danish",
    "dut": "dutch", "nld": "dutch", "nl": "dutch", "eng": "english", "en": "english",
    "epo": "esperanto", "eo": "esperanto", "est": "estonian", "et": "estonian",
    "fin": "finnish", "fi": "finnish", "fre": "french", "fra": "french", "fr": "french",
    "ger": "german", "deu": "german", "de": "german", "gre": "greek", "ell": "greek",
    "el": "greek", "hin": "hindi", "hi": "hindi", "hun": "hungarian", "hu": "hungarian",
    "ind": "indonesian", "id": "indonesian", "gle": "irish", "ga": "irish",
    "ita": "italian", "it": "italian", "lit": "lithuanian", "lt": "lithuanian",
    "nep": "nepali", "ne": "nepali", "nor": "norwegian", "nob": "norwegian",
    "nno": "norwegian", "no": "norwegian", "nb": "norwegian", "nn": "norwegian",
    "per": "persian", "fas": "persian", "fa": "persian", "pol": POLISH, "pl": POLISH,
    "por": "portuguese", "pt": "portuguese", "rum": "romanian", "ron": "romanian",
    "ro": "romanian", "rus": "russian", "ru": "russian", "srp": "serbian", "sr": "serbian",
    "sot": "sesotho", "st": "sesotho", "spa": "spanish", "es": "spanish",
    "swe": "swedish", "sv": "swedish", "tam": "tamil", "ta": "tamil",
    "tur": "turkish", "tr": "turkish", "yid": "yiddish", "yi": "yiddish",
}  # fmt: skip
# Not a language of the text, or not said: the catalogue is Polish
_UNSTATED = frozenset({"", "und", "mul", "zxx", "mis", "|||"})
# a language with no Snowball stemmer: its words are keys as they are
_NONE = ""


def algorithm(language: str | None) -> str:
    """The Snowball algorithm for a MARC or ISO 639-1 code: "polish" for Polish
    and for an unstated language, "" for a language without a stemmer."""
    code = (language or "").strip().lower()
    if code in _UNSTATED:
        return POLISH
    return _SNOWBALL.get(code, _NONE)


_stemmers: dict[str, Stemmer.Stemmer] = {}
_stemmer_lock = threading.Lock()


def _stem(name: str, word: str) -> str:
    stemmer = _stemmers.get(name)
    if stemmer is None:
        stemmer = _stemmers.setdefault(name, Stemmer.Stemmer(name))
    with _stemmer_lock:  # a Snowball stemmer is not thread-safe
        return stemmer.stemWord(word)


@lru_cache(maxsize=200_000)
def snowball_keys(word: str, name: str) -> tuple[str, ...]:
    """Stem-then-fold and fold-then-stem (Snowball gives "krak" for "Kraków" and
    "krakow" for "krakow"), for a Snowball algorithm's name."""
    return _keys([_stem(name, word), _stem(name, fold(word))])


_CONSONANTS = set("bcdfghjklmnprstwzxqv")


@lru_cache(maxsize=200_000)
def old_polish_keys(word: str) -> tuple[str, ...]:
    """The Snowball "polish" keys of the analysis before issue 17, with its
    variant for the fleeting "e" ("książek" -> "książk")."""
    keys = set(snowball_keys(word, POLISH))
    for key in list(keys):
        if len(key) >= 6 and key.endswith("ek") and key[-3] in _CONSONANTS:
            keys.add(key[:-2] + "k")
    return tuple(sorted(keys))


# --- Morfeusz 2 and Stempel ------------------------------------------------------------


class _Morfeusz:
    """Lemmas of one word from Morfeusz 2 with the SGJP dictionary of its wheel.
    Words are lower case here, so case is ignored ("śląsku" -> Śląsk too)."""

    def __init__(self):
        self._instance = None
        self._lock = threading.Lock()

    def lemmas(self, word: str) -> list[str]:
        """The lemmas of `word` without Morfeusz's qualifiers ("zamek:Sm3~a" ->
        "zamek"), [] when the dictionary does not know it."""
        with self._lock:  # one instance, not shared between threads at once
            if self._instance is None:
                import morfeusz2

                self._instance = morfeusz2.Morfeusz(
                    generate=False, expand_tags=False, case_handling=morfeusz2.IGNORE_CASE
                )
            analysis = self._instance.analyse(word)
        out = []
        for start, _end, (_orth, lemma, tag, *_rest) in analysis:
            # an agglutinate ("zrobiłbym" = zrobił + by + m) starts later: the
            # word's own lemma is the segment at the start
            if start == 0 and tag != "ign":
                out.append(lemma.split(":", 1)[0])
        return out


class _Stempel:
    """The Stempel stemmer (pystempel, its original table: the one Lucene and
    Elasticsearch ship), loaded on first use (about 3 s)."""

    def __init__(self):
        self._stemmer = None
        self._lock = threading.Lock()

    def stem(self, word: str) -> str:
        if self._stemmer is None:
            with self._lock:
                if self._stemmer is None:
                    self._stemmer = self._load()
        return self._stemmer(word) or ""

    @staticmethod
    def _load():
        from pystempel import Stemmer as StempelStemmer
        from pystempel.streams import DataInputStream

        table = resources.files("pystempel.data.original") / "stemmer_20000.tbl.gz"
        with table.open("rb") as raw:
            data = gzip.decompress(raw.read())
        # Read from memory: pystempel reads the table a few bytes at a time, which
        # through GzipFile took 15 % longer. Without a size, pystempel reads it
        # without its progress bar.
        return StempelStemmer.from_stream(DataInputStream(io.BytesIO(data)))


morfeusz = _Morfeusz()
stempel = _Stempel()

# Accented spellings of a letter typed without its diacritic
_ACCENTS = {"a": "aą", "c": "cć", "e": "eę", "l": "lł", "n": "nń", "o": "oó", "s": "sś", "z": "zźż"}
# Polish spelling writes ć, ń, ś, ź only before a consonant or at the end of a
# word (before a vowel they are "ci", "ni", "si", "zi"), and no word starts with
# ą or ę: spellings that break these rules are never tried.
_VOWELS = frozenset("aeiouy")
MAX_CANDIDATES = 512  # about 25 ms of dictionary look-ups, once per word form


def _accent_options(word: str) -> list[str]:
    """The letters each position of a folded word may stand for."""
    options = []
    for i, c in enumerate(word):
        letters = _ACCENTS.get(c, c)
        if c in "cnsz" and word[i + 1 : i + 2] in _VOWELS:
            letters = "zż" if c == "z" else c
        elif c in "ae" and i == 0:
            letters = c
        options.append(letters)
    return options


def accented(word: str) -> Iterable[str]:
    """The spellings of a folded word with diacritics put back ("slask" -> ...,
    "śląsk", ...), at most MAX_CANDIDATES of them: every spelling when there are
    no more, else those with the fewest diacritics first (one, then two ...), so
    a long word ("pierwszoklasistow", "bezpieczenstwie") still gets the few
    accents it needs instead of none."""
    options = _accent_options(word)
    if math.prod(len(o) for o in options) <= MAX_CANDIDATES:
        return ("".join(p) for p in itertools.product(*options))
    return itertools.islice(_fewest_accents_first(word, options), MAX_CANDIDATES)


def _fewest_accents_first(word: str, options: list[str]) -> Iterable[str]:
    ambiguous = [i for i, o in enumerate(options) if len(o) > 1]
    for count in range(1, len(ambiguous) + 1):
        for positions in itertools.combinations(ambiguous, count):
            for letters in itertools.product(*(options[i][1:] for i in positions)):
                spelling = list(word)
                for i, letter in zip(positions, letters, strict=True):
                    spelling[i] = letter
                yield "".join(spelling)


@lru_cache(maxsize=300_000)
def lemma_keys(word: str) -> tuple[str, ...]:
    """The folded lemmas of a (lower-case) word, () when the dictionary does not know it."""
    if word.isdigit():
        return (word,)
    return _keys(morfeusz.lemmas(word))


@lru_cache(maxsize=100_000)
def fallback_keys(word: str) -> tuple[str, ...]:
    """Keys of a word the dictionary does not know: Stempel and Snowball stems."""
    folded = fold(word)
    stems = [stempel.stem(word), stempel.stem(folded)] if word.isalpha() else []
    return tuple(sorted({*_keys(stems), *old_polish_keys(word)}))


@lru_cache(maxsize=300_000)
def polish_index_keys(word: str) -> tuple[str, ...]:
    return lemma_keys(word) or fallback_keys(word)


@lru_cache(maxsize=20_000)
def polish_query_keys(word: str) -> tuple[str, ...]:
    """As typed when the dictionary knows the word; else the lemmas of its accented
    spellings that it knows, and the fallback keys."""
    known = lemma_keys(word)
    if known:
        return known
    keys = set(fallback_keys(word))
    folded = fold(word)
    if folded.isalpha():
        for candidate in accented(folded):
            keys.update(lemma_keys(candidate))
    return tuple(sorted(keys))


def _other_keys(word: str, name: str) -> tuple[str, ...]:
    if word.isascii() and word.isalnum() and word.islower():
        # the common case, as the general one below gives it: folding changes
        # nothing, so the word is its own key and both stems are one
        if not name:
            return (word,)
        stem = _stem(name, word)
        if not (stem.isascii() and stem.isalnum() and stem.islower()):
            stem = _NOT_KEY.sub("", fold(stem))
        return (word,) if stem in ("", word) else tuple(sorted((stem, word)))
    stems = snowball_keys(word, name) if name else ()
    return tuple(sorted({*stems, *_keys([word])}))


@lru_cache(maxsize=200_000)
def other_keys(word: str, name: str) -> tuple[str, ...]:
    """A word of a language other than Polish: the folded word and its stems."""
    return _other_keys(word, name)


# --- Analyzers -------------------------------------------------------------------------


# Words whose index keys LemmaAnalyzer keeps (all languages together): about 100 MB.
INDEX_CACHE_WORDS = 500_000


class Analyzer:
    """What a search backend needs from analysis: the keys to index for a text in a
    language, and for a query the groups of keys (one group per word, any key of a
    group matches the word; every group must match)."""

    name = ""

    def index_keys(self, text: str, language: str = "") -> set[str]:
        raise NotImplementedError

    def query_keys(self, text: str, language: str = "") -> list[tuple[str, ...]]:
        raise NotImplementedError


class LemmaAnalyzer(Analyzer):
    """Morfeusz lemmas for Polish, Stempel and Snowball for unknown words,
    Snowball by the record's language for other languages (module docstring)."""

    name = "morfeusz"

    def __init__(self):
        # An import's keys by word, per algorithm: plain dicts, so that a text whose
        # words are all known costs no Python call per word (the lru_caches' hits
        # did, and at 250,000 records their 200,000 words were too few: each worker
        # analysed a word again after it had been pushed out; docs/library.md).
        # Emptied when they hold more than INDEX_CACHE_WORDS words.
        self._index_cache: dict[str, dict[str, tuple[str, ...]]] = {}

    def index_keys(self, text: str, language: str = "") -> set[str]:
        name = algorithm(language)
        cache = self._index_cache.get(name)
        if cache is None:
            cache = self._index_cache[name] = {}
        found = words(text)
        try:
            return set(itertools.chain.from_iterable(map(cache.__getitem__, found)))
        except KeyError:
            pass
        new = [word for word in dict.fromkeys(found) if word not in cache]
        if self.index_cached() + len(new) > INDEX_CACHE_WORDS:
            for each in self._index_cache.values():
                each.clear()
        for word in new:
            cache[word] = polish_index_keys(word) if name == POLISH else _other_keys(word, name)
        return set(itertools.chain.from_iterable(map(cache.__getitem__, found)))

    def index_cached(self) -> int:
        """Words whose index keys are kept, all languages together."""
        return sum(map(len, self._index_cache.values()))

    def query_keys(self, text: str, language: str = "") -> list[tuple[str, ...]]:
        name = algorithm(language)
        extra = name if name not in (POLISH, "english") else ""
        groups = []
        for word in words(text):
            keys = {*polish_query_keys(word), *other_keys(word, "english")}
            if extra:
                keys.update(other_keys(word, extra))
            groups.append(tuple(sorted(keys)))
        return groups


class SnowballAnalyzer(Analyzer):
    """The analysis before issue 17 (Snowball "polish" for every word of every
    language), kept only so bench/search_quality.py can compare the two."""

    name = "snowball"

    def index_keys(self, text: str, language: str = "") -> set[str]:
        out: set[str] = set()
        for word in words(text):
            out.update(old_polish_keys(word))
        return out

    def query_keys(self, text: str, language: str = "") -> list[tuple[str, ...]]:
        return [keys for word in words(text) if (keys := old_polish_keys(word))]


_analyzer: Analyzer = LemmaAnalyzer()


def analyzer() -> Analyzer:
    """The analysis in use (indexing and querying must use the same one)."""
    return _analyzer


def use_analyzer(new: Analyzer) -> Analyzer:
    """Switch the analysis (the quality bench compares two); returns the previous
    one. The index must be rebuilt after a switch."""
    global _analyzer
    previous, _analyzer = _analyzer, new
    return previous
