"""The contact form's spreadsheet downloads and the events iCalendar feed: what a
visitor or an editor typed stays text in its own cell or property."""

import csv
import datetime
import io
import re
import time

import pytest
from icalendar import Calendar
from openpyxl import load_workbook

from django.urls import reverse
from django.utils import timezone

from cms.models import ContactFormField
from cms.spam import HONEYPOT_FIELD, TIMESTAMP_FIELD, make_token
from tests.factories.cms import make_event

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil","x")'


def send(client, page, **fields):
    data = {
        "imie": "Anna Nowak",
        "wiadomosc": "Pytanie",
        HONEYPOT_FIELD: "",
        TIMESTAMP_FIELD: make_token(time.time() - 10),
        **fields,
    }
    response = client.post(page.url, data)
    assert response.status_code == 200 and not response.context.get("form")
    client.logout()


def download(client, page, fmt):
    url = reverse("wagtailforms:list_submissions", args=[page.pk])
    response = client.get(url, {"export": fmt})
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode())))


def xlsx_rows(data: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))


@pytest.mark.parametrize("person", ["moderator", "municipal"])
def test_a_formula_sent_through_the_form_is_text_in_the_csv(client, site, editors, login, person):
    send(client, site.contact, imie=FORMULA, wiadomosc="@SUM(1+1)*cmd|' /C calc'!A0")
    rows = csv_rows(download(login(getattr(editors, person)), site.contact, "csv"))
    assert rows[1][1:] == ["'" + FORMULA, "'@SUM(1+1)*cmd|' /C calc'!A0"]


def test_a_formula_sent_through_the_form_is_text_in_the_xlsx(client, site, editors, login):
    send(client, site.contact, imie="+48 600 100 200", wiadomosc=f"Dzień dobry\r\n{FORMULA}\x01")
    rows = xlsx_rows(download(login(editors.moderator), site.contact, "xlsx"))
    assert rows[0] == ("Data zgłoszenia", "Imię", "Wiadomość")
    assert isinstance(rows[1][0], datetime.datetime)
    assert rows[1][1:] == ("'+48 600 100 200", f"Dzień dobry\n{FORMULA} ")


def test_a_formula_in_a_field_label_is_text_in_the_headings(client, site, editors, login):
    ContactFormField.objects.create(
        page=site.contact, sort_order=2, label="=1+1", field_type="singleline", required=False
    )
    send(client, site.contact)
    moderator = login(editors.moderator)
    assert csv_rows(download(moderator, site.contact, "csv"))[0][-1] == "'=1+1"
    assert xlsx_rows(download(moderator, site.contact, "xlsx"))[0][-1] == "'=1+1"


def test_a_number_field_stays_a_number(client, site, editors, login):
    ContactFormField.objects.create(
        page=site.contact, sort_order=2, label="Wiek", field_type="number", required=False
    )
    send(client, site.contact, wiek="-5", wiadomosc="-5")
    moderator = login(editors.moderator)
    assert csv_rows(download(moderator, site.contact, "csv"))[1][2:] == ["'-5", "-5"]
    assert xlsx_rows(download(moderator, site.contact, "xlsx"))[1][2:] == ("'-5", -5)


# --- iCalendar -----------------------------------------------------------------------------

PROPERTIES = {
    "BEGIN",
    "END",
    "VERSION",
    "PRODID",
    "CALSCALE",
    "X-WR-CALNAME",
    "UID",
    "DTSTAMP",
    "SUMMARY",
    "URL",
    "DTSTART",
    "DTEND",
    "LOCATION",
    "DESCRIPTION",
}


def content_lines(body: str) -> list[str]:
    """The unfolded content lines, as RFC 5545 defines them (CRLF ends a line)."""
    assert body.endswith("\r\n")
    return body[:-2].replace("\r\n ", "").split("\r\n")


@pytest.mark.parametrize("newline", ["\r", "\n", "\r\n", "\u2028", "\x85"])
def test_a_line_break_in_an_event_cannot_start_a_property(client, site, newline):
    make_event(
        site.a["events"],
        f"Zebranie{newline}DTSTART:19700101T000000Z",
        lead=f"Sala 12{newline}ATTACH:http://evil.example/x.exe{newline}",
        place=f"Szkoła{newline}X-EVIL:1",
        start_time=datetime.time(17, 0),
    )
    body = client.get("/wydarzenia/kalendarz.ics").content.decode()
    lines = content_lines(body)
    assert all(not re.search(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", line) for line in lines)
    names = [re.match(r"[A-Z-]+", line).group() for line in lines]
    assert set(names) <= PROPERTIES, names
    assert names.count("DTSTART") == 1
    (event,) = Calendar.from_ical(body).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Zebranie DTSTART:19700101T000000Z"
    assert str(event["LOCATION"]) == "Szkoła X-EVIL:1"
    assert str(event["DESCRIPTION"]) == "Sala 12\nATTACH:http://evil.example/x.exe\n"


def test_the_events_feed_parses_with_icalendar(client, site, world):
    day = timezone.localdate() + datetime.timedelta(days=5)
    make_event(site.a["events"], "Zebranie", start_date=day, start_time=datetime.time(17, 0))
    make_event(site.b["events"], "Piknik", start_date=day, end_date=day + datetime.timedelta(1))
    calendar = Calendar.from_ical(client.get("/wydarzenia/kalendarz.ics").content)
    assert str(calendar["X-WR-CALNAME"]) == "Wydarzenia"
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    meeting, picnic = events["Zebranie"], events["Piknik"]
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(17, 0)))
    assert meeting.decoded("DTSTART") == start
    assert meeting.decoded("DTEND") == start + datetime.timedelta(hours=1)
    assert str(meeting["URL"]).startswith("http://") and str(meeting["UID"])
    assert picnic.decoded("DTSTART") == day
    assert picnic.decoded("DTEND") == day + datetime.timedelta(days=2)
