"""iCalendar (RFC 5545) export of the event calendar, so parents can subscribe
to a school's events on their phones. Written by hand: the format is small."""

from __future__ import annotations

import datetime

from django.utils import timezone

PRODID = "-//Portal Oswiatowy//cms//PL"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space."""
    raw = line.encode()
    if len(raw) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += encoded
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _utc(day: datetime.date, time: datetime.time) -> str:
    moment = timezone.make_aware(datetime.datetime.combine(day, time))
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def event_lines(event, url: str, stamp: str) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:event-{event.pk}@portal-oswiatowy",
        f"DTSTAMP:{stamp}",
        f"SUMMARY:{_escape(event.title)}",
        f"URL:{url}",
    ]
    end_day = event.end_date or event.start_date
    if event.start_time:
        lines.append(f"DTSTART:{_utc(event.start_date, event.start_time)}")
        end_time = (
            event.end_time
            or (
                datetime.datetime.combine(end_day, event.start_time) + datetime.timedelta(hours=1)
            ).time()
        )
        lines.append(f"DTEND:{_utc(end_day, end_time)}")
    else:
        lines.append(f"DTSTART;VALUE=DATE:{event.start_date:%Y%m%d}")
        lines.append(f"DTEND;VALUE=DATE:{end_day + datetime.timedelta(days=1):%Y%m%d}")
    if event.place:
        lines.append(f"LOCATION:{_escape(event.place)}")
    if event.lead:
        lines.append(f"DESCRIPTION:{_escape(event.lead)}")
    lines.append("END:VEVENT")
    return lines


def calendar(events, *, name: str, url_for) -> str:
    stamp = timezone.now().astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(name)}",
    ]
    for event in events:
        lines.extend(event_lines(event, url_for(event), stamp))
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
