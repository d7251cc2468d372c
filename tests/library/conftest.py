from pathlib import Path

import pytest
from pymarc import Field, Indicators, Leader, Subfield
from pymarc import Record as MarcRecord

DATA = Path(__file__).parent / "data"
PYMARC = DATA / "pymarc"


def make_marc(
    title,
    *,
    author="",
    subjects=(),
    lcsh=(),
    dbn=(),
    responsibility="",
    isbn="",
    control="",
    source="PL-Demo",
    year=2020,
    lang="pol",
    ukd="",
    genre="",
    host=None,
    summary="",
    series="",
    leader="00000nam a2200000 a 4500",
):
    record = MarcRecord(force_utf8=True)
    record.leader = Leader(leader)
    if control:
        record.add_field(Field(tag="001", data=control))
        record.add_field(Field(tag="003", data=source))
    record.add_field(Field(tag="008", data=f"200101s{year}    pl            000 0 {lang} d"))

    def add(tag, value, first=" ", second=" "):
        """A data field with $a alone, when there is a value."""
        if value:
            record.add_field(
                Field(
                    tag=tag, indicators=Indicators(first, second), subfields=[Subfield("a", value)]
                )
            )

    add("020", isbn)
    add("080", ukd)
    add("100", author, "1")
    statement = [Subfield("c", responsibility)] if responsibility else []
    record.add_field(
        Field(
            tag="245",
            indicators=Indicators("1", "0"),
            subfields=[Subfield("a", title), *statement],
        )
    )
    add("490", series, "0")
    add("520", summary)
    for s in subjects:
        add("650", s, " ", "4")
    for s in lcsh:  # Library of Congress Subject Headings: second indicator 0
        add("650", s, " ", "0")
    for s in dbn:  # the Polish National Library's descriptors, named in $2
        record.add_field(
            Field(
                tag="650",
                indicators=Indicators(" ", "7"),
                subfields=[Subfield("a", s), Subfield("2", "DBN")],
            )
        )
    if genre:
        record.add_field(
            Field(tag="655", indicators=Indicators(" ", "4"), subfields=[Subfield("a", genre)])
        )
    if host:
        record.add_field(
            Field(
                tag="773",
                indicators=Indicators("0", " "),
                subfields=[Subfield(c, v) for c, v in host],
            )
        )
    return record


def make_authority(heading, *, see=(), see_also=()):
    """A MARC 21 authority record of a topical term (150) with its "see" (450)
    and "see also" (550) references."""
    record = make_marc("x", leader="00000nz  a2200000n  4500")
    record.remove_fields("245", "008")
    for tag, values in (("150", (heading,)), ("450", see), ("550", see_also)):
        for value in values:
            record.add_field(
                Field(tag=tag, indicators=Indicators(" ", " "), subfields=[Subfield("a", value)])
            )
    return record


@pytest.fixture
def marc_record():
    return make_marc
