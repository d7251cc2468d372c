"""Read side of circulation."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, Min, OuterRef, Q, Subquery
from django.utils import timezone

from .models import Copy, ExternalReader, Hold, Loan, Stocktake, StocktakeScan


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


# --- Readers of a library --------------------------------------------------------------

# Staff roles that make a person a reader of the school's library (rules.reader_category).
_STAFF_READER_ROLES = ("teacher", "librarian", "school_admin")


def _current_enrolments(school, today):
    from portal.models import Enrolment

    return Enrolment.objects.active_on(today).filter(
        school_class__school_year__school=school, school_class__school_year__is_current=True
    )


def library_readers(school, today=None):
    """The readers of `school`'s library (its current pupils, its staff and its
    readers from outside the school), each with `class_name` (None for the
    others), `is_staff_reader` and the card, in one query."""
    from portal.models import RoleAssignment, User

    today = today or timezone.localdate()
    enrolments = _current_enrolments(school, today)
    class_name = (
        enrolments.filter(pupil=OuterRef("pk"))
        .order_by("-start_date", "-pk")
        .values("school_class__name")[:1]
    )
    staff = RoleAssignment.objects.filter(school=school, role__in=_STAFF_READER_ROLES)
    external = ExternalReader.objects.active().filter(school=school)
    return (
        User.objects.filter(
            Q(pk__in=enrolments.values("pupil_id"))
            | Q(pk__in=staff.values("user_id"))
            | Q(pk__in=external.values("user_id")),
            is_active=True,
        )
        .annotate(
            class_name=Subquery(class_name),
            is_staff_reader=Exists(staff.filter(user_id=OuterRef("pk"))),
        )
        .select_related("library_reader")
    )


def readers_find(school, q: str, today=None):
    """Readers of `school`'s library matching what the desk typed: every word
    (see portal.inputs.search_words) a part of the first name or surname, a class
    name ("3b"), a username or a card number; or the whole text a username
    ("a-pupil") or card number. Never anybody of another school."""
    from portal.inputs import search_words

    today = today or timezone.localdate()
    enrolments = _current_enrolments(school, today)
    q = q.strip()
    words = search_words(q)[:4]
    if not words:
        return library_readers(school, today).none()
    match = Q()
    for word in words:
        match &= (
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__iexact=word)
            | Q(library_reader__card_number__iexact=word)
            | Q(pk__in=enrolments.filter(school_class__name__iexact=word).values("pupil_id"))
        )
    match |= Q(username__iexact=q) | Q(library_reader__card_number__iexact=q)
    return library_readers(school, today).filter(match).order_by("last_name", "first_name", "pk")


def desk_classes(school):
    """The classes of the school's current year, for the desk's class pickers."""
    from portal.models import SchoolClass

    return SchoolClass.objects.for_school(school).current().order_by("level", "name")


def class_pupils(school_class, today=None):
    """The pupils enrolled in `school_class` today, in surname order."""
    from portal.models import User

    today = today or timezone.localdate()
    pupils = school_class.enrolments.active_on(today).values("pupil_id")
    return User.objects.filter(pk__in=pupils, is_active=True).order_by(
        "last_name", "first_name", "pk"
    )


def overdue_by_reader(school, *, school_class=None, reader_id=None, today=None):
    """Overdue loans of the library with the reader's `class_name`, by class,
    then reader (surname), then due date; only `school_class`'s pupils or one
    reader when given."""
    today = today or timezone.localdate()
    class_name = (
        _current_enrolments(school, today)
        .filter(pupil=OuterRef("reader_id"))
        .order_by("-start_date", "-pk")
        .values("school_class__name")[:1]
    )
    loans = overdue_loans(school, today)
    if school_class is not None:
        loans = loans.filter(reader__in=class_pupils(school_class, today).values("pk"))
    if reader_id is not None:
        loans = loans.filter(reader_id=reader_id)
    return loans.annotate(class_name=Subquery(class_name)).order_by(
        F("class_name").asc(nulls_last=True),
        "reader__last_name",
        "reader__first_name",
        "reader_id",
        "due_on",
        "pk",
    )
