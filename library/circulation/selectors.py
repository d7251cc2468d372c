"""Read side of circulation."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Min, OuterRef, Q, Subquery
from django.utils import timezone

from .models import Copy, Hold, Loan, Stocktake, StocktakeScan


def copies_of_record(record, schools=None):
    qs = Copy.objects.filter(record=record).select_related("school")
    if schools is not None:
        qs = qs.filter(school__in=schools)
    return qs.order_by("school__name", "inventory_number")


@dataclass
class LibraryHoldings:
    """What a reader needs to know of one library's copies of a title: where on
    the shelf (shelf marks), how many are there now and when the first loaned
    copy is due back."""

    school_id: int
    school__name: str
    school_short: str = ""
    total: int = 0
    available: int = 0
    on_loan: int = 0
    shelf_marks: list[str] = field(default_factory=list)
    next_due: datetime.date | None = None
    next_due_passed: bool = False  # the first due date is behind us: "overdue"


def availability_many(record_ids) -> dict[int, list[LibraryHoldings]]:
    """Holdings per library for each record, in two queries whatever the number
    of records (the catalogue's result page, the record page)."""
    ids = list(record_ids)
    found: dict[int, dict[int, LibraryHoldings]] = {}
    copies = (
        Copy.objects.filter(record_id__in=ids)
        .exclude(status__in=[Copy.Status.LOST, Copy.Status.WITHDRAWN])
        .values_list(
            "record_id", "school_id", "school__name", "school__short_name", "status", "shelf_mark"
        )
        .order_by("school__name", "shelf_mark")
    )
    for record_id, school_id, school_name, short, status, shelf_mark in copies:
        libraries = found.setdefault(record_id, {})
        h = libraries.get(school_id) or libraries.setdefault(
            school_id, LibraryHoldings(school_id, school_name, short or school_name)
        )
        h.total += 1
        h.available += status == Copy.Status.AVAILABLE
        h.on_loan += status == Copy.Status.ON_LOAN
        if shelf_mark and shelf_mark not in h.shelf_marks:
            h.shelf_marks.append(shelf_mark)
    due = (
        Loan.objects.open()
        .filter(copy__record_id__in=[rid for rid in ids if rid in found])
        .values_list("copy__record_id", "school_id")
        .annotate(first=Min("due_on"))
        .order_by()
    )
    for record_id, school_id, first in due:
        h = found.get(record_id, {}).get(school_id)
        if h is not None:
            h.next_due = first
            h.next_due_passed = first < timezone.localdate()
    return {rid: list(libraries.values()) for rid, libraries in found.items()}


def availability(record) -> list[LibraryHoldings]:
    """Per library: copies, how many are on the shelf, shelf marks, next due date."""
    return availability_many([record.pk]).get(record.pk, [])


def public_copies(record, limit: int = 100) -> list[Copy]:
    """The record's copies as a reader may see them: library, shelf mark, status
    and, for a loaned copy, its due date (`due_on`); never who has it."""
    due = Loan.objects.open().filter(copy=OuterRef("pk")).values("due_on")[:1]
    return list(
        Copy.objects.filter(record=record)
        .exclude(status__in=[Copy.Status.LOST, Copy.Status.WITHDRAWN])
        .select_related("school")
        .annotate(due_on=Subquery(due))
        .order_by("school__name", "shelf_mark", "inventory_number")[:limit]
    )


def open_loans(reader):
    return (
        Loan.objects.open()
        .filter(reader=reader)
        .select_related("copy__record", "school")
        .order_by("due_on", "pk")
    )


def loan_history(reader):
    return (
        Loan.objects.filter(reader=reader, returned_at__isnull=False, hidden_from_reader=False)
        .select_related("copy__record", "school")
        .order_by("-returned_at")
    )


def holds_with_positions(reader) -> list[Hold]:
    """Active holds of the reader, each with `position` in its queue."""
    holds = list(
        Hold.objects.active().filter(reader=reader).select_related("record", "school", "copy")
    )
    waiting = [h for h in holds if h.status == Hold.Status.WAITING]
    if waiting:
        ahead = Hold.objects.filter(
            status=Hold.Status.WAITING,
            record_id__in=[h.record_id for h in waiting],
        ).values_list("record_id", "school_id", "placed_at", "pk")
        for hold in waiting:
            hold.position = 1 + sum(
                1
                for rec, sch, placed, pk in ahead
                if rec == hold.record_id
                and sch == hold.school_id
                and (placed, pk) < (hold.placed_at, hold.pk)
            )
    return holds


def overdue_loans(school, today=None):
    today = today or timezone.localdate()
    return (
        Loan.objects.overdue(today)
        .filter(school=school)
        .select_related("copy__record", "reader")
        .order_by("due_on", "pk")
    )


def desk_figures(school, today=None) -> dict:
    today = today or timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    loans = Loan.objects.filter(school=school).aggregate(
        out_today=Count("pk", filter=Q(checked_out_at__gte=start)),
        back_today=Count("pk", filter=Q(returned_at__gte=start)),
        on_loan=Count("pk", filter=Q(returned_at__isnull=True)),
        overdue=Count("pk", filter=Q(returned_at__isnull=True, due_on__lt=today)),
    )
    loans["holds_waiting"] = Hold.objects.filter(school=school, status=Hold.Status.WAITING).count()
    return loans


def holds_to_fill(school):
    """Waiting holds whose title has a copy on this library's shelf."""
    return (
        Hold.objects.filter(school=school, status=Hold.Status.WAITING)
        .filter(record__copies__school=school, record__copies__status=Copy.Status.AVAILABLE)
        .distinct()
        .select_related("record", "reader")
        .order_by("placed_at")
    )


def holds_on_shelf(school):
    return (
        Hold.objects.filter(school=school, status=Hold.Status.READY)
        .select_related("record", "reader", "copy")
        .order_by("pickup_by")
    )


def stocktake_report(stocktake: Stocktake) -> dict:
    """What a stocktake found: copies expected on the shelves and not scanned
    (missing), scanned on a shelf their shelf mark does not belong to
    (misplaced), and scans that should not be on the shelves at all
    (unexpected: unknown barcodes, other libraries' copies, copies on loan,
    lost or withdrawn)."""
    scans = list(StocktakeScan.objects.filter(stocktake=stocktake).select_related("copy__record"))
    scanned_ids = {s.copy_id for s in scans if s.copy_id}
    missing = (
        Copy.objects.filter(school_id=stocktake.school_id, status=Copy.Status.AVAILABLE)
        .exclude(pk__in=scanned_ids)
        .select_related("record")
        .order_by("shelf_mark", "inventory_number")
    )
    misplaced, unexpected = [], []
    for scan in scans:
        copy = scan.copy
        foreign = copy is None or copy.school_id != stocktake.school_id
        if foreign or copy.status != Copy.Status.AVAILABLE:
            unexpected.append(scan)
        elif not copy.shelf_mark.lower().startswith(scan.shelf.lower()):
            misplaced.append(scan)
    return {
        "scanned": len(scans),
        "missing": missing,
        "misplaced": misplaced,
        "unexpected": unexpected,
    }


def readers_of(school, q: str):
    """Pupils and staff of `school` matching `q` (name, username or card)."""
    from portal.models import Enrolment, RoleAssignment, User

    today = timezone.localdate()
    pupils = (
        Enrolment.objects.active_on(today)
        .filter(
            school_class__school_year__school=school, school_class__school_year__is_current=True
        )
        .values("pupil_id")
    )
    staff = RoleAssignment.objects.filter(school=school).values("user_id")
    words = Q()
    for word in q.split()[:4]:
        words &= (
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__iexact=word)
            | Q(library_reader__card_number__iexact=word)
        )
    return (
        User.objects.filter(Q(pk__in=pupils) | Q(pk__in=staff))
        .filter(words)
        .select_related("library_reader")
        .order_by("last_name", "first_name")
    )
