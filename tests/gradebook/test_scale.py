from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradebook.scale import (
    ALL_SYMBOLS,
    DEFAULT_SYMBOLS,
    InvalidSymbol,
    Mark,
    Scale,
    marks_average,
    normalize,
    weighted_average,
)

D = Decimal
DEFAULT = Scale()
VULCAN = Scale(plus=D("0.33"), minus=D("0.33"))


@pytest.mark.parametrize(
    ("text", "symbol", "value"),
    [
        ("4+", "4+", D("4.5")),
        ("5-", "5-", D("4.75")),
        ("5−", "5-", D("4.75")),  # minus sign
        (" 3 + ", "3+", D("3.5")),
        ("6", "6", D("6")),
        ("NP", "np", None),
        ("nb", "nb", None),
        ("+", "+", None),
        ("–", "-", None),  # en dash: a lone minus
    ],
)
def test_parse_default_convention(text, symbol, value):
    assert DEFAULT.parse(text) == (symbol, value)


def test_parse_033_convention():
    assert VULCAN.parse("4+") == ("4+", D("4.33"))
    assert VULCAN.parse("5-") == ("5-", D("4.67"))


@pytest.mark.parametrize("text", ["7", "0", "1-", "6+", "4++", "ab", "", "4.5", "+4"])
def test_parse_rejects_symbols_not_in_use(text):
    with pytest.raises(InvalidSymbol):
        DEFAULT.parse(text)


def test_zero_when_the_school_uses_it():
    scale = Scale(symbols=frozenset(DEFAULT_SYMBOLS) | {"0"})
    assert scale.parse("0") == ("0", None)


@given(st.text(max_size=8))
def test_parser_accepts_only_configured_symbols_and_never_crashes(text):
    try:
        symbol, value = DEFAULT.parse(text)
    except InvalidSymbol:
        assert normalize(text) not in DEFAULT.symbols
    else:
        assert symbol in DEFAULT.symbols
        assert value is None or D(1) <= value <= D(6)


@given(st.sampled_from(ALL_SYMBOLS), st.sets(st.sampled_from(ALL_SYMBOLS)))
def test_parser_respects_any_configured_set(symbol, symbols):
    scale = Scale(symbols=frozenset(symbols))
    if symbol in symbols:
        assert scale.parse(symbol)[0] == symbol
    else:
        with pytest.raises(InvalidSymbol):
            scale.parse(symbol)


@given(st.sampled_from(DEFAULT_SYMBOLS), st.sampled_from(["", " ", "  "]))
def test_parser_ignores_spaces_and_case(symbol, pad):
    assert DEFAULT.parse(pad + symbol.upper() + pad)[0] == symbol


def test_weighted_average():
    assert weighted_average([(D(5), 3), (D(3), 1)]) == D("4.50")
    assert weighted_average([(D(5), 0), (D(3), 1)]) == D("3.00")  # weight 0 ignored
    assert weighted_average([(None, 3), (D(4), 1)]) == D("4.00")  # np, nb
    assert weighted_average([(None, 3)]) is None
    assert weighted_average([(D(5), 0)]) is None


def test_average_of_marks_both_conventions():
    marks = [
        Mark(1, DEFAULT.value_of("4+"), 2),
        Mark(2, DEFAULT.value_of("5-"), 1),
        Mark(3, None, 1),  # np
    ]
    assert marks_average(marks, DEFAULT) == D("4.58")  # (9 + 4.75) / 3
    marks = [Mark(1, VULCAN.value_of("4+"), 2), Mark(2, VULCAN.value_of("5-"), 1)]
    assert marks_average(marks, VULCAN) == D("4.44")  # (8.66 + 4.67) / 3


def test_not_counting_marks_are_left_out():
    marks = [Mark(1, D(1), 3, counts=False), Mark(2, D(5), 1)]
    assert marks_average(marks, DEFAULT) == D("5.00")


def test_improvement_replaces_or_not():
    marks = [Mark(1, D(1), 3), Mark(2, D(4), 3, improves=1), Mark(3, D(5), 1)]
    assert marks_average(marks, DEFAULT) == D("4.25")
    keeps = Scale(improvement_replaces=False)
    assert marks_average(marks, keeps) == D("2.86")  # (3 + 12 + 5) / 7


def test_improvement_without_value_keeps_the_original():
    marks = [Mark(1, D(2), 1), Mark(2, None, 1, improves=1)]
    assert marks_average(marks, DEFAULT) == D("2.00")


@pytest.mark.parametrize(
    ("average", "grade"),
    [
        (D("5.5"), 6),
        (D("5.49"), 5),
        (D("4.6"), 5),
        (D("3.6"), 4),
        (D("2.6"), 3),
        (D("1.6"), 2),
        (D("1.59"), 1),
        (None, None),
    ],
)
def test_suggested_grade(average, grade):
    assert DEFAULT.suggested(average) == grade
