"""Demo circulation for `seed_demo` (runs after the catalogue): copies of the
demo catalogue in every school library, loan rules, closed days, readers'
cards, loans (some overdue), holds and a loan history for demo-pupil and
demo-parent's children. Idempotent: a library that already has copies is left
as it is."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from library.models import Record
from portal.models import Enrolment, User

from .models import (
    ClosedPeriod,
    Copy,
    CopyEvent,
    Hold,
    ItemType,
    Loan,
    LoanRule,
    ReaderCategory,
    ReaderProfile,
)
from .services import card_number_new, reader_profile_for

SHELVES = ["82-3", "82-93", "821.162.1", "94(438)", "5", "087.5", "030"]


def _rules(school):
    rows = [
        ("", "", 14, 5, 2, 5),
        (ReaderCategory.PUPIL, "", 14, 4, 2, 5),
        (ReaderCategory.PUPIL, ItemType.READING, 14, 3, 1, 3),
        (ReaderCategory.TEACHER, "", 30, 15, 3, 7),
        ("", ItemType.TEXTBOOK, 300, 15, 0, 5),
        ("", ItemType.REFERENCE, 1, 2, 0, 2),
    ]
    LoanRule.objects.bulk_create(
        [
            LoanRule(
                school=school,
                reader_category=c,
                item_type=t,
                loan_days=d,
                max_loans=m,
                max_renewals=r,
                hold_shelf_days=h,
            )
            for c, t, d, m, r, h in rows
        ],
        ignore_conflicts=True,
    )


def _closed(school, today):
    year = today.year if today.month >= 9 else today.year - 1
    periods = [
        ("Zimowa przerwa świąteczna", datetime.date(year, 12, 23), datetime.date(year, 12, 31)),
        ("Ferie zimowe", datetime.date(year + 1, 1, 19), datetime.date(year + 1, 2, 1)),
        (
            "Wiosenna przerwa świąteczna",
            datetime.date(year + 1, 4, 2),
            datetime.date(year + 1, 4, 7),
        ),
    ]
    for name, start, end in periods:
        ClosedPeriod.objects.get_or_create(
            school=school, name=name, defaults={"start": start, "end": end}
        )


def _copies(school, records, rng, today):
    copies = []
    inventory = 1
    for i, record in enumerate(records):
        item_type = ItemType.READING if i % 5 == 0 else ItemType.BOOK
        for _n in range(1 + (i % 3 == 0)):
            copies.append(
                Copy(
                    record=record,
                    school=school,
                    barcode=f"{school.pk:03d}-{inventory:06d}",
                    inventory_number=str(inventory),
                    shelf_mark=f"{SHELVES[i % len(SHELVES)]} {record.main_author[:3].upper()}",
                    item_type=item_type,
                    acquired_on=today - datetime.timedelta(days=rng.randint(30, 3000)),
                    acquisition_source=rng.choice(["zakup", "dar Rady Rodziców", "NPRCz 2.0"]),
                )
            )
            inventory += 1
    Copy.objects.bulk_create(copies)
    CopyEvent.objects.bulk_create([CopyEvent(copy=c, kind=CopyEvent.Kind.ADDED) for c in copies])
    return copies


def seed_circulation(ctx) -> None:
    today = ctx.today
    now = timezone.now()
    records = list(
        Record.objects.filter(host__isnull=True, host_title="").order_by("pk")[: 60 * ctx.scale]
    )
    if not records:
        return
    for index, school in enumerate(ctx.schools):
        if Copy.objects.filter(school=school).exists():
            continue
        with transaction.atomic():
            _rules(school)
            _closed(school, today)
            copies = _copies(school, records if index == 0 else records[:20], ctx.rng, today)
            if index == 0:
                _loans(ctx, school, copies, now, today)
    ctx.log("circulation: copies, rules, loans and holds")


def _loans(ctx, school, copies, now, today):
    pupils = list(
        Enrolment.objects.active_on(today)
        .filter(
            school_class__school_year__school=school, school_class__school_year__is_current=True
        )
        .select_related("pupil")
        .values_list("pupil", flat=True)[:40]
    )
    by_name = dict(
        User.objects.filter(username__in=["demo-pupil", "demo-pupil-brat"]).values_list(
            "username", "pk"
        )
    )
    demo_ids = [by_name[n] for n in ("demo-pupil", "demo-pupil-brat") if n in by_name]
    readers = demo_ids + [p for p in pupils if p not in demo_ids]
    ReaderProfile.objects.bulk_create(
        [ReaderProfile(user_id=pk, card_number=card_number_new()) for pk in readers],
        ignore_conflicts=True,
    )
    for name in ("demo-teacher", "demo-librarian"):
        user = ctx.accounts.get(name)
        if user is not None:
            reader_profile_for(user)
    loans, on_loan = [], []
    pool = iter(copies)
    # demo-pupil: one overdue, one due in two days, one fresh; history of returns.
    plans = []
    if demo_ids:
        plans += [(demo_ids[0], -20, -6), (demo_ids[0], -12, 2), (demo_ids[0], -1, 13)]
    if len(demo_ids) > 1:
        plans += [(demo_ids[1], -25, -11), (demo_ids[1], -3, 11)]
    for pk in readers[2:30]:
        start = -ctx.rng.randint(1, 30)
        plans.append((pk, start, start + 14))
    for reader_id, start, due in plans:
        copy = next(pool)
        loans.append(
            Loan(
                copy=copy,
                school=school,
                reader_id=reader_id,
                checked_out_at=now + datetime.timedelta(days=start),
                due_on=today + datetime.timedelta(days=due),
            )
        )
        on_loan.append(copy.pk)
    history = []
    for reader_id in demo_ids:
        for k in range(6):
            copy = copies[-(k + 1 + 6 * demo_ids.index(reader_id))]
            out = now - datetime.timedelta(days=60 + 20 * k)
            history.append(
                Loan(
                    copy=copy,
                    school=school,
                    reader_id=reader_id,
                    checked_out_at=out,
                    due_on=(out + datetime.timedelta(days=14)).date(),
                    returned_at=out + datetime.timedelta(days=10 + (k == 2) * 10),
                    returned_overdue=k == 2,
                )
            )
    Loan.objects.bulk_create(loans + history)
    Copy.objects.filter(pk__in=on_loan).update(status=Copy.Status.ON_LOAN)
    # Holds: demo-pupil waits for a title all of whose copies are out; another
    # reader has a copy waiting on the hold shelf.
    lent = {c.pk: c for c in copies if c.pk in on_loan}
    by_record = {}
    for c in copies:
        by_record.setdefault(c.record_id, []).append(c)
    fully_out = [r for r, cs in by_record.items() if all(c.pk in lent for c in cs)]
    holds = []
    if demo_ids and len(fully_out) > 3:
        holds.append(
            Hold(
                record_id=fully_out[3],
                school=school,
                reader_id=demo_ids[0],
                placed_at=now - datetime.timedelta(days=2),
            )
        )
        if len(readers) > 3:
            holds.append(
                Hold(
                    record_id=fully_out[3],
                    school=school,
                    reader_id=readers[3],
                    placed_at=now - datetime.timedelta(days=3),
                )
            )
    shelf = next((c for c in reversed(copies[:-20]) if c.pk not in lent), None)
    if shelf is not None and len(demo_ids) > 1:
        holds.append(
            Hold(
                record_id=shelf.record_id,
                school=school,
                reader_id=demo_ids[1],
                placed_at=now - datetime.timedelta(days=4),
                status=Hold.Status.READY,
                copy=shelf,
                ready_at=now - datetime.timedelta(days=1),
                pickup_by=today + datetime.timedelta(days=3),
            )
        )
        Copy.objects.filter(pk=shelf.pk).update(status=Copy.Status.ON_HOLD_SHELF)
    Hold.objects.bulk_create(holds)
