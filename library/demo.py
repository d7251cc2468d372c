"""Demo catalogue for `seed_demo`: an excerpt of the Library of Congress file
from pymarc's sources (its Polish records and ~2,000 others, committed as
library/demo_data/loc-excerpt.mrc.gz), generated Polish school titles with UKD
and Polish subjects, articles for the kartoteka zagadnieniowa, authority
records for the subject browse, and two reading lists. Idempotent: records are
matched on 001+003, lists and topics on their slugs."""

from __future__ import annotations

import datetime
import gzip
from pathlib import Path

from pymarc import Field, Indicators, Leader, Subfield
from pymarc import Record as MarcRecord

from . import marc
from .importing import Importer
from .models import Record, RecordIdentifier

DEMO_DATA = Path(__file__).parent / "demo_data"
SOURCE = "PL-GminaDemo"

# (title, author, year, UKD, subjects, genre, summary)
SCHOOL_TITLES = [
    (
        "Pan Tadeusz",
        "Mickiewicz, Adam",
        2019,
        "821.162.1-13",
        ["Szlachta", "Litwa (Wielkie Księstwo)"],
        "Epopeja",
        "Ostatni zajazd na Litwie.",
    ),
    (
        "Dziady. Część II",
        "Mickiewicz, Adam",
        2018,
        "821.162.1-2",
        ["Obrzędy ludowe", "Duchy"],
        "Dramat",
        "",
    ),
    ("Balladyna", "Słowacki, Juliusz", 2017, "821.162.1-2", ["Władza", "Zbrodnia"], "Dramat", ""),
    (
        "Kamienie na szaniec",
        "Kamiński, Aleksander",
        2016,
        "821.162.1-3",
        ["Szare Szeregi", "Okupacja niemiecka (1939-1945)"],
        "Powieść",
        "Losy Rudego, Alka i Zośki.",
    ),
    (
        "Mały Książę",
        "Saint-Exupéry, Antoine de",
        2015,
        "821.133.1-3",
        ["Przyjaźń", "Dzieciństwo"],
        "Baśń",
        "",
    ),
    (
        "Akademia pana Kleksa",
        "Brzechwa, Jan",
        2020,
        "821.162.1-93",
        ["Szkoła", "Czary"],
        "Powieść fantastyczna",
        "",
    ),
    (
        "Żółw i zając i inne bajki",
        "Brzechwa, Jan",
        2021,
        "821.162.1-93",
        ["Zwierzęta"],
        "Bajki",
        "",
    ),
    (
        "W pustyni i w puszczy",
        "Sienkiewicz, Henryk",
        2014,
        "821.162.1-3",
        ["Afryka", "Podróże"],
        "Powieść przygodowa",
        "",
    ),
    (
        "Krzyżacy",
        "Sienkiewicz, Henryk",
        2013,
        "821.162.1-3",
        ["Zakon Krzyżacki", "Bitwa pod Grunwaldem (1410)"],
        "Powieść historyczna",
        "",
    ),
    ("Lalka", "Prus, Bolesław", 2012, "821.162.1-3", ["Warszawa", "Mieszczaństwo"], "Powieść", ""),
    (
        "Chłopcy z Placu Broni",
        "Molnár, Ferenc",
        2018,
        "821.511.141-3",
        ["Przyjaźń", "Dzieciństwo"],
        "Powieść",
        "",
    ),
    (
        "Dzieci z Bullerbyn",
        "Lindgren, Astrid",
        2019,
        "821.113.6-93",
        ["Dzieciństwo", "Wieś"],
        "Opowiadania",
        "",
    ),
    (
        "Matematyka z plusem 4. Podręcznik",
        "Dobrowolska, Małgorzata",
        2023,
        "51(075.2)",
        ["Matematyka -- nauczanie początkowe"],
        "Podręcznik",
        "",
    ),
    (
        "Przyroda wokół nas",
        "Zielińska, Ewa",
        2022,
        "502(075.2)",
        ["Przyroda", "Ekologia"],
        "Podręcznik",
        "",
    ),
    (
        "Historia Polski dla dzieci",
        "Nowak, Jan",
        2021,
        "94(438)(0.062)",
        ["Polska -- historia"],
        "Książka popularnonaukowa",
        "",
    ),
    (
        "Atlas ptaków Polski",
        "Kruszewicz, Andrzej G.",
        2020,
        "598.2(438)(084.4)",
        ["Ptaki", "Ornitologia"],
        "Atlas",
        "",
    ),
    (
        "Słownik ortograficzny języka polskiego",
        "Polański, Edward",
        2019,
        "811.162.1'35(038)",
        ["Język polski -- ortografia"],
        "Słownik",
        "",
    ),
    (
        "Kraków. Przewodnik dla młodych",
        "Wiśniewska, Anna",
        2018,
        "914.38",
        ["Kraków", "Zabytki"],
        "Przewodnik",
        "",
    ),
    (
        "Programowanie w Scratchu",
        "Kowalski, Piotr",
        2022,
        "004.43(075.2)",
        ["Programowanie", "Informatyka -- nauczanie"],
        "Poradnik",
        "",
    ),
    (
        "Ekologia na co dzień",
        "Lewandowska, Maria",
        2023,
        "502.1",
        ["Ekologia", "Ochrona środowiska"],
        "Poradnik",
        "",
    ),
    (
        "Bajki robotów",
        "Lem, Stanisław",
        2017,
        "821.162.1-3",
        ["Roboty", "Fantastyka naukowa"],
        "Opowiadania",
        "",
    ),
    (
        "Hobbit, czyli tam i z powrotem",
        "Tolkien, J. R. R.",
        2016,
        "821.111-3",
        ["Smoki", "Przygoda"],
        "Powieść fantastyczna",
        "",
    ),
    (
        "Opowieści z Narnii. Lew, czarownica i stara szafa",
        "Lewis, C. S.",
        2015,
        "821.111-93",
        ["Czary"],
        "Powieść fantastyczna",
        "",
    ),
    (
        "Tajemniczy ogród",
        "Burnett, Frances Hodgson",
        2014,
        "821.111(73)-93",
        ["Przyjaźń", "Przyroda"],
        "Powieść",
        "",
    ),
    (
        "Zwierzęta Polski. Ssaki",
        "Zając, Tomasz",
        2021,
        "599(438)",
        ["Ssaki", "Zwierzęta"],
        "Atlas",
        "",
    ),
]

# Articles and chapters for the kartoteka zagadnieniowa: (title, author, host, where, subjects)
ARTICLES = [
    (
        "Jak dbać o żółwia w domu",
        "Kamińska, Zofia",
        "Świerszczyk",
        "2023, nr 4, s. 12-14",
        ["Zwierzęta", "Żółwie"],
    ),
    (
        "Segregacja śmieci w szkole",
        "Wójcik, Adam",
        "Płomyczek",
        "2022, nr 9, s. 5-7",
        ["Ekologia", "Ochrona środowiska"],
    ),
    (
        "Grunwald 1410 oczami ucznia",
        "Mazur, Ewa",
        "Mówią Wieki",
        "2021, nr 7, s. 30-33",
        ["Bitwa pod Grunwaldem (1410)"],
    ),
    ("Ptaki zimą przy karmniku", "Krawczyk, Jan", "Świerszczyk", "2022, nr 1, s. 8-9", ["Ptaki"]),
    (
        "Smok Wawelski - legenda i historia",
        "Zielińska, Ewa",
        "Kraków. Przewodnik dla młodych",
        "s. 45-52",
        ["Kraków", "Legendy"],
    ),
]

# Authority records: heading, see-from variants, see-also headings
AUTHORITIES = [
    ("Zwierzęta", ["Fauna"], ["Ssaki", "Ptaki", "Żółwie"]),
    ("Ekologia", ["Nauka o środowisku"], ["Ochrona środowiska", "Przyroda"]),
    ("Ochrona środowiska", ["Ochrona przyrody"], ["Ekologia"]),
    ("Ptaki", ["Awifauna"], ["Ornitologia", "Zwierzęta"]),
    ("Przyjaźń", ["Koleżeństwo"], ["Dzieciństwo"]),
    ("Dzieciństwo", ["Dzieci -- życie codzienne"], ["Przyjaźń", "Szkoła"]),
    ("Kraków", ["Cracovia", "Krakow"], ["Legendy"]),
    ("Okupacja niemiecka (1939-1945)", ["Okupacja hitlerowska"], ["Szare Szeregi"]),
    ("Programowanie", ["Kodowanie (informatyka)"], ["Informatyka -- nauczanie"]),
    ("Czary", ["Magia"], ["Powieść fantastyczna"]),
]


def _f(tag, ind, *subs):
    return Field(tag=tag, indicators=Indicators(*ind), subfields=[Subfield(c, v) for c, v in subs])


def school_record(number: int, title, author, year, ukd, subjects, genre, summary) -> MarcRecord:
    r = MarcRecord(force_utf8=True)
    r.leader = Leader("00000nam a2200000 i 4500")
    r.add_field(Field(tag="001", data=f"demo{number:04d}"))
    r.add_field(Field(tag="003", data=SOURCE))
    r.add_field(Field(tag="008", data=f"230101s{year}    pl a          000 1 pol d"))
    r.add_field(_f("080", "  ", ("a", ukd)))
    r.add_field(_f("100", "1 ", ("a", author + ".")))
    r.add_field(_f("245", "10", ("a", title + " /"), ("c", _display(author) + ".")))
    r.add_field(
        _f("264", " 1", ("a", "Warszawa :"), ("b", "Wydawnictwo Szkolne,"), ("c", str(year) + "."))
    )
    r.add_field(
        _f(
            "300",
            "  ",
            ("a", f"{120 + number * 7} stron :"),
            ("b", "ilustracje ;"),
            ("c", "24 cm."),
        )
    )
    if summary:
        r.add_field(_f("520", "  ", ("a", summary)))
    r.add_field(_f("521", "  ", ("a", "Dla dzieci i młodzieży szkolnej.")))
    for s in subjects:
        head, *rest = s.split(" -- ")
        r.add_field(_f("650", " 4", ("a", head), *[("x", x) for x in rest]))
    r.add_field(_f("655", " 4", ("a", genre)))
    r.add_field(
        _f("658", "  ", ("a", "Literatura piękna" if ukd.startswith("821") else "Edukacja"))
    )
    return r


def _display(name: str) -> str:
    if "," in name:
        last, first = name.split(",", 1)
        return f"{first.strip()} {last.strip()}"
    return name


def article_record(number: int, title, author, host, where, subjects, host_number="") -> MarcRecord:
    r = MarcRecord(force_utf8=True)
    r.leader = Leader("00000naa a2200000 i 4500")
    r.add_field(Field(tag="001", data=f"demoart{number:03d}"))
    r.add_field(Field(tag="003", data=SOURCE))
    r.add_field(Field(tag="008", data="230101s2022    pl            000 0 pol d"))
    r.add_field(_f("100", "1 ", ("a", author + ".")))
    r.add_field(_f("245", "10", ("a", title + " /"), ("c", _display(author) + ".")))
    for s in subjects:
        r.add_field(_f("650", " 4", ("a", s)))
    subs = [("t", host), ("g", where)]
    if host_number:
        subs.append(("w", host_number))
    r.add_field(_f("773", "0 ", *subs))
    return r


def authority_record(number: int, heading, variants, see_also) -> MarcRecord:
    r = MarcRecord(force_utf8=True)
    r.leader = Leader("00000nz  a2200000n  4500")
    r.add_field(Field(tag="001", data=f"demoauth{number:03d}"))
    r.add_field(Field(tag="003", data=SOURCE))
    r.add_field(_f("150", "  ", ("a", heading)))
    for v in variants:
        r.add_field(_f("450", "  ", ("a", v)))
    for s in see_also:
        r.add_field(_f("550", "  ", ("a", s)))
    return r


def generated_records() -> list[MarcRecord]:
    records = [school_record(i, *row) for i, row in enumerate(SCHOOL_TITLES, start=1)]
    guide_number = (
        f"demo{[r[0] for r in SCHOOL_TITLES].index('Kraków. Przewodnik dla młodych') + 1:04d}"
    )
    for i, (title, author, host, where, subjects) in enumerate(ARTICLES, start=1):
        host_number = guide_number if host.startswith("Kraków") else ""
        records.append(article_record(i, title, author, host, where, subjects, host_number))
    records += [authority_record(i, *row) for i, row in enumerate(AUTHORITIES, start=1)]
    return records


def _parsed(records):
    for position, record in enumerate(records, start=1):
        yield marc.Parsed(position, record=record)


def load_catalogue(school=None, log=print) -> None:
    """Import the demo MARC data (skipped when it is already there)."""
    generated = generated_records()
    if not RecordIdentifier.objects.filter(kind="001", value=f"{SOURCE}|demo0001").exists():
        Importer(school=school, keep_outcomes=False).run(_parsed(generated))
    excerpt = DEMO_DATA / "loc-excerpt.mrc.gz"
    if excerpt.exists() and Record.objects.filter(school__isnull=True).count() < 1000:
        with gzip.open(excerpt, "rb") as fh:
            summary = Importer(keep_outcomes=False, batch_size=1000).run(marc.read_binary(fh))
        log(f"library: Library of Congress excerpt: {dict(summary.counts)}")


def seed_library(ctx) -> None:
    from .models import ReadingList, Topic, TopicEntry

    school = ctx.schools[0] if ctx.schools else None
    load_catalogue(school, ctx.log)
    if school is None:
        return
    librarian = ctx.accounts.get("demo-librarian")
    topic_rows = {
        "ekologia": ("Ekologia", ["Segregacja śmieci w szkole"]),
        "zwierzeta-w-domu": (
            "Zwierzęta w domu",
            ["Jak dbać o żółwia w domu", "Ptaki zimą przy karmniku"],
        ),
        "historia-polski": ("Historia Polski", ["Grunwald 1410 oczami ucznia"]),
        "krakow": ("Kraków", ["Smok Wawelski - legenda i historia"]),
    }
    for slug, (name, titles) in topic_rows.items():
        topic, _ = Topic.objects.get_or_create(slug=slug, defaults={"name": name, "school": school})
        for record in Record.objects.filter(title__in=titles, host_title__gt=""):
            TopicEntry.objects.get_or_create(topic=topic, record=record)
    lectures, created = ReadingList.objects.get_or_create(
        slug="lektury-klasa-4",
        defaults={
            "school": school,
            "title": "Lektury dla klasy 4",
            "kind": ReadingList.Kind.CLASS,
            "audience": "4a, 4b",
            "published": True,
            "created_by": librarian,
        },
    )
    if created:
        titles = [
            "Akademia pana Kleksa",
            "Dzieci z Bullerbyn",
            "Mały Książę",
            "Chłopcy z Placu Broni",
        ]
        for pos, record in enumerate(Record.objects.filter(title__in=titles)):
            lectures.items.create(record=record, position=pos)
    ReadingList.objects.get_or_create(
        slug="nowosci",
        defaults={
            "school": school,
            "title": "Nowości w bibliotece",
            "kind": ReadingList.Kind.NEW,
            "date_from": ctx.today - datetime.timedelta(days=30),
            "date_to": ctx.today,
            "published": True,
            "created_by": librarian,
        },
    )
