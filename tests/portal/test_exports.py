"""The export helpers, format by format: a value stays text inside its own line,
field, cell or property."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from icalendar import Calendar

from portal.exports import (
    bibtex_entry,
    bibtex_value,
    csv_text,
    ical_calendar,
    ical_event,
    keep_lines,
    number_cell,
    one_line,
    ris_line,
    spreadsheet_cell,
)

BREAKS = "a\rb\nc\r\nd\te\x0bf\x0cg\x1ch\x85i\u2028j\u2029k\x00l\x7fm\x9bn"


def test_one_line_folds_every_run_of_control_characters_to_one_space():
    assert one_line(BREAKS) == "a b c d e f g h i j k l m n"
    assert one_line("x\r\n\r\n\ty") == "x y"
    assert one_line(None) == "" and one_line(2020) == "2020"


def test_keep_lines_keeps_line_breaks_as_lf_only():
    assert keep_lines(BREAKS) == "a\nb\nc\nd e\nf\ng\nh\ni\nj\nk l m n"


def test_a_ris_value_cannot_start_a_tag_line():
    assert ris_line("TI", "Tytuł\r\nER  - \nTY  - BOOK") == "TI  - Tytuł ER  -  TY  - BOOK"
    with pytest.raises(ValueError):
        ris_line("T\n", "x")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a}b", r"a\textbraceright{}b"),
        ("a\\}", r"a\textbackslash{}\textbraceright{}"),
        ("{x", r"\textbraceleft{}x"),
        ("50% & $5 #1 a_b ~^", r"50\% \& \$5 \#1 a\_b \textasciitilde{}\textasciicircum{}"),
        ("Tytuł\n}\n@misc{x,", r"Tytuł \textbraceright{} @misc\textbraceleft{}x,"),
    ],
)
def test_a_bibtex_value_has_only_balanced_braces_on_one_line(value, expected):
    escaped = bibtex_value(value)
    assert escaped == expected
    depth = 0
    for char in escaped:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0


def test_a_bibtex_entry_leaves_out_empty_fields_and_refuses_bad_names():
    entry = bibtex_entry("book", "kowal2020}, x", [("title", "T"), ("year", ""), ("isbn", None)])
    assert entry == "@book{kowal2020x,\n  title = {T}\n}"
    with pytest.raises(ValueError):
        bibtex_entry("book", "k", [("title = {x}, note", "y")])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("+48 600 100 200", "'+48 600 100 200"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "' =1+1"),
        ("\r=1+1", "'\n=1+1"),
        ("\n=1+1", "'\n=1+1"),
        ("  =1+1", "'  =1+1"),
        ("＝1+1", "'＝1+1"),
        ("＋1", "'＋1"),
        ("－1", "'－1"),
        ("＠A1", "'＠A1"),
        ("Anna Nowak", "Anna Nowak"),
        ("a=b", "a=b"),
        ("Dzień dobry\r\nPytanie\x01", "Dzień dobry\nPytanie "),
        (None, ""),
        (5, 5),
        (-5, -5),
        (Decimal("-1.5"), Decimal("-1.5")),
        (datetime.date(2025, 1, 6), datetime.date(2025, 1, 6)),
    ],
)
def test_spreadsheet_cell(value, expected):
    assert spreadsheet_cell(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("-5", Decimal("-5")),
        (" 2.5 ", Decimal("2.5")),
        ("1e3", Decimal("1e3")),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("-Infinity", "'-Infinity"),
        ("NaN", "NaN"),
        ("", ""),
        (7, 7),
    ],
)
def test_number_cell(value, expected):
    assert number_cell(value) == expected


def test_csv_text_reads_back_as_text_cells():
    text = csv_text([["imie", "liczba"], ["=1+1", 3], ['a;"b"\r\nc', None]], delimiter=";")
    assert list(csv.reader(io.StringIO(text), delimiter=";")) == [
        ["imie", "liczba"],
        ["'=1+1", "3"],
        ['a;"b"\nc', ""],
    ]


@pytest.mark.parametrize("newline", ["\r", "\n", "\r\n"])
def test_an_ical_value_cannot_start_a_property(newline):
    calendar = ical_calendar(prodid="-//Test//PL", name=f"Kalendarz{newline}X-EVIL:1")
    calendar.add_component(
        ical_event(
            uid=f"1@test{newline}X-EVIL:2",
            stamp=datetime.datetime(2025, 1, 6, 8, 0, tzinfo=datetime.UTC),
            start=datetime.date(2025, 1, 7),
            end=datetime.date(2025, 1, 8),
            summary=f"Sprawdzian{newline}DTSTART:19700101",
            description=f"Ułamki{newline}ATTACH:http://evil.example/",
            location=f"Sala 12{newline}X-EVIL:3",
            url=f"https://portal.example/{newline}X-EVIL:4",
        )
    )
    body = calendar.to_ical().decode()
    lines = body[:-2].replace("\r\n ", "").split("\r\n")
    assert not [line for line in lines if line.startswith(("X-EVIL", "ATTACH", "DTSTART:1970"))]
    assert all("\r" not in line and "\n" not in line for line in lines)
    (event,) = Calendar.from_ical(body).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Sprawdzian DTSTART:19700101"
    assert str(event["DESCRIPTION"]) == "Ułamki\nATTACH:http://evil.example/"
    assert event.decoded("DTSTART") == datetime.date(2025, 1, 7)


def test_an_ical_moment_is_written_in_utc():
    warsaw = datetime.timezone(datetime.timedelta(hours=1))
    event = ical_event(
        uid="1@test",
        stamp=datetime.datetime(2025, 1, 6, 8, 0, tzinfo=datetime.UTC),
        start=datetime.datetime(2025, 1, 7, 17, 0, tzinfo=warsaw),
        end=datetime.datetime(2025, 1, 7, 18, 0, tzinfo=warsaw),
        summary="Zebranie",
    )
    assert b"DTSTART:20250107T160000Z" in event.to_ical()
    assert b"DESCRIPTION" not in event.to_ical()
