"""Opening hours of a public access point: rows of "days from–to, opens–closes",
described in words and checked against the time in Europe/Warsaw (whatever the
server's own zone). Pure functions: the page model hands in its rows."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

WARSAW = ZoneInfo("Europe/Warsaw")

# Our own names (lower case in Polish, as inside a sentence), under a context so
# that they do not change Django's names of the days used elsewhere.
WEEKDAYS = {
    0: pgettext_lazy("opening hours", "Monday"),
    1: pgettext_lazy("opening hours", "Tuesday"),
    2: pgettext_lazy("opening hours", "Wednesday"),
    3: pgettext_lazy("opening hours", "Thursday"),
    4: pgettext_lazy("opening hours", "Friday"),
    5: pgettext_lazy("opening hours", "Saturday"),
    6: pgettext_lazy("opening hours", "Sunday"),
}


@dataclass(frozen=True)
class HoursRow:
    first_day: int  # 0 = Monday, as datetime.weekday()
    last_day: int
    opens: datetime.time
    closes: datetime.time

    def days(self) -> range:
        return range(self.first_day, self.last_day + 1)


def clock(value: datetime.time) -> str:
    """8:00, 16:30 (the Polish way: no leading zero, no am/pm)."""
    return f"{value.hour}:{value.minute:02d}"


def day_range(first: int, last: int) -> str:
    if first == last:
        return str(WEEKDAYS[first])
    return f"{WEEKDAYS[first]}–{WEEKDAYS[last]}"


def describe(rows: Sequence[HoursRow], *, always_open: bool = False) -> list[str]:
    """One line per row, in the order the editor gave: "poniedziałek–piątek 8:00–16:00"."""
    if always_open:
        return [_("open 24 hours, every day")]
    return [
        f"{day_range(r.first_day, r.last_day)} {clock(r.opens)}–{clock(r.closes)}" for r in rows
    ]


@dataclass(frozen=True)
class OpenStatus:
    is_open: bool
    text: str


def _intervals(rows: Iterable[HoursRow], day: int) -> list[tuple[datetime.time, datetime.time]]:
    return sorted((r.opens, r.closes) for r in rows if day in r.days())


def open_status(
    rows: Sequence[HoursRow], *, always_open: bool = False, now: datetime.datetime | None = None
) -> OpenStatus:
    """Whether the point is open at `now` (default: this moment) in Warsaw, said in
    words that do not rely on colour: "Otwarte teraz, do 16:00" or "Teraz zamknięte,
    otwarcie: poniedziałek 8:00"."""
    if always_open:
        return OpenStatus(True, _("Open now, 24 hours a day"))
    local = timezone.localtime(now or timezone.now(), WARSAW)
    today, moment = local.weekday(), local.time()
    for opens, closes in _intervals(rows, today):
        if opens <= moment < closes:
            return OpenStatus(True, _("Open now, until %(time)s") % {"time": clock(closes)})
    for offset in range(8):
        day = (today + offset) % 7
        for opens, _closes in _intervals(rows, day):
            if offset == 0 and opens <= moment:
                continue
            if offset == 0:
                when = clock(opens)
            elif offset == 1:
                when = _("tomorrow %(time)s") % {"time": clock(opens)}
            else:
                when = f"{WEEKDAYS[day]} {clock(opens)}"
            return OpenStatus(False, _("Closed now, opens %(when)s") % {"when": when})
    return OpenStatus(False, _("Closed now"))
