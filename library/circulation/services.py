"""Write side of circulation: copies, checkout, return, renewal, holds, readers'
settings and stocktakes. Every refusal is a `CirculationError` whose `code` is
stable (tests and the desk rely on it) and whose message says why, in the
reader's language (Polish by default).

A copy is never on two open loans: checkout and return lock the copy row
(`select_for_update`) and the database has a partial unique index on open loans
per copy (`circulation_one_open_loan_per_copy`) as the last line of defence."""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.audit import audit_record, audited_delete, audited_save, model_fields
from portal.errors import ServiceError
from portal.models import AuditEvent
from portal.permissions import is_librarian_of

from . import rules
from .models import (
    ClosedPeriod,
    Copy,
    CopyEvent,
    ExternalReader,
    Hold,
    Loan,
    LoanRule,
    ReaderProfile,
    Stocktake,
    StocktakeScan,
)


class CirculationError(ServiceError):
    """A refused circulation operation (portal.errors.ServiceError). `overridable`:
    a librarian at the desk may go ahead anyway by giving a reason (recorded)."""

    @property
    def overridable(self) -> bool:
        return self.code in OVERRIDABLE


# Refusals the desk may override with a reason: the loan limit, the block of a
# reader with overdue items, the renewal limit and the renewal of an overdue loan.
OVERRIDABLE = frozenset({"limit_reached", "reader_overdue", "renewal_limit", "overdue"})


class _Overrides:
    """The refusals a librarian overrode in one operation, recorded together
    in the audit trail with the reason once the operation has succeeded."""

    def __init__(self, reason: str):
        self.reason = (reason or "").strip()
        self.codes: list[str] = []

    def refuse(self, code: str, message: str) -> None:
        if self.reason and code in OVERRIDABLE:
            self.codes.append(code)
            return
        raise CirculationError(code, message)

    def record(self, *, user, loan: Loan, action: str, before: dict | None = None) -> None:
        """`before`: what the refused rule saw (open and overdue loans at a
        checkout, the due date and renewals at a renewal)."""
        if not self.codes:
            return
        audit_record(
            actor=user,
            category=AuditEvent.Category.LIBRARY,
            action=action,
            target=loan,
            school=loan.school_id,
            person=loan.reader,
            before=before,
            after={"overridden": self.codes, "due_on": loan.due_on, "renewals": loan.renewals},
            reason=self.reason,
            only_changes=False,
        )


def _require_librarian(user, school) -> None:
    if not is_librarian_of(user, school):
        raise CirculationError(
            "not_librarian", _("Only the librarians of this school may do that.")
        )


def _locked(qs):
    return qs.select_for_update(of=("self",))


# --- Readers -------------------------------------------------------------------------------


# Card numbers are random, so that a number says nothing about the account behind
# it and the next card cannot be guessed from one's own: 10 characters of
# Crockford's base32 (no I, L, O, U to misread), about 2**50 numbers.
CARD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CARD_LENGTH = 10


def card_number_new() -> str:
    """A fresh random card number (uniqueness is checked by the database)."""
    return "".join(secrets.choice(CARD_ALPHABET) for _ in range(CARD_LENGTH))


def reader_profile_for(user) -> ReaderProfile:
    """The reader's profile and card, created on first use."""
    profile = getattr(user, "_circulation_profile", None)
    if profile is None:
        profile = ReaderProfile.objects.filter(user=user).first()
    for attempt in range(3):
        if profile is not None:
            break
        try:
            with transaction.atomic():
                profile = ReaderProfile.objects.create(user=user, card_number=card_number_new())
        except IntegrityError:
            # The number is taken (vanishingly unlikely) or another request
            # has just made this reader's card: look again, then draw again.
            profile = ReaderProfile.objects.filter(user=user).first()
            if profile is None and attempt == 2:
                raise
    user._circulation_profile = profile
    return profile


def reader_settings_update(*, reader, **prefs) -> ReaderProfile:
    """Switch the loan history or any kind of reminder on or off."""
    allowed = {"keep_history", "notify_due_soon", "notify_overdue", "notify_hold_ready"}
    profile = reader_profile_for(reader)
    for name, value in prefs.items():
        if name not in allowed:
            raise ValueError(name)
        setattr(profile, name, bool(value))
    profile.save()
    if not profile.keep_history:
        loan_history_clear(reader=reader)
    return profile


def loan_history_clear(*, reader) -> int:
    """Hide the reader's returned loans from their account (the library keeps
    the bare loan for its statistics, as the law on public records requires)."""
    return Loan.objects.filter(reader=reader, returned_at__isnull=False).update(
        hidden_from_reader=True
    )


# --- Readers from outside the school ------------------------------------------------------


@transaction.atomic
def external_reader_grant(*, user, school, reader, case=None) -> ExternalReader:
    """Make `reader`, a person from outside the school (a parent, a resident),
    a reader of `school`'s library, and give them a card (`reader_profile_for`).
    Idempotent: an active membership is returned as it is. `case`: the
    e-service case (library card application) the grant decides, kept by its
    number. Audited; only the school's librarians may grant."""
    _require_librarian(user, school)
    if not reader.is_active:
        raise CirculationError("inactive_reader", _("This account is not active."))
    school_id = getattr(school, "pk", school)
    profile = reader_profile_for(reader)
    existing = ExternalReader.objects.active().filter(school_id=school_id, user=reader).first()
    if existing is not None:
        return existing
    membership = ExternalReader(
        school_id=school_id,
        user=reader,
        granted_by=user,
        granted_at=timezone.now(),
        case_number=getattr(case, "number", "") or "",
    )
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        # Granted at the same moment elsewhere (the partial unique index).
        return ExternalReader.objects.active().get(school_id=school_id, user=reader)
    audit_record(
        actor=user,
        category=AuditEvent.Category.LIBRARY,
        action="external_reader.grant",
        target=membership,
        school=school_id,
        person=reader,
        after={"card_number": profile.card_number, "case": membership.case_number},
        only_changes=False,
    )
    return membership


@transaction.atomic
def external_reader_end(*, user, school, reader, reason: str = "") -> ExternalReader:
    """End `reader`'s membership of `school`'s library as a reader from outside
    the school: no new loans, holds or renewals from now on (the copies still
    out are taken back at the desk as usual). Audited; librarians only."""
    _require_librarian(user, school)
    school_id = getattr(school, "pk", school)
    membership = (
        _locked(ExternalReader.objects.active().filter(school_id=school_id, user=reader))
        .order_by("pk")
        .first()
    )
    if membership is None:
        raise CirculationError(
            "not_external_reader",
            _("This person is not a reader from outside the school of this library."),
        )
    membership.ended_at = timezone.now()
    membership.ended_by = user
    membership.save(update_fields=["ended_at", "ended_by"])
    audit_record(
        actor=user,
        category=AuditEvent.Category.LIBRARY,
        action="external_reader.end",
        target=membership,
        school=school_id,
        person=reader,
        before={"active": True},
        after={"active": False},
        reason=reason,
        only_changes=False,
    )
    return membership


# --- Copies --------------------------------------------------------------------------------


def _next_inventory(school) -> int:
    numbers = Copy.objects.filter(school=school).values_list("inventory_number", flat=True)
    return max((int(n) for n in numbers if n.isdigit()), default=0) + 1


def copies_add_batch(
    *,
    user,
    record,
    school,
    count: int = 1,
    barcodes: list[str] | None = None,
    shelf_mark: str = "",
    item_type: str = "book",
    acquired_on: datetime.date | None = None,
    acquisition_source: str = "",
) -> list[Copy]:
    """Add copies of `record` to `school`'s library. Scanned barcodes are used
    as given; otherwise barcodes are generated (school prefix + inventory
    number, so they are unique across the gmina). Inventory numbers continue
    the library's sequence."""
    _require_librarian(user, school)
    barcodes = [b.strip() for b in (barcodes or []) if b.strip()]
    if barcodes:
        count = len(barcodes)
        if len(set(barcodes)) != len(barcodes):
            raise CirculationError("duplicate_barcode", _("The same barcode was scanned twice."))
        taken = list(Copy.objects.filter(barcode__in=barcodes).values_list("barcode", flat=True))
        if taken:
            raise CirculationError(
                "barcode_taken",
                _("These barcodes are already in use: %(codes)s") % {"codes": ", ".join(taken)},
            )
    if not 1 <= count <= 200:
        raise CirculationError("bad_count", _("Add between 1 and 200 copies at a time."))
    with transaction.atomic():
        inventory = _next_inventory(school)
        existing = set(
            Copy.objects.filter(barcode__startswith=f"{school.pk:03d}-").values_list(
                "barcode", flat=True
            )
        )
        copies = []
        for i in range(count):
            number = inventory + i
            code = barcodes[i] if barcodes else f"{school.pk:03d}-{number:06d}"
            if code in existing:
                raise CirculationError(
                    "barcode_taken", _("The barcode %(code)s is in use.") % {"code": code}
                )
            copy = Copy(
                record=record,
                school=school,
                barcode=code,
                inventory_number=str(number),
                shelf_mark=shelf_mark,
                item_type=item_type,
                acquired_on=acquired_on or timezone.localdate(),
                acquisition_source=acquisition_source,
            )
            copy.full_clean(validate_unique=False)
            copies.append(copy)
        try:
            with transaction.atomic():
                Copy.objects.bulk_create(copies)
        except IntegrityError as exc:
            # Another librarian added copies at the same moment.
            raise CirculationError(
                "barcode_taken",
                _("Barcodes or inventory numbers were just taken; please try again."),
            ) from exc
        CopyEvent.objects.bulk_create(
            [CopyEvent(copy=c, kind=CopyEvent.Kind.ADDED, by=user) for c in copies]
        )
    return copies


def copy_mark(*, user, copy: Copy, kind: str, note: str = "") -> Copy:
    """Mark a copy lost or withdrawn (or found again), with history. An open
    loan of a lost copy is closed; a hold it was waiting for goes back to the
    queue."""
    _require_librarian(user, copy.school_id)
    status = {
        CopyEvent.Kind.LOST: Copy.Status.LOST,
        CopyEvent.Kind.WITHDRAWN: Copy.Status.WITHDRAWN,
        CopyEvent.Kind.FOUND: Copy.Status.AVAILABLE,
    }.get(kind)
    if status is None:
        raise CirculationError("bad_kind", _("Unknown change of status."))
    with transaction.atomic():
        copy = _locked(Copy.objects.filter(pk=copy.pk)).get()
        if kind == CopyEvent.Kind.FOUND and copy.status not in (
            Copy.Status.LOST,
            Copy.Status.WITHDRAWN,
        ):
            raise CirculationError("not_lost", _("This copy is not marked lost or withdrawn."))
        now = timezone.now()
        Loan.objects.filter(copy=copy, returned_at__isnull=True).update(
            returned_at=now, returned_by=user
        )
        Hold.objects.filter(copy=copy, status=Hold.Status.READY).update(
            status=Hold.Status.WAITING, copy=None, ready_at=None, pickup_by=None
        )
        copy.status = status
        copy.save(update_fields=["status"])
        CopyEvent.objects.create(copy=copy, kind=kind, note=note[:300], by=user)
    return copy


# --- Checkout, return, renewal --------------------------------------------------------------


def reader_by_card(card_number: str, *, school) -> ReaderProfile:
    """The reader of `school`'s library who holds `card_number`.

    A number nobody holds, the card of someone who is not a reader of this
    library (another school's pupil) and an inactive account all get the same
    refusal, so a desk cannot learn who holds the cards of other libraries."""
    profile = (
        ReaderProfile.objects.select_related("user")
        .filter(card_number__iexact=card_number.strip())
        .first()
    )
    if (
        profile is None
        or not profile.user.is_active
        or rules.reader_category(profile.user, school) is None
    ):
        raise CirculationError(
            "unknown_card", _("No reader has the card %(card)s.") % {"card": card_number}
        )
    return profile


def _copy_at(school, barcode: str, lock: bool) -> Copy:
    qs = Copy.objects.filter(barcode=barcode.strip())
    copy = (_locked(qs) if lock else qs).select_related("record").first()
    if copy is None:
        raise CirculationError(
            "unknown_copy", _("No copy has the barcode %(code)s.") % {"code": barcode}
        )
    if copy.school_id != school.pk:
        raise CirculationError(
            "copy_other_library", _("This copy belongs to another school's library.")
        )
    return copy


def loan_checkout(
    *, user, school, card_number: str, barcode: str, today=None, override_reason: str = ""
) -> Loan:
    """Lend the copy with `barcode` to the reader holding `card_number`.

    Refusals: unknown card or copy, a copy of another library, a reader who is
    not a reader of this library, a reader with overdue items, the loan limit,
    a copy that is lost/withdrawn/on loan, or on the hold shelf for someone else.
    With `override_reason` the librarian lends despite the overdue block or the
    limit; the override and its reason go to the audit trail."""
    _require_librarian(user, school)
    today = today or timezone.localdate()
    overrides = _Overrides(override_reason)
    profile = reader_by_card(card_number, school=school)
    reader = profile.user
    category = rules.reader_category(reader, school)
    try:
        with transaction.atomic():
            # Serialise the limit check per reader, then lock the copy itself.
            _locked(ReaderProfile.objects.filter(pk=profile.pk)).values_list("pk").first()
            copy = _copy_at(school, barcode, lock=True)
            if copy.status in (Copy.Status.LOST, Copy.Status.WITHDRAWN):
                raise CirculationError(
                    "not_available",
                    _("This copy is not available (%(status)s).")
                    % {"status": copy.get_status_display()},
                )
            if copy.status == Copy.Status.ON_LOAN:
                raise CirculationError("already_on_loan", _("This copy is already on loan."))
            hold = None
            if copy.status == Copy.Status.ON_HOLD_SHELF:
                hold = Hold.objects.filter(copy=copy, status=Hold.Status.READY).first()
                if hold is not None and hold.reader_id != reader.pk:
                    raise CirculationError(
                        "on_hold_for_other",
                        _("This copy is on the hold shelf for another reader."),
                    )
            counts = Loan.objects.filter(reader=reader, returned_at__isnull=True).aggregate(
                here=Count("pk", filter=Q(school=school)),
                overdue=Count("pk", filter=Q(due_on__lt=today)),
            )
            if counts["overdue"]:
                overrides.refuse(
                    "reader_overdue",
                    _("The reader has overdue items; they must be returned first."),
                )
            terms = rules.terms_for(school, category, copy.item_type)
            if counts["here"] >= terms.max_loans:
                overrides.refuse(
                    "limit_reached",
                    _("The reader has reached the limit of %(n)s loans.") % {"n": terms.max_loans},
                )
            loan = Loan(
                copy=copy,
                school=school,
                reader=reader,
                checked_out_at=timezone.now(),
                due_on=rules.due_date(school, today, terms.loan_days),
                checked_out_by=user,
            )
            loan.save()
            Copy.objects.filter(pk=copy.pk).update(status=Copy.Status.ON_LOAN)
            if hold is not None:
                Hold.objects.filter(pk=hold.pk).update(
                    status=Hold.Status.FULFILLED, closed_at=timezone.now()
                )
            else:
                # A reader borrowing a title they were waiting for no longer waits.
                Hold.objects.filter(
                    reader=reader,
                    record_id=copy.record_id,
                    school=school,
                    status=Hold.Status.WAITING,
                ).update(status=Hold.Status.FULFILLED, closed_at=timezone.now())
            overrides.record(
                user=user,
                loan=loan,
                action="loan.checkout_override",
                before={"loans_here": counts["here"], "overdue": counts["overdue"]},
            )
    except IntegrityError as exc:
        # Only reachable when two desks race past the lock (or locks are off):
        # the partial unique index refused the second open loan.
        raise CirculationError(
            "concurrent_checkout", _("This copy was just lent at another desk.")
        ) from exc
    loan.copy = copy
    loan.reader = reader
    return loan


def _trap_for_next_hold(copy: Copy, today) -> Hold | None:
    """Give a copy that came back to the first reader waiting for its title."""
    hold = (
        Hold.objects.filter(
            record_id=copy.record_id, school_id=copy.school_id, status=Hold.Status.WAITING
        )
        .select_related("reader")
        .order_by("placed_at", "pk")
        .first()
    )
    if hold is None:
        Copy.objects.filter(pk=copy.pk).update(status=Copy.Status.AVAILABLE)
        copy.status = Copy.Status.AVAILABLE
        return None
    category = rules.reader_category(hold.reader, copy.school_id) or "pupil"
    terms = rules.terms_for(copy.school_id, category, copy.item_type)
    hold.status = Hold.Status.READY
    hold.copy = copy
    hold.ready_at = timezone.now()
    hold.pickup_by = rules.due_date(copy.school_id, today, terms.hold_shelf_days)
    hold.save(update_fields=["status", "copy", "ready_at", "pickup_by"])
    Copy.objects.filter(pk=copy.pk).update(status=Copy.Status.ON_HOLD_SHELF)
    copy.status = Copy.Status.ON_HOLD_SHELF
    return hold


def loan_return(*, user, school, barcode: str, today=None) -> tuple[Loan, Hold | None]:
    """Take back a copy. An overdue return is flagged on the loan; a copy
    somebody is waiting for goes to the hold shelf (the hold is returned)."""
    _require_librarian(user, school)
    today = today or timezone.localdate()
    with transaction.atomic():
        copy = _copy_at(school, barcode, lock=True)
        loan = (
            _locked(Loan.objects.filter(copy=copy, returned_at__isnull=True))
            .select_related("reader__library_reader")
            .first()
        )
        if loan is None:
            raise CirculationError("not_on_loan", _("This copy is not on loan."))
        loan.returned_at = timezone.now()
        loan.returned_by = user
        loan.returned_overdue = loan.due_on < today
        profile = getattr(loan.reader, "library_reader", None)
        loan.hidden_from_reader = profile is not None and not profile.keep_history
        loan.save(
            update_fields=["returned_at", "returned_by", "returned_overdue", "hidden_from_reader"]
        )
        hold = _trap_for_next_hold(copy, today)
    loan.copy = copy
    return loan, hold


def loan_renew(*, user, loan: Loan, today=None, at_desk: bool = False, override_reason="") -> Loan:
    """Extend a loan by the rule's period, counted from its due date (renewing a
    day early loses nothing). Refused when the renewal limit is reached, when
    another reader waits for the title, when the reader is no longer a reader of
    the library, and online when the loan is overdue (renewing it would lift the
    desk's block). At the desk (`at_desk`, librarians of the loan's library) an
    overdue loan or one at its limit is renewed with `override_reason`,
    recorded in the audit trail; an overdue loan is then extended from today."""
    today = today or timezone.localdate()
    overrides = _Overrides(override_reason if at_desk else "")
    with transaction.atomic():
        loan = _locked(Loan.objects.filter(pk=loan.pk)).select_related("copy", "reader").get()
        if at_desk:
            _require_librarian(user, loan.school)
        if loan.returned_at is not None:
            raise CirculationError("not_on_loan", _("This loan has ended."))
        category = rules.reader_category(loan.reader, loan.school_id)
        if category is None:
            raise CirculationError("not_a_reader", _("You are no longer a reader of this library."))
        if loan.due_on < today:
            if not at_desk:
                raise CirculationError(
                    "overdue_online",
                    _(
                        "This loan is overdue and cannot be renewed online; return it or ask "
                        "at the library desk."
                    ),
                )
            overrides.refuse(
                "overdue",
                _("This loan is overdue (due %(date)s); renewing it needs a reason.")
                % {"date": date_format(loan.due_on, "SHORT_DATE_FORMAT")},
            )
        terms = rules.terms_for(loan.school_id, category, loan.copy.item_type)
        if loan.renewals >= terms.max_renewals:
            overrides.refuse(
                "renewal_limit",
                _("This loan has already been renewed %(n)s times, the most allowed.")
                % {"n": loan.renewals},
            )
        if (
            Hold.objects.filter(
                record_id=loan.copy.record_id, school_id=loan.school_id, status=Hold.Status.WAITING
            )
            .exclude(reader=loan.reader)
            .exists()
        ):
            raise CirculationError("held_by_other", _("Another reader is waiting for this title."))
        before = {"due_on": loan.due_on, "renewals": loan.renewals}
        new_due = rules.due_date(loan.school_id, max(loan.due_on, today), terms.loan_days)
        if new_due <= loan.due_on:
            raise CirculationError(
                "too_early", _("Renewing now would not move the due date; try again later.")
            )
        loan.due_on = new_due
        loan.renewals += 1
        loan.save(update_fields=["due_on", "renewals"])
        overrides.record(user=user, loan=loan, action="loan.renew_override", before=before)
    return loan


def loans_renew_all(*, user, reader, today=None) -> list[tuple[Loan, CirculationError | None]]:
    outcomes = []
    for loan in Loan.objects.open().filter(reader=reader).select_related("copy__record"):
        try:
            outcomes.append((loan_renew(user=user, loan=loan, today=today), None))
        except CirculationError as error:
            outcomes.append((loan, error))
    return outcomes


# --- The desk: answers per scanned code -----------------------------------------------------


@dataclass
class DeskAnswer:
    state: str  # "ok", "flag" (returned late) or "refused"
    code: str  # the scanned barcode
    text: str


@dataclass
class DeskOutcome:
    """What the desk shows after a scan: one answer per barcode, the reader
    found, and the barcodes whose refusal a librarian may override with a
    reason (`override`: "checkout" or "renew")."""

    answers: list[DeskAnswer] = field(default_factory=list)
    reader: object = None
    card: str = ""
    override: str = ""
    override_codes: list[str] = field(default_factory=list)


# Refusals that concern the reader, not the copy: the other copies are not tried.
_READER_REFUSALS = frozenset({"unknown_card", "not_a_reader", "reader_overdue"})


def desk_checkout(
    *, user, school, card_number: str, barcodes: list[str], override_reason: str = ""
) -> DeskOutcome:
    """Lend each scanned copy to the reader with `card_number`. A refusal the
    desk may override keeps its barcode, and those not tried after it, for the
    "lend anyway" form; with `override_reason` the limit and the overdue block
    are overridden (services record each override in the audit trail)."""
    outcome = DeskOutcome(card=card_number)
    for i, code in enumerate(barcodes):
        try:
            loan = loan_checkout(
                user=user,
                school=school,
                card_number=card_number,
                barcode=code,
                override_reason=override_reason,
            )
        except CirculationError as error:
            outcome.answers.append(DeskAnswer("refused", code, error.message))
            if error.overridable:
                outcome.override = "checkout"
                outcome.override_codes.append(code)
            if error.code in _READER_REFUSALS:
                if error.overridable:
                    outcome.override_codes += barcodes[i + 1 :]
                break
            continue
        outcome.reader = loan.reader
        text = _("Lent until %(date)s: %(title)s") % {
            "date": date_format(loan.due_on, "SHORT_DATE_FORMAT"),
            "title": loan.copy.record.title,
        }
        outcome.answers.append(DeskAnswer("ok", code, text))
    return outcome


def desk_renew(*, user, school, barcode: str, override_reason: str = "") -> DeskOutcome:
    """Renew the loan of the scanned copy at the desk; an overridable refusal
    (overdue, renewal limit) offers "renew anyway" with a reason."""
    outcome = DeskOutcome()
    try:
        loan = Loan.objects.open().filter(copy__barcode=barcode, school=school).first()
        if loan is None:
            raise CirculationError("not_on_loan", _("This copy is not on loan."))
        loan = loan_renew(user=user, loan=loan, at_desk=True, override_reason=override_reason)
    except CirculationError as error:
        outcome.answers.append(DeskAnswer("refused", barcode, error.message))
        if error.overridable:
            outcome.override = "renew"
            outcome.override_codes = [barcode]
        return outcome
    outcome.reader = loan.reader
    text = _("Renewed until %(date)s") % {"date": date_format(loan.due_on, "SHORT_DATE_FORMAT")}
    outcome.answers.append(DeskAnswer("ok", barcode, text))
    return outcome


def desk_return(*, user, school, barcode: str) -> DeskOutcome:
    """Take a copy back at the desk: flagged when late, and said where it goes
    when somebody waits for the title."""
    outcome = DeskOutcome()
    try:
        loan, hold = loan_return(user=user, school=school, barcode=barcode)
    except CirculationError as error:
        outcome.answers.append(DeskAnswer("refused", barcode, error.message))
        return outcome
    text = _("Returned: %(title)s") % {"title": loan.copy.record.title}
    if loan.returned_overdue:
        text += " — " + _("OVERDUE (due %(date)s)") % {
            "date": date_format(loan.due_on, "SHORT_DATE_FORMAT")
        }
    if hold is not None:
        text += " — " + _("put it on the hold shelf for %(reader)s") % {"reader": hold.reader}
    state = "flag" if loan.returned_overdue else "ok"
    outcome.answers.append(DeskAnswer(state, barcode, text))
    return outcome


def desk_fill(*, user, school, hold: Hold, barcode: str) -> DeskOutcome:
    """Put a copy from the shelf on the hold shelf for a waiting hold."""
    outcome = DeskOutcome()
    try:
        hold_fill(user=user, school=school, hold=hold, barcode=barcode)
    except CirculationError as error:
        outcome.answers.append(DeskAnswer("refused", barcode, error.message))
        return outcome
    text = _("On the hold shelf for %(reader)s") % {"reader": hold.reader}
    outcome.answers.append(DeskAnswer("ok", barcode, text))
    return outcome


def reader_profiles_for(users) -> list[ReaderProfile]:
    """The profiles (cards) of `users` in their order, the missing ones created:
    a few queries whatever the number of readers (a class's cards)."""
    users = list(users)
    found = {p.user_id: p for p in ReaderProfile.objects.filter(user__in=users)}
    missing = [
        ReaderProfile(user=u, card_number=card_number_new()) for u in users if u.pk not in found
    ]
    if missing:
        try:
            with transaction.atomic():
                ReaderProfile.objects.bulk_create(missing)
            found.update({p.user_id: p for p in missing})
        except IntegrityError:
            pass  # a card number drawn twice, or a card made meanwhile: one by one
    profiles = []
    for user in users:
        profile = found.get(user.pk)
        if profile is None:
            profile = reader_profile_for(user)
        profile.user = user
        profiles.append(profile)
    return profiles


def overdue_reminders_queue(*, user, school, reader_id=None, school_class=None, today=None):
    """Choose the overdue loans of one reader or of a class's pupils at
    `school`'s library for a reminder now, and record the request. Returns
    (number of readers, loan ids); the caller queues `tasks.remind_overdue` for
    them (the daily reminders' e-mails, at most one per loan and day), so that
    services need not import the tasks that call them."""
    from . import selectors

    _require_librarian(user, school)
    today = today or timezone.localdate()
    loans = list(
        selectors.overdue_by_reader(
            school, school_class=school_class, reader_id=reader_id, today=today
        )
    )
    if not loans:
        return 0, []
    loan_ids = [loan.pk for loan in loans]
    readers = {loan.reader_id: loan.reader for loan in loans}
    reader_ids = sorted(readers)
    audit_record(
        actor=user,
        category=AuditEvent.Category.LIBRARY,
        action="loan.overdue_reminder",
        school=school,
        person=readers[reader_ids[0]] if len(readers) == 1 else None,
        after={
            "readers": reader_ids,
            "loans": loan_ids,
            "class": school_class.name if school_class is not None else None,
        },
        only_changes=False,
    )
    return len(reader_ids), loan_ids


# --- Holds ---------------------------------------------------------------------------------


def hold_place(*, user, reader, record, school, today=None) -> Hold:
    """A reader asks for a title at their library when no copy is on the shelf."""
    if rules.reader_category(reader, school) is None:
        raise CirculationError("not_a_reader", _("You are not a reader of this library."))
    statuses = dict(
        Copy.objects.filter(record=record, school=school)
        .exclude(status__in=[Copy.Status.LOST, Copy.Status.WITHDRAWN])
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    if not statuses:
        raise CirculationError("no_copies", _("This library has no copy of this title."))
    if statuses.get(Copy.Status.AVAILABLE):
        raise CirculationError(
            "copy_available", _("A copy is on the shelf: borrow it at the library desk.")
        )
    if Loan.objects.open().filter(reader=reader, copy__record=record).exists():
        raise CirculationError("already_borrowed", _("You already have this title on loan."))
    if Hold.objects.active().filter(reader=reader, record=record, school=school).exists():
        raise CirculationError("already_held", _("You have already placed a hold on this title."))
    hold = Hold(record=record, school=school, reader=reader, placed_at=timezone.now())
    hold.full_clean(validate_constraints=False)
    hold.save()
    return hold


def _release_copy(hold: Hold, today) -> None:
    if hold.copy_id:
        copy = _locked(Copy.objects.filter(pk=hold.copy_id)).get()
        _trap_for_next_hold(copy, today)


def hold_cancel(*, user, hold: Hold, today=None) -> Hold:
    """Cancel a waiting or ready hold (the reader, their guardian or a librarian);
    a copy on the hold shelf goes to the next reader or back on the shelf."""
    today = today or timezone.localdate()
    if hold.status not in (Hold.Status.WAITING, Hold.Status.READY):
        raise CirculationError("hold_closed", _("This hold is no longer active."))
    with transaction.atomic():
        Hold.objects.filter(pk=hold.pk).update(
            status=Hold.Status.CANCELLED, closed_at=timezone.now()
        )
        hold.status = Hold.Status.CANCELLED
        _release_copy(hold, today)
    return hold


def hold_fill(*, user, school, hold: Hold, barcode: str, today=None) -> Hold:
    """The librarian fetches a copy from the shelf for a waiting hold."""
    _require_librarian(user, school)
    today = today or timezone.localdate()
    with transaction.atomic():
        copy = _copy_at(school, barcode, lock=True)
        if copy.record_id != hold.record_id:
            raise CirculationError("wrong_title", _("This copy is of another title."))
        if copy.status != Copy.Status.AVAILABLE:
            raise CirculationError(
                "not_available",
                _("This copy is not available (%(status)s).")
                % {"status": copy.get_status_display()},
            )
        if hold.status != Hold.Status.WAITING:
            raise CirculationError("hold_closed", _("This hold is no longer waiting."))
        category = rules.reader_category(hold.reader, school) or "pupil"
        terms = rules.terms_for(school, category, copy.item_type)
        hold.status = Hold.Status.READY
        hold.copy = copy
        hold.ready_at = timezone.now()
        hold.pickup_by = rules.due_date(school, today, terms.hold_shelf_days)
        hold.save(update_fields=["status", "copy", "ready_at", "pickup_by"])
        Copy.objects.filter(pk=copy.pk).update(status=Copy.Status.ON_HOLD_SHELF)
    return hold


def holds_expire(*, today=None) -> int:
    """Close holds not collected by their pickup date (run daily)."""
    today = today or timezone.localdate()
    expired = 0
    for hold in Hold.objects.filter(status=Hold.Status.READY, pickup_by__lt=today):
        with transaction.atomic():
            Hold.objects.filter(pk=hold.pk).update(
                status=Hold.Status.EXPIRED, closed_at=timezone.now()
            )
            _release_copy(hold, today)
        expired += 1
    return expired


# --- Rules and closed days ----------------------------------------------------------------


_RULE_FIELDS = model_fields(LoanRule, exclude=["school"])
_CLOSED_FIELDS = model_fields(ClosedPeriod, exclude=["school"])


@transaction.atomic
def loan_rule_save(*, user, rule: LoanRule) -> LoanRule:
    """Create or change a loan rule of a library; the change is audited."""
    _require_librarian(user, rule.school_id)
    try:
        rule.full_clean()
    except ValidationError as exc:
        raise CirculationError("rule_exists", " ".join(exc.messages)) from exc
    return audited_save(
        rule,
        actor=user,
        category=AuditEvent.Category.LIBRARY,
        name="loan_rule",
        school=rule.school_id,
        fields=_RULE_FIELDS,
    )


@transaction.atomic
def closed_period_save(*, user, period: ClosedPeriod) -> ClosedPeriod:
    """Create or change days the library is closed (due dates skip them); audited."""
    _require_librarian(user, period.school_id)
    try:
        period.full_clean()
    except ValidationError as exc:
        raise CirculationError("bad_period", " ".join(exc.messages)) from exc
    return audited_save(
        period,
        actor=user,
        category=AuditEvent.Category.LIBRARY,
        name="closed_period",
        school=period.school_id,
        fields=_CLOSED_FIELDS,
    )


@transaction.atomic
def loan_rule_delete(*, user, rule: LoanRule) -> None:
    _require_librarian(user, rule.school_id)
    audited_delete(
        rule,
        actor=user,
        category=AuditEvent.Category.LIBRARY,
        name="loan_rule",
        school=rule.school_id,
        fields=_RULE_FIELDS,
    )


@transaction.atomic
def closed_period_delete(*, user, period: ClosedPeriod) -> None:
    _require_librarian(user, period.school_id)
    audited_delete(
        period,
        actor=user,
        category=AuditEvent.Category.LIBRARY,
        name="closed_period",
        school=period.school_id,
        fields=_CLOSED_FIELDS,
    )


# --- Stocktaking -------------------------------------------------------------------------------


def stocktake_start(*, user, school, name: str) -> Stocktake:
    _require_librarian(user, school)
    if Stocktake.objects.filter(school=school, closed_at__isnull=True).exists():
        raise CirculationError(
            "stocktake_open", _("Finish the stocktake in progress before starting another.")
        )
    return Stocktake.objects.create(school=school, name=name or _("Stocktake"), started_by=user)


def stocktake_scan(*, user, stocktake: Stocktake, shelf: str, barcodes: list[str]) -> int:
    """Record the barcodes scanned on one shelf; a barcode scanned again is
    counted once (on the shelf where it was first seen)."""
    _require_librarian(user, stocktake.school_id)
    if stocktake.closed_at:
        raise CirculationError("stocktake_closed", _("This stocktake is finished."))
    shelf = shelf.strip()
    if not shelf:
        raise CirculationError("no_shelf", _("Say which shelf you are scanning."))
    codes = list(dict.fromkeys(b.strip() for b in barcodes if b.strip()))
    seen = set(
        StocktakeScan.objects.filter(stocktake=stocktake, barcode__in=codes).values_list(
            "barcode", flat=True
        )
    )
    copies = dict(Copy.objects.filter(barcode__in=codes).values_list("barcode", "pk"))
    new = [
        StocktakeScan(stocktake=stocktake, shelf=shelf, barcode=c, copy_id=copies.get(c))
        for c in codes
        if c not in seen
    ]
    StocktakeScan.objects.bulk_create(new)
    return len(new)


def stocktake_close(*, user, stocktake: Stocktake) -> Stocktake:
    _require_librarian(user, stocktake.school_id)
    stocktake.closed_at = timezone.now()
    stocktake.save(update_fields=["closed_at"])
    return stocktake
