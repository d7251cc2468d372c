"""The search analysis (portal.search.analysis, issue 17): one key set for all
forms of a Polish word, unaccented typing, other languages by their own stemmer,
and the rebuild of the index after the analysis changed."""

import io

import pytest

from django.core.management import call_command

from library import marc
from library.importing import import_stream
from library.search import Query, search
from portal.search import analysis as analysis_module
from portal.search.analysis import (
    MAX_CANDIDATES,
    LemmaAnalyzer,
    SnowballAnalyzer,
    _keys,
    _other_keys,
    accented,
    algorithm,
    polish_index_keys,
    snowball_keys,
    use_analyzer,
    words,
)

analysis = LemmaAnalyzer()


def index(text, language="pol"):
    return analysis.index_keys(text, language)


def query(text, language=""):
    return [set(group) for group in analysis.query_keys(text, language)]


@pytest.mark.parametrize(
    ("forms", "lemma"),
    [
        (["choroby", "chorobami", "choroba", "chorób"], "choroba"),
        (["Kaszuby", "Kaszubach", "Kaszubami"], "kaszuby"),
        (["zwyczaj", "zwyczaje", "zwyczajów", "zwyczajami"], "zwyczaj"),
        (["zamek", "zamki", "zamków", "zamkach"], "zamek"),
        (["Śląsk", "Śląsku", "Śląska", "śląsku"], "slask"),
        (["kościół", "kościoła", "kościołach"], "kosciol"),
        (["zakaźne", "zakaźnych", "zakaźny"], "zakazny"),
        (["książka", "książek", "książkami"], "ksiazka"),
    ],
)
def test_every_form_of_a_word_has_its_lemma(forms, lemma):
    for form in forms:
        assert lemma in index(form), form
        assert all(lemma in group for group in query(form)), form


def test_lemmas_replace_the_inconsistent_snowball_stems():
    old = SnowballAnalyzer()
    # the examples: Snowball splits one word into two keys
    assert old.index_keys("choroby") != old.index_keys("chorobami")
    assert old.index_keys("zamek") != old.index_keys("zamki")
    assert index("choroby") == index("chorobami") == {"choroba"}
    assert index("zwyczaj") == index("zwyczaje") == {"zwyczaj"}
    assert index("zamek") == index("zamki") == index("zamków") == {"zamek"}


def test_ambiguous_forms_keep_every_lemma_without_qualifiers():
    assert {"kaszub", "kaszuba", "kaszuby"} <= index("Kaszubach")  # "Kaszub:Sm1~i" -> kaszub
    assert {"krakow", "krak"} <= index("Krakowie")
    assert all(key.isascii() and key.isalnum() for key in index("Zażółć gęślą jaźń, Łódź 1945"))


@pytest.mark.parametrize(
    ("typed", "lemma"),
    [("zakazne", "zakazny"), ("slask", "slask"), ("ksiazek", "ksiazka"), ("zolwie", "zolw")],
)
def test_unaccented_query_words_find_the_dictionary_lemma(typed, lemma):
    assert lemma in query(typed)[0]


def test_words_the_dictionary_does_not_know_get_stempel_and_snowball_keys():
    keys = index("Kuchciaka")  # a surname SGJP does not have
    assert keys == {"kuchciak"}  # Stempel and Snowball agree here
    assert query("kuchciaka")[0] >= keys  # the same keys on the query side, unaccented too
    assert index("zakazne") >= {"zakazny"}  # Stempel's stem of an unaccented form


def test_candidates_are_bounded():
    assert "śląsk" in set(accented("slask"))
    # 3**12 spellings: only MAX_CANDIDATES of them, the fewest diacritics first
    assert len(list(accented("z" * 12))) == MAX_CANDIDATES
    assert next(iter(accented("z" * 12))) == "ź" + "z" * 11
    assert len(list(accented("zakazne"))) <= MAX_CANDIDATES


def test_an_english_record_keeps_english_stemming():
    assert algorithm("eng") == "english" and algorithm("") == "polish"
    keys = index("Turtles running in castles", "eng")
    assert {"turtl", "run", "castl"} <= keys
    assert "zamek" not in index("zamki", "eng")  # no Polish lemmas for an English text
    # a query does not know the language of the records: it carries the English stems
    assert "turtl" in query("turtles")[0]
    assert "buch" in query("Bücher", "ger")[0]  # a language filter adds its stems
    assert "bucher" in index("Bücher", "jpn")  # no stemmer: the folded word


@pytest.mark.parametrize("name", ["english", "german", "russian", "french", ""])
@pytest.mark.parametrize(
    "word", ["castles", "running", "x", "1984", "abc123", "bücher", "ελλάδα", "łódź", "straße"]
)
def test_the_plain_word_shortcut_gives_the_general_keys(word, name):
    # the general rule: the folded word and its stems, stem-then-fold and fold-then-stem
    general = tuple(sorted({*(snowball_keys(word, name) if name else ()), *_keys([word])}))
    assert _other_keys(word, name) == general


def test_the_index_keys_of_known_words_are_the_words_keys(monkeypatch):
    """The analyser's own word cache gives what the word-by-word analysis gives,
    for texts whose words it knows, half knows and does not know, and stays
    within INDEX_CACHE_WORDS."""
    monkeypatch.setattr(analysis_module, "INDEX_CACHE_WORDS", 6)
    fresh = LemmaAnalyzer()
    texts = [
        ("Zamki i pałace na Śląsku", "pol"),
        ("Turtles running in castles", "eng"),
        ("Zamki nad Wisłą", "pol"),
        ("Castles and turtles", "eng"),
        ("Die Bücher der Burgen", "ger"),
        ("Zamki i pałace na Śląsku", "pol"),
    ]
    for _round in range(2):
        for text, language in texts:
            name = algorithm(language)
            expected = set()
            for word in words(text):
                expected.update(
                    polish_index_keys(word) if name == "polish" else _other_keys(word, name)
                )
            assert fresh.index_keys(text, language) == expected
            assert fresh.index_cached() <= 6


def load(*records):
    return import_stream(io.BytesIO(marc.to_binary(records)), "marc")


def titles(**kw):
    return sorted(r.title for r in search(Query(**kw))[0:50])


@pytest.mark.django_db
def test_records_are_found_by_any_form(marc_record):
    load(
        marc_record("Choroby zakaźne dzieci", control="c1"),
        marc_record("Zamki na Śląsku", control="c2"),
        marc_record("Zwyczaje i obrzędy Kaszubów", subjects=["Kaszuby"], control="c3"),
        marc_record("Castles of Silesia", lang="eng", control="c4"),
    )
    assert titles(q="choroba zakaźna") == ["Choroby zakaźne dzieci"]
    assert titles(q="chorobami zakazne") == ["Choroby zakaźne dzieci"]
    assert titles(q="zamek slask") == ["Zamki na Śląsku"]
    assert titles(q="zamków") == ["Zamki na Śląsku"]
    assert titles(q="zwyczaj kaszuby") == ["Zwyczaje i obrzędy Kaszubów"]
    assert titles(q="castle") == ["Castles of Silesia"]
    assert titles(title="zamek") == ["Zamki na Śląsku"]


@pytest.mark.django_db
def test_reindex_after_the_analysis_changed(marc_record):
    previous = use_analyzer(SnowballAnalyzer())
    try:
        load(marc_record("Zamki na Śląsku", control="r1"))
    finally:
        use_analyzer(previous)
    assert titles(q="zamek") == []  # indexed with the old keys
    out = io.StringIO()
    call_command("reindex_catalogue", stdout=out)
    assert "Reindexed 1 records" in out.getvalue()
    assert titles(q="zamek") == ["Zamki na Śląsku"]
