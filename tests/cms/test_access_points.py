"""The gmina's public access points: opening hours in Polish and "open now" in
Warsaw, the page's list, its map drawn as SVG with no third-party script, and the
tile map only when configured."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from django.core.exceptions import ValidationError
from django.utils import translation

from cms.access_points import AccessPointHours, access_map
from cms.opening_hours import HoursRow, describe, open_status
from tests.factories.cms import build_access_points

WARSAW = ZoneInfo("Europe/Warsaw")
WEEKDAYS_8_16 = [HoursRow(0, 4, datetime.time(8), datetime.time(16))]
WITH_SATURDAY = [*WEEKDAYS_8_16, HoursRow(5, 5, datetime.time(9), datetime.time(13))]


def warsaw(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=WARSAW)


@pytest.fixture(autouse=True)
def polish():
    with translation.override("pl"):
        yield


def test_hours_are_described_in_polish():
    assert describe(WITH_SATURDAY) == ["poniedziałek–piątek 8:00–16:00", "sobota 9:00–13:00"]
    assert describe([], always_open=True) == ["czynne całą dobę, codziennie"]


@pytest.mark.parametrize(
    ("moment", "rows", "expected"),
    [
        ("2027-01-13 08:00", WEEKDAYS_8_16, (True, "Otwarte teraz, do 16:00")),  # Wednesday
        ("2027-01-13 15:59", WEEKDAYS_8_16, (True, "Otwarte teraz, do 16:00")),
        ("2027-01-13 16:00", WEEKDAYS_8_16, (False, "Teraz zamknięte, otwarcie: jutro 8:00")),
        ("2027-01-13 07:10", WEEKDAYS_8_16, (False, "Teraz zamknięte, otwarcie: 8:00")),
        ("2027-01-15 17:00", WITH_SATURDAY, (False, "Teraz zamknięte, otwarcie: jutro 9:00")),
        (
            "2027-01-16 14:00",
            WITH_SATURDAY,
            (False, "Teraz zamknięte, otwarcie: poniedziałek 8:00"),
        ),
        ("2027-01-16 10:00", WITH_SATURDAY, (True, "Otwarte teraz, do 13:00")),
        ("2027-01-17 12:00", [], (False, "Teraz zamknięte")),
    ],
)
def test_open_now(moment, rows, expected):
    status = open_status(rows, now=warsaw(moment))
    assert (status.is_open, status.text) == expected


def test_open_now_is_warsaw_time_whatever_the_server_zone(settings):
    settings.TIME_ZONE = "UTC"
    # 06:30 UTC in January is 07:30 in Warsaw (closed); in July 06:30 UTC is 08:30 (open).
    january = datetime.datetime(2027, 1, 13, 6, 30, tzinfo=datetime.UTC)
    july = datetime.datetime(2027, 7, 14, 6, 30, tzinfo=datetime.UTC)
    assert not open_status(WEEKDAYS_8_16, now=january).is_open
    assert open_status(WEEKDAYS_8_16, now=july).is_open


def test_round_the_clock_is_always_open():
    status = open_status([], always_open=True, now=warsaw("2027-01-17 03:00"))
    assert (status.is_open, status.text) == (True, "Otwarte teraz, całą dobę")


def test_hours_that_close_before_they_open_are_refused():
    row = AccessPointHours(
        first_day=4, last_day=0, opens=datetime.time(16), closes=datetime.time(8)
    )
    with pytest.raises(ValidationError) as error:
        row.clean()
    assert set(error.value.message_dict) == {"last_day", "closes"}


@pytest.fixture
def points(site):
    return build_access_points(site.home)


def test_the_map_places_north_up_and_east_right(points):
    _index, (infomat, library, hotspot) = points
    markers = {m.point.pk: m for m in access_map([infomat, library, hotspot]).markers}
    # The library is north-east of the infomat, the hotspot south-west.
    assert markers[library.pk].y < markers[infomat.pk].y < markers[hotspot.pk].y
    assert markers[hotspot.pk].x < markers[infomat.pk].x < markers[library.pk].x


@time_machine.travel(warsaw("2027-01-16 10:30"), tick=False)  # a Saturday
def test_the_page_lists_the_points_with_a_map_and_no_third_party_script(client, points):
    index, (infomat, library, hotspot) = points
    response = client.get(index.url)
    html = response.content.decode()
    assert response.status_code == 200
    # One numbered marker per point, each a link to its entry in the list.
    svg = re.search(r"<svg viewBox=.*?</svg>", html, re.S).group(0)
    assert '<title id="access-map-title">' in svg and "<desc id=" in svg
    links = re.findall(r'<a href="#([^"]+)" class="access-map-marker', svg)
    assert links == [infomat.anchor, library.anchor, hotspot.anchor]
    for anchor in links:
        assert f'id="{anchor}"' in html
    # Coordinates are written with a decimal point, whatever the language.
    assert re.search(r'<circle cx="\d+(\.\d+)?" cy="\d+(\.\d+)?"', svg)
    # Square for the hotspot, circles for the others: not colour alone.
    assert svg.count("<circle ") == 2 and svg.count('<rect x="') == 1
    for point in (infomat, library, hotspot):
        assert f"?mlat={point.latitude}&amp;mlon={point.longitude}" in html
    # Open now, in Polish, on Saturday morning in Warsaw.
    assert "Teraz zamknięte, otwarcie: poniedziałek 8:00" in html  # the infomat
    assert "Otwarte teraz, do 13:00" in html  # the library
    assert "Otwarte teraz, całą dobę" in html  # the hotspot
    assert "pętla indukcyjna" in html and "dostęp dla osób na wózkach" in html
    # Nothing from anyone else: scripts only our own static files, no frames.
    sources = re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", html)
    assert sources and all(src.startswith("/static/") for src in sources)
    assert "<iframe" not in html


def test_a_tile_map_only_when_configured(client, points, settings):
    index, _points = points
    settings.ACCESS_POINTS_TILE_MAP_URL = (
        "https://www.openstreetmap.org/export/embed.html?bbox={bbox}&layer=mapnik"
    )
    html = client.get(index.url).content.decode()
    frame = re.search(r'<iframe[^>]*src="([^"]+)"', html).group(1)
    assert frame.startswith(
        "https://www.openstreetmap.org/export/embed.html?bbox=19.925000,50.045000,"
    )
    assert "<svg viewBox=" in html  # the drawn map stays beside it


def test_a_point_has_its_own_page(client, points):
    index, (infomat, _library, _hotspot) = points
    html = client.get(infomat.url).content.decode()
    assert "<h1" in html and "Infomat w urzędzie" in html
    assert "poniedziałek–piątek 8:00–16:00" in html
    assert index.url in html


def test_the_infomat_home_shows_news_schools_catalogue_and_points(client, points, site):
    html = client.get("/infomat/").content.decode()
    assert "Infomat – publiczny terminal informacyjny" in html
    assert "Punkty dostępu" in html and "Hotspot w parku" in html
    assert 'action="/biblioteka/"' in html
    assert site.a["page"].url in html
    assert 'href="/e-uslugi/"' in html  # the e-services, by their URL name


def test_points_in_one_building_do_not_hide_each_other(points):
    _index, (infomat, library, hotspot) = points
    library.latitude, library.longitude = infomat.latitude, infomat.longitude
    first, second, _third = access_map([infomat, library, hotspot]).markers
    assert abs(first.x - second.x) >= 34 or abs(first.y - second.y) >= 34
