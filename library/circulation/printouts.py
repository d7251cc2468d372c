"""The library's printouts for the school's paperwork (WeasyPrint, through the
portal's one `render_pdf` and print style): the overdue loans of a class (or of
every class) and the stocktake protocol (protokół skontrum) for the
stocktake commission to sign."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from portal.pdfs import render_pdf

from .models import Copy, CopyEvent, Stocktake
from .selectors import overdue_by_reader, stocktake_report

OVERDUE_TEMPLATE = "circulation/overdue_pdf.html"
PROTOCOL_TEMPLATE = "circulation/stocktake_protocol_pdf.html"
WRITTEN_OFF = (CopyEvent.Kind.LOST, CopyEvent.Kind.WITHDRAWN)


def overdue_pdf(
    *, school, school_class=None, today: datetime.date | None = None, base_url: str | None = None
) -> bytes:
    """The overdue loans of `school_class`'s pupils (of every reader, by class,
    when none is given): title, inventory number, due date and days overdue."""
    today = today or timezone.localdate()
    loans = list(overdue_by_reader(school, school_class=school_class, today=today))
    for loan in loans:
        loan.days_overdue = (today - loan.due_on).days
    context = {
        "school": school,
        "school_class": school_class,
        "loans": loans,
        "today": today,
        "now": timezone.now(),
    }
    return render_pdf(OVERDUE_TEMPLATE, context, base_url)


@dataclass
class MissingCopy:
    copy: Copy
    # CopyEvent.Kind when the copy was written off during the stocktake, else "".
    written_off: str = ""

    @property
    def written_off_label(self) -> str:
        return CopyEvent.Kind(self.written_off).label if self.written_off else ""


@dataclass
class Protocol:
    stocktake: Stocktake
    checked: int  # the library's copies scanned
    missing: list  # [MissingCopy], by inventory number
    found: int  # scanned copies the catalogue had as lost
    misplaced: int
    unexpected: int
    scanned: int


def stocktake_protocol(stocktake: Stocktake) -> Protocol:
    """What the protocol states: the copies checked, those missing (not found on
    the shelves: still recorded as available, or written off as lost or
    withdrawn during the stocktake), those found again, misplaced and unexpected."""
    report = stocktake_report(stocktake)
    scans = stocktake.scans.exclude(copy=None).values_list(
        "copy_id", "copy__school_id", "copy__status"
    )
    own = {pk: status for pk, school_id, status in scans if school_id == stocktake.school_id}
    scanned_ids = {pk for pk, _school_id, _status in scans}
    until = stocktake.closed_at or timezone.now()
    events = (
        CopyEvent.objects.filter(
            copy__school_id=stocktake.school_id,
            kind__in=WRITTEN_OFF,
            note=str(stocktake),
            at__range=(stocktake.started_at, until),
        )
        .exclude(copy_id__in=scanned_ids)
        .select_related("copy__record")
        .order_by("at")
    )
    missing = {c.pk: MissingCopy(c) for c in report["missing"]}
    for event in events:
        if event.copy.status == event.kind:  # not found again since
            missing[event.copy_id] = MissingCopy(event.copy, event.kind)
    return Protocol(
        stocktake=stocktake,
        checked=len(own),
        missing=sorted(missing.values(), key=lambda m: _inventory_key(m.copy.inventory_number)),
        found=sum(1 for status in own.values() if status == Copy.Status.LOST),
        misplaced=len(report["misplaced"]),
        unexpected=len(report["unexpected"]),
        scanned=report["scanned"],
    )


def _inventory_key(number: str):
    """Inventory numbers in the register's order: 9 before 10, prefixes kept."""
    digits = "".join(ch for ch in number if ch.isdigit())
    return (number.rstrip("0123456789"), int(digits) if digits else 0, number)


def stocktake_protocol_pdf(stocktake: Stocktake, *, base_url: str | None = None) -> bytes:
    context = {
        "school": stocktake.school,
        "protocol": stocktake_protocol(stocktake),
        "now": timezone.now(),
    }
    return render_pdf(PROTOCOL_TEMPLATE, context, base_url)
