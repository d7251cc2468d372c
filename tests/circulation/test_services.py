"""Rules and refusals of checkout, return, renewal and holds."""

import datetime

import pytest

from library.circulation import rules, services
from library.circulation.models import ClosedPeriod, Copy, CopyEvent, Hold, LoanRule
from library.circulation.services import CirculationError
from portal.models import AuditEvent
from tests.factories.circulation import card, copy_create, rule_create

from .conftest import MONDAY


def checkout(world, reader, copy, today=MONDAY, librarian=None, school=None):
    return services.loan_checkout(
        user=librarian or world.a.librarian,
        school=school or world.a.school,
        card_number=card(reader),
        barcode=copy.barcode,
        today=today,
    )


def refused(code, func, *args, **kwargs):
    with pytest.raises(CirculationError) as info:
        func(*args, **kwargs)
    assert info.value.code == code, info.value.message
    assert info.value.message
    return info.value


# --- rules ---------------------------------------------------------------------------------


def test_reader_categories_come_from_portal_roles(world):
    assert rules.reader_category(world.a.pupil, world.a.school) == "pupil"
    assert rules.reader_category(world.a.teacher, world.a.school) == "teacher"
    assert rules.reader_category(world.a.librarian, world.a.school) == "staff"
    assert rules.reader_category(world.a.pupil, world.b.school) is None
    assert rules.reader_category(world.a.guardian, world.a.school) is None


def test_most_specific_rule_wins(world):
    school = world.a.school
    rule_create(school, loan_days=10)
    rule_create(school, item_type="reading", loan_days=7)
    rule_create(school, reader_category="pupil", loan_days=21)
    rule_create(school, reader_category="pupil", item_type="reading", loan_days=3)
    rule_create(world.b.school, reader_category="teacher", loan_days=99)
    assert rules.terms_for(school, "pupil", "reading").loan_days == 3
    assert rules.terms_for(school, "pupil", "book").loan_days == 21
    assert rules.terms_for(school, "teacher", "reading").loan_days == 7
    assert rules.terms_for(school, "teacher", "book").loan_days == 10
    assert rules.terms_for(world.b.school, "pupil", "book") == rules.DEFAULT_TERMS


def test_due_date_skips_weekends_and_closed_days(world):
    school = world.a.school
    assert rules.due_date(school, MONDAY, 14) == datetime.date(2026, 10, 19)
    assert rules.due_date(school, MONDAY, 13) == datetime.date(2026, 10, 19)  # Sunday → Monday
    ClosedPeriod.objects.create(
        school=school,
        name="Ferie",
        start=datetime.date(2026, 10, 19),
        end=datetime.date(2026, 10, 23),
    )
    # Due on the first day of the break → the Monday after it.
    assert rules.due_date(school, MONDAY, 14) == datetime.date(2026, 10, 26)
    # Another library's holidays do not count.
    assert rules.due_date(world.b.school, MONDAY, 14) == datetime.date(2026, 10, 19)


def test_checkout_uses_rule_and_closed_days(world, library):
    rule_create(world.a.school, reader_category="pupil", loan_days=14)
    ClosedPeriod.objects.create(
        school=world.a.school,
        name="Ferie",
        start=datetime.date(2026, 10, 17),
        end=datetime.date(2026, 10, 25),
    )
    loan = checkout(world, world.a.pupil, library["copy"])
    assert loan.due_on == datetime.date(2026, 10, 26)
    assert Copy.objects.get(pk=library["copy"].pk).status == Copy.Status.ON_LOAN


# --- checkout refusals --------------------------------------------------------------------


def test_copy_cannot_be_lent_twice(world, library):
    checkout(world, world.a.pupil, library["copy"])
    refused("already_on_loan", checkout, world, world.a.teacher, library["copy"])


def test_limit_reached(world, library):
    rule_create(world.a.school, reader_category="pupil", max_loans=1)
    checkout(world, world.a.pupil, library["copy"])
    error = refused("limit_reached", checkout, world, world.a.pupil, library["copy2"])
    assert "1" in error.message
    # Teachers have the default rule.
    checkout(world, world.a.teacher, library["copy2"])


def test_reader_blocked_by_overdue_items(world, library):
    checkout(world, world.a.pupil, library["copy"], today=MONDAY - datetime.timedelta(days=30))
    refused("reader_overdue", checkout, world, world.a.pupil, library["copy2"])


def test_lost_and_withdrawn_copies_are_not_available(world, library):
    services.copy_mark(user=world.a.librarian, copy=library["copy"], kind="lost", note="x")
    refused("not_available", checkout, world, world.a.pupil, library["copy"])
    services.copy_mark(user=world.a.librarian, copy=library["copy"], kind="found")
    checkout(world, world.a.pupil, library["copy"])
    kinds = list(CopyEvent.objects.filter(copy=library["copy"]).values_list("kind", flat=True))
    assert kinds == ["found", "lost"]


def test_copy_on_hold_for_another_reader(world, library):
    loan = checkout(world, world.a.teacher, library["copy"])
    checkout(world, world.a.librarian, library["copy2"])
    hold = services.hold_place(
        user=world.a.pupil, reader=world.a.pupil, record=library["record"], school=world.a.school
    )
    services.loan_return(user=world.a.librarian, school=world.a.school, barcode=loan.copy.barcode)
    hold.refresh_from_db()
    assert hold.status == Hold.Status.READY
    refused("on_hold_for_other", checkout, world, world.a.other_pupil, library["copy"])
    checkout(world, world.a.pupil, library["copy"])
    hold.refresh_from_db()
    assert hold.status == Hold.Status.FULFILLED


def test_unknown_card_and_copy(world, library):
    refused(
        "unknown_card",
        services.loan_checkout,
        user=world.a.librarian,
        school=world.a.school,
        card_number="NOPE",
        barcode=library["copy"].barcode,
    )
    copy = Copy(barcode="ZZZ")
    refused("unknown_copy", checkout, world, world.a.pupil, copy)


def test_reader_of_another_school_is_refused(world, library):
    # Like an unknown card: the desk learns nothing of other libraries' readers.
    refused("unknown_card", checkout, world, world.b.pupil, library["copy"])


def test_librarian_cannot_lend_another_schools_copies(world, library):
    refused("copy_other_library", checkout, world, world.a.pupil, library["other_copy"])
    refused(
        "not_librarian",
        checkout,
        world,
        world.b.pupil,
        library["other_copy"],
        librarian=world.a.librarian,
        school=world.b.school,
    )


# --- return ------------------------------------------------------------------------------


def test_return_flags_overdue(world, library):
    checkout(world, world.a.pupil, library["copy"])
    loan, hold = services.loan_return(
        user=world.a.librarian,
        school=world.a.school,
        barcode=library["copy"].barcode,
        today=MONDAY + datetime.timedelta(days=40),
    )
    assert loan.returned_overdue and hold is None
    assert Copy.objects.get(pk=library["copy"].pk).status == Copy.Status.AVAILABLE


def test_return_in_time_is_not_flagged_and_not_on_loan_refused(world, library):
    checkout(world, world.a.pupil, library["copy"])
    loan, _hold = services.loan_return(
        user=world.a.librarian, school=world.a.school, barcode=library["copy"].barcode, today=MONDAY
    )
    assert not loan.returned_overdue
    refused(
        "not_on_loan",
        services.loan_return,
        user=world.a.librarian,
        school=world.a.school,
        barcode=library["copy"].barcode,
    )


def test_history_off_hides_returned_loans(world, library):
    services.reader_settings_update(reader=world.a.pupil, keep_history=False)
    checkout(world, world.a.pupil, library["copy"])
    loan, _ = services.loan_return(
        user=world.a.librarian, school=world.a.school, barcode=library["copy"].barcode
    )
    assert loan.hidden_from_reader


# --- renewals ----------------------------------------------------------------------------


def test_renewal_extends_from_the_due_date_until_limit(world, library):
    rule_create(world.a.school, max_renewals=1, loan_days=14)
    loan = checkout(world, world.a.pupil, library["copy"])
    assert loan.due_on == datetime.date(2026, 10, 19)
    later = MONDAY + datetime.timedelta(days=10)
    loan = services.loan_renew(user=world.a.pupil, loan=loan, today=later)
    # 19 October + 14 days, not 15 October + 14: renewing early loses nothing.
    assert loan.due_on == datetime.date(2026, 11, 2) and loan.renewals == 1
    refused("renewal_limit", services.loan_renew, user=world.a.pupil, loan=loan, today=later)


def test_an_overdue_loan_is_not_renewed_online(world, library):
    loan = checkout(world, world.a.pupil, library["copy"])
    overdue = datetime.date(2026, 10, 20)
    for user in (world.a.pupil, world.a.guardian):
        refused("overdue_online", services.loan_renew, user=user, loan=loan, today=overdue)
    loan.refresh_from_db()
    assert loan.due_on == datetime.date(2026, 10, 19) and loan.renewals == 0


def test_the_desk_renews_an_overdue_loan_only_with_a_reason_which_is_recorded(world, library):
    loan = checkout(world, world.a.pupil, library["copy"])
    overdue = datetime.date(2026, 10, 21)
    desk = {"user": world.a.librarian, "loan": loan, "today": overdue, "at_desk": True}
    error = refused("overdue", services.loan_renew, **desk)
    assert error.overridable
    loan = services.loan_renew(**desk, override_reason="Choroba ucznia, zwolnienie lekarskie")
    # An overdue loan renewed at the desk runs from today.
    assert loan.due_on == rules.due_date(world.a.school, overdue, 14) and loan.renewals == 1
    event = AuditEvent.objects.get(action="loan.renew_override")
    assert event.actor == world.a.librarian and event.person == world.a.pupil
    assert event.reason == "Choroba ucznia, zwolnienie lekarskie"
    assert event.after["overridden"] == ["overdue"] and event.school_id == world.a.school.pk


def test_only_the_librarians_of_the_loans_library_renew_at_the_desk(world, library):
    loan = checkout(world, world.a.pupil, library["copy"])
    for user in (world.a.pupil, world.b.librarian):
        refused(
            "not_librarian",
            services.loan_renew,
            user=user,
            loan=loan,
            today=datetime.date(2026, 10, 21),
            at_desk=True,
            override_reason="bo tak",
        )


def test_the_desk_overrides_the_renewal_limit_with_a_reason(world, library):
    rule_create(world.a.school, max_renewals=0)
    loan = checkout(world, world.a.pupil, library["copy"])
    later = MONDAY + datetime.timedelta(days=7)
    refused("renewal_limit", services.loan_renew, user=world.a.librarian, loan=loan, today=later)
    # A reader's reason counts for nothing: only the desk overrides.
    refused(
        "renewal_limit",
        services.loan_renew,
        user=world.a.pupil,
        loan=loan,
        today=later,
        override_reason="proszę",
    )
    loan = services.loan_renew(
        user=world.a.librarian, loan=loan, today=later, at_desk=True, override_reason="lektura"
    )
    assert loan.renewals == 1
    assert AuditEvent.objects.filter(action="loan.renew_override", reason="lektura").exists()


def test_the_desk_lends_despite_the_overdue_block_and_the_limit_with_a_reason(world, library):
    rule_create(world.a.school, max_loans=1)
    first = checkout(world, world.a.pupil, library["copy"])
    late = datetime.date(2026, 10, 22)
    assert first.due_on < late
    refused("reader_overdue", checkout, world, world.a.pupil, library["copy2"], today=late)
    assert not AuditEvent.objects.filter(category=AuditEvent.Category.LIBRARY).exists()
    loan = services.loan_checkout(
        user=world.a.librarian,
        school=world.a.school,
        card_number=card(world.a.pupil),
        barcode=library["copy2"].barcode,
        today=late,
        override_reason="Lektura na jutro",
    )
    event = AuditEvent.objects.get(action="loan.checkout_override")
    assert event.target_id == loan.pk and event.reason == "Lektura na jutro"
    assert sorted(event.after["overridden"]) == ["limit_reached", "reader_overdue"]


def test_renewal_refused_when_another_reader_holds_the_title(world, library):
    loan = checkout(world, world.a.pupil, library["copy"])
    checkout(world, world.a.teacher, library["copy2"])
    services.hold_place(
        user=world.a.other_pupil,
        reader=world.a.other_pupil,
        record=library["record"],
        school=world.a.school,
    )
    refused(
        "held_by_other",
        services.loan_renew,
        user=world.a.pupil,
        loan=loan,
        today=MONDAY + datetime.timedelta(days=5),
    )


def test_renewing_on_the_day_of_checkout_adds_a_whole_period_to_the_due_date(world, library):
    loan = checkout(world, world.a.pupil, library["copy"])
    loan = services.loan_renew(user=world.a.pupil, loan=loan, today=MONDAY)
    assert loan.due_on == rules.due_date(world.a.school, datetime.date(2026, 10, 19), 14)


def test_a_rule_without_a_loan_period_cannot_be_renewed(world, library):
    loan = checkout(world, world.a.pupil, library["copy"])
    rule_create(world.a.school, loan_days=0)
    refused("too_early", services.loan_renew, user=world.a.pupil, loan=loan, today=MONDAY)


def test_renew_all_reports_each_loan(world, library):
    rule_create(world.a.school, max_renewals=0, item_type="reading")
    copy = copy_create(library["record"], world.a.school, item_type="reading")
    checkout(world, world.a.pupil, library["copy"])
    checkout(world, world.a.pupil, copy)
    outcomes = services.loans_renew_all(
        user=world.a.pupil, reader=world.a.pupil, today=MONDAY + datetime.timedelta(days=7)
    )
    codes = sorted((e.code if e else "ok") for _loan, e in outcomes)
    assert codes == ["ok", "renewal_limit"]


# --- holds -------------------------------------------------------------------------------


def test_hold_refused_while_a_copy_is_on_the_shelf(world, library):
    refused(
        "copy_available",
        services.hold_place,
        user=world.a.pupil,
        reader=world.a.pupil,
        record=library["record"],
        school=world.a.school,
    )


def test_hold_queue_and_pickup_deadline(world, library):
    rule_create(world.a.school, hold_shelf_days=3)
    first = checkout(world, world.a.teacher, library["copy"])
    checkout(world, world.a.teacher, library["copy2"])
    kwargs = {"record": library["record"], "school": world.a.school}
    h1 = services.hold_place(user=world.a.pupil, reader=world.a.pupil, **kwargs)
    h2 = services.hold_place(user=world.a.other_pupil, reader=world.a.other_pupil, **kwargs)
    refused("already_held", services.hold_place, user=world.a.pupil, reader=world.a.pupil, **kwargs)
    from library.circulation.selectors import holds_with_positions

    assert holds_with_positions(world.a.other_pupil)[0].position == 2
    # Returned on a Thursday: three days later is a Sunday → Monday.
    thursday = datetime.date(2026, 10, 8)
    _loan, hold = services.loan_return(
        user=world.a.librarian, school=world.a.school, barcode=first.copy.barcode, today=thursday
    )
    assert hold.pk == h1.pk and hold.pickup_by == datetime.date(2026, 10, 12)
    assert holds_with_positions(world.a.other_pupil)[0].position == 1
    # The first reader cancels: the copy goes to the next one.
    services.hold_cancel(user=world.a.pupil, hold=hold, today=thursday)
    h2.refresh_from_db()
    assert h2.status == Hold.Status.READY and h2.copy_id == first.copy.pk


def test_uncollected_hold_expires_and_copy_returns_to_shelf(world, library):
    loan = checkout(world, world.a.teacher, library["copy"])
    checkout(world, world.a.teacher, library["copy2"])
    hold = services.hold_place(
        user=world.a.pupil, reader=world.a.pupil, record=library["record"], school=world.a.school
    )
    services.loan_return(
        user=world.a.librarian, school=world.a.school, barcode=loan.copy.barcode, today=MONDAY
    )
    assert services.holds_expire(today=MONDAY + datetime.timedelta(days=30)) == 1
    hold.refresh_from_db()
    assert hold.status == Hold.Status.EXPIRED
    assert Copy.objects.get(pk=loan.copy.pk).status == Copy.Status.AVAILABLE


def test_hold_fill_from_shelf(world, library):
    checkout(world, world.a.teacher, library["copy"])
    checkout(world, world.a.teacher, library["copy2"])
    hold = services.hold_place(
        user=world.a.pupil, reader=world.a.pupil, record=library["record"], school=world.a.school
    )
    services.loan_return(
        user=world.a.librarian, school=world.a.school, barcode=library["copy2"].barcode
    )
    hold.refresh_from_db()
    assert hold.status == Hold.Status.READY  # trapped at return
    other = copy_create(library["record"], world.a.school)
    refused(
        "hold_closed",
        services.hold_fill,
        user=world.a.librarian,
        school=world.a.school,
        hold=hold,
        barcode=other.barcode,
    )


def test_no_copies_here(world, library):
    from tests.factories.circulation import record_create

    refused(
        "no_copies",
        services.hold_place,
        user=world.a.pupil,
        reader=world.a.pupil,
        record=record_create("Inna"),
        school=world.a.school,
    )


# --- copies ------------------------------------------------------------------------------


def test_batch_add_generates_unique_barcodes_and_inventory(world, library):
    copies = services.copies_add_batch(
        user=world.a.librarian, record=library["record"], school=world.a.school, count=3
    )
    assert len({c.barcode for c in copies}) == 3
    numbers = [int(c.inventory_number) for c in copies]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3
    refused(
        "barcode_taken",
        services.copies_add_batch,
        user=world.a.librarian,
        record=library["record"],
        school=world.a.school,
        barcodes=[copies[0].barcode],
    )
    refused(
        "not_librarian",
        services.copies_add_batch,
        user=world.a.librarian,
        record=library["record"],
        school=world.b.school,
    )


def test_rule_is_unique_per_library(world):
    rule_create(world.a.school, reader_category="pupil")
    refused(
        "rule_exists",
        services.loan_rule_save,
        user=world.a.librarian,
        rule=LoanRule(school=world.a.school, reader_category="pupil"),
    )
