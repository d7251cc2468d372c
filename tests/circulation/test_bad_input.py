"""Junk in circulation's hidden fields (issue 11): the desk's hold=abc, the
reader's loan=abc and hold=abc, hold placing with school=abc, the rules' pk=abc
and the stocktake's copy=abc or a number beyond a 64-bit column were server
errors. Now a 400; what the pages send still works, and another library's or
reader's object is still a 404."""

import datetime
from types import SimpleNamespace

import pytest

from django.urls import reverse

from library.circulation import services
from library.circulation.models import ClosedPeriod, Copy, Hold, LoanRule
from tests.bad_input import Case, check_case, junk_params
from tests.factories.circulation import card, copy_create, rule_create


@pytest.fixture
def objects(world, library):
    """A pupil's loan (copy), the teacher's (copy2), so that the other pupil's hold
    waits; then a third copy on the shelf to fill it; a rule, closed days and an
    open stocktake."""
    a = world.a

    def lend(reader, copy):
        return services.loan_checkout(
            user=a.librarian, school=a.school, card_number=card(reader), barcode=copy.barcode
        )

    loan = lend(a.pupil, library["copy"])
    lend(a.teacher, library["copy2"])
    hold = services.hold_place(
        user=a.other_pupil, reader=a.other_pupil, record=library["record"], school=a.school
    )
    day = datetime.date(2026, 12, 28)
    return SimpleNamespace(
        a=a,
        b=world.b,
        record=library["record"],
        loan=loan,
        hold=hold,
        spare=copy_create(library["record"], a.school),
        rule=rule_create(a.school, reader_category="teacher", item_type="book"),
        closed=ClosedPeriod.objects.create(school=a.school, name="Remont", start=day, end=day),
        take=services.stocktake_start(user=a.librarian, school=a.school, name="2026"),
    )


def _desk(o):
    return reverse("circulation:desk", args=[o.a.school.pk])


def _rules(o):
    return reverse("circulation:rules", args=[o.a.school.pk])


def _account(action):
    return lambda o: reverse("circulation:account_action", args=[action])


CASES = {
    # the library desk's hold=abc was a 500
    "desk: fill a hold": Case(
        "a.librarian",
        "post",
        _desk,
        lambda o, v: {"action": "fill", "hold": v, "barcode": o.spare.barcode},
        lambda o: o.hold.pk,
        200,
        lambda o: Hold.objects.get(pk=o.hold.pk).status == Hold.Status.READY,
    ),
    # the reader's renew loan=abc was a 500
    "account: renew": Case(
        "a.pupil",
        "post",
        _account("renew"),
        lambda o, v: {"loan": v},
        lambda o: o.loan.pk,
        302,
    ),
    "a child's account: renew": Case(
        "a.guardian",
        "post",
        lambda o: reverse("circulation:account_child_action", args=[o.a.pupil.pk, "renew"]),
        lambda o, v: {"loan": v},
        lambda o: o.loan.pk,
        302,
    ),
    "account: cancel a hold": Case(
        "a.other_pupil",
        "post",
        _account("cancel_hold"),
        lambda o, v: {"hold": v},
        lambda o: o.hold.pk,
        302,
        lambda o: Hold.objects.get(pk=o.hold.pk).status == Hold.Status.CANCELLED,
    ),
    # hold placing with school=abc was a 500
    "record: place a hold": Case(
        "a.pupil",
        "post",
        lambda o: reverse("circulation:hold_place", args=[o.record.pk]),
        lambda o, v: {"school": v},
        lambda o: o.a.school.pk,
        302,
    ),
    "record: place a hold for a reader": Case(
        "a.librarian",
        "post",
        lambda o: reverse("circulation:hold_place", args=[o.record.pk]),
        lambda o, v: {"school": v, "card": card(o.a.teacher)},
        lambda o: o.a.school.pk,
        302,
    ),
    "rules: delete a rule": Case(
        "a.librarian",
        "post",
        _rules,
        lambda o, v: {"action": "delete_rule", "pk": v, "confirm": "1"},
        lambda o: o.rule.pk,
        302,
        lambda o: not LoanRule.objects.filter(pk=o.rule.pk).exists(),
    ),
    "rules: delete closed days": Case(
        "a.librarian",
        "post",
        _rules,
        lambda o, v: {"action": "delete_closed", "pk": v, "confirm": "1"},
        lambda o: o.closed.pk,
        302,
        lambda o: not ClosedPeriod.objects.filter(pk=o.closed.pk).exists(),
    ),
    "stocktake: mark copies lost": Case(
        "a.librarian",
        "post",
        lambda o: reverse("circulation:stocktake", args=[o.take.pk]),
        lambda o, v: {"action": "lost", "copy": [o.spare.pk, v]},
        lambda o: o.spare.pk,
        302,
        lambda o: Copy.objects.get(pk=o.spare.pk).status == Copy.Status.LOST,
    ),
}


@pytest.mark.parametrize(("case", "junk"), junk_params(CASES))
def test_junk_is_a_400_and_the_valid_value_still_works(objects, login, case, junk):
    check_case(login, objects, CASES[case], junk)


def test_another_librarys_hold_and_another_readers_loan_are_still_404(objects, login):
    desk = login(objects.b.librarian)
    url = reverse("circulation:desk", args=[objects.b.school.pk])
    data = {"action": "fill", "hold": objects.hold.pk, "barcode": objects.spare.barcode}
    assert desk.post(url, data).status_code == 404
    reader = login(objects.a.other_pupil)
    renew = reverse("circulation:account_action", args=["renew"])
    assert reader.post(renew, {"loan": objects.loan.pk}).status_code == 404


def test_stocktake_leaves_another_librarys_copy_alone(objects, login, library):
    client = login(objects.a.librarian)
    url = reverse("circulation:stocktake", args=[objects.take.pk])
    client.post(url, {"action": "lost", "copy": [library["other_copy"].pk]})
    assert Copy.objects.get(pk=library["other_copy"].pk).status == Copy.Status.AVAILABLE
