"""The grade value rules, free of Django: symbol parsing, the "+"/"−" conventions,
marks that carry no value, the weighted average and the suggested term grade.

Everything the gradebook shows about a grade's worth comes from here, so the
rules are tested once (unit and property tests) and reused by services,
selectors and templates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import NamedTuple

DIGITS = ("1", "2", "3", "4", "5", "6")
NON_COUNTING = ("np", "bz", "nb", "+", "-", "0")
#: Every symbol a school may switch on, in display order.
ALL_SYMBOLS: tuple[str, ...] = (
    tuple(f"{d}{m}" for d in DIGITS for m in ("-", "", "+")) + NON_COUNTING
)
#: The default set: 1–6 with modifiers (no 1− and 6+), np, bz, nb, lone + and −.
DEFAULT_SYMBOLS: tuple[str, ...] = tuple(s for s in ALL_SYMBOLS if s not in ("1-", "6+", "0"))
DEFAULT_THRESHOLDS: tuple[tuple[Decimal, int], ...] = (
    (Decimal("5.5"), 6),
    (Decimal("4.6"), 5),
    (Decimal("3.6"), 4),
    (Decimal("2.6"), 3),
    (Decimal("1.6"), 2),
)
TWO_PLACES = Decimal("0.01")

# Characters people type for "minus": hyphen, en dash, minus sign, em dash.
_MINUS_CHARS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-"})


class InvalidSymbol(ValueError):
    """The text is not a symbol this school uses."""

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text


@dataclass(frozen=True)
class Scale:
    """A school's grading rules."""

    symbols: frozenset[str] = field(default_factory=lambda: frozenset(DEFAULT_SYMBOLS))
    plus: Decimal = Decimal("0.5")
    minus: Decimal = Decimal("0.25")
    thresholds: tuple[tuple[Decimal, int], ...] = DEFAULT_THRESHOLDS
    improvement_replaces: bool = True

    def value_of(self, symbol: str) -> Decimal | None:
        """The numeric value of a valid symbol, None for marks that carry none."""
        try:
            return self._values[symbol]
        except KeyError:
            return self._value_of(symbol)

    @cached_property
    def _values(self) -> dict[str, Decimal | None]:
        # A sheet asks for the value of its 1,400 grades, from some twenty
        # symbols; cached on the (frozen) instance, outside eq and hash.
        return {symbol: self._value_of(symbol) for symbol in ALL_SYMBOLS}

    def _value_of(self, symbol: str) -> Decimal | None:
        if symbol in NON_COUNTING:
            return None
        base = Decimal(symbol[0])
        if symbol.endswith("+"):
            return base + self.plus
        if symbol.endswith("-"):
            return base - self.minus
        return base

    def parse(self, text: str) -> tuple[str, Decimal | None]:
        """(symbol, value) of what a teacher typed, or InvalidSymbol."""
        symbol = normalize(text)
        if symbol not in self.symbols:
            raise InvalidSymbol(text)
        return symbol, self.value_of(symbol)

    def suggested(self, average: Decimal | None) -> int | None:
        """The term grade an average suggests under the school's thresholds."""
        if average is None:
            return None
        for minimum, grade in sorted(self.thresholds, reverse=True):
            if average >= minimum:
                return grade
        return 1

    def ordered_symbols(self) -> list[str]:
        return [s for s in ALL_SYMBOLS if s in self.symbols]


def normalize(text: str) -> str:
    """'  4 + ' -> '4+', '5−' -> '5-', 'NP' -> 'np'. Does not validate."""
    if not isinstance(text, str):
        return ""
    return "".join(text.translate(_MINUS_CHARS).split()).lower()


def weighted_totals(
    items: Iterable[tuple[Decimal | None, int | Decimal]],
) -> tuple[Decimal, Decimal, int]:
    """(Σ value × weight, Σ weight, how many) over items with a value and a
    positive weight: the parts of the weighted average, which add up across
    pupils, classes and months (the municipal aggregates keep them)."""
    total = Decimal(0)
    weights = Decimal(0)
    count = 0
    for value, weight in items:
        if value is None or not weight or weight <= 0:
            continue
        total += Decimal(value) * Decimal(weight)
        weights += Decimal(weight)
        count += 1
    return total, weights, count


def average_of(total: Decimal, weights: Decimal) -> Decimal | None:
    """Σ(value × weight) / Σ(weight) rounded to two places; None without weights."""
    if not weights:
        return None
    return (Decimal(total) / Decimal(weights)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def weighted_average(items: Iterable[tuple[Decimal | None, int | Decimal]]) -> Decimal | None:
    """Σ(value × weight) / Σ(weight) over items with a value and a positive
    weight, rounded to two places; None when nothing counts."""
    total, weights, _count = weighted_totals(items)
    return average_of(total, weights)


class Mark(NamedTuple):
    """One grade as the average sees it (a named tuple: a sheet builds 1,400)."""

    key: object
    value: Decimal | None
    weight: int | Decimal
    counts: bool = True
    improves: object | None = None  # the key of the mark this one improves


def marks_average(marks: Iterable[Mark], scale: Scale) -> Decimal | None:
    """The weighted average of a pupil's marks in one subject and term.

    When the school lets an improvement replace the original, an original that
    has an improvement with a value stops counting."""
    return weighted_average((m.value, m.weight) for m in counted_marks(marks, scale))


def counted_marks(marks: Iterable[Mark], scale: Scale) -> list[Mark]:
    """The marks that enter the average: those that count, without an original
    that an improvement with a value replaces (when the school says so). Marks
    without a value are kept; the average skips them."""
    marks = list(marks)
    replaced = set()
    if scale.improvement_replaces:
        replaced = {m.improves for m in marks if m.improves is not None and m.value is not None}
    return [m for m in marks if m.counts and m.key not in replaced]


GRADE_WORDS = {
    6: ("celujący", "cel"),
    5: ("bardzo dobry", "bdb"),
    4: ("dobry", "db"),
    3: ("dostateczny", "dst"),
    2: ("dopuszczający", "dop"),
    1: ("niedostateczny", "ndst"),
}


def grade_word(grade: int | None) -> str:
    """Term grades are written in full words on documents."""
    return GRADE_WORDS.get(grade, ("", ""))[0]
