"""iCalendar (RFC 5545) export of the event calendar, so parents can subscribe
to a school's events on their phones. Built with the `icalendar` package through
portal.exports, which keeps editors' text inside its own property."""

from __future__ import annotations

import datetime

from icalendar import Calendar

from django.utils import timezone

from portal.exports import ical_calendar, ical_event

PRODID = "-//Portal Oswiatowy//cms//PL"


def _moment(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


def _span(event) -> tuple[datetime.date, datetime.date]:
    """Start and end: moments when the event has a start time, else whole days (the
    end day exclusive, as RFC 5545 wants)."""
    end_day = event.end_date or event.start_date
    if not event.start_time:
        return event.start_date, end_day + datetime.timedelta(days=1)
    start = _moment(event.start_date, event.start_time)
    if event.end_time:
        return start, _moment(end_day, event.end_time)
    return start, _moment(end_day, event.start_time) + datetime.timedelta(hours=1)


def calendar(events, *, name: str, url_for) -> Calendar:
    stamp = timezone.now()
    result = ical_calendar(prodid=PRODID, name=name)
    for event in events:
        start, end = _span(event)
        result.add_component(
            ical_event(
                uid=f"event-{event.pk}@portal-oswiatowy",
                stamp=stamp,
                start=start,
                end=end,
                summary=event.title,
                description=event.lead,
                location=event.place,
                url=url_for(event),
            )
        )
    return result
