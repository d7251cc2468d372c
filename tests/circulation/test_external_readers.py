"""Readers from outside the school: a person with no role at a school (a parent,
a resident) made a reader of one school's library by its librarian, borrowing on
the terms of their own category, until the membership is ended."""

import datetime

import pytest

from django.urls import reverse
from django.utils import translation

from library.circulation import rules, services
from library.circulation.models import ExternalReader, Loan, ReaderCategory
from library.circulation.permissions import has_library_account
from library.circulation.services import CirculationError
from portal.models import AuditEvent
from tests.factories import UserFactory
from tests.factories.circulation import card, rule_create

from .conftest import MONDAY


@pytest.fixture
def resident(db):
    return UserFactory(username="mieszkaniec", first_name="Ewa", last_name="Zielińska")


def grant(world, reader, side="a"):
    side = getattr(world, side)
    return services.external_reader_grant(user=side.librarian, school=side.school, reader=reader)


def lend(side, reader, copy):
    return services.loan_checkout(
        user=side.librarian,
        school=side.school,
        card_number=card(reader),
        barcode=copy.barcode,
        today=MONDAY,
    )


def test_a_resident_is_nobodys_reader_until_granted(world, resident):
    assert rules.reader_category(resident, world.a.school) is None
    assert not has_library_account(resident)
    grant(world, resident)
    assert rules.reader_category(resident, world.a.school) == ReaderCategory.EXTERNAL
    assert rules.reader_category(resident, world.b.school) is None
    assert list(rules.reader_schools(resident)) == [world.a.school]
    assert has_library_account(resident)


def test_the_grant_gives_a_card_and_checkout_works_at_that_school_only(world, library, resident):
    grant(world, resident)
    assert lend(world.a, resident, library["copy"]).reader == resident
    with pytest.raises(CirculationError) as refused:
        lend(world.b, resident, library["other_copy"])
    assert refused.value.code == "unknown_card"


def test_the_librarian_sets_the_terms_of_readers_from_outside(world, library, resident):
    rule_create(world.a.school, reader_category=ReaderCategory.EXTERNAL, loan_days=7, max_loans=1)
    rule_create(world.a.school, reader_category="", loan_days=21)
    grant(world, resident)
    assert lend(world.a, resident, library["copy"]).due_on == MONDAY + datetime.timedelta(days=7)
    with pytest.raises(CirculationError) as refused:
        lend(world.a, resident, library["copy2"])
    assert refused.value.code == "limit_reached"


def test_granting_twice_keeps_one_membership_and_one_audit_row(world, resident):
    first = grant(world, resident)
    again = grant(world, resident)
    assert first.pk == again.pk
    assert ExternalReader.objects.filter(user=resident).count() == 1
    event = AuditEvent.objects.get(action="external_reader.grant")
    assert event.category == AuditEvent.Category.LIBRARY
    assert event.actor == world.a.librarian
    assert event.person == resident
    assert event.school == world.a.school
    assert event.after["card_number"] == card(resident)
    with translation.override("pl"):
        assert event.action_label == "czytelnik spoza szkoły: nadano"


def test_only_the_schools_librarian_may_grant(world, resident):
    for user in (world.b.librarian, world.a.admin, world.a.teacher):
        with pytest.raises(CirculationError) as refused:
            services.external_reader_grant(user=user, school=world.a.school, reader=resident)
        assert refused.value.code == "not_librarian"
    assert not ExternalReader.objects.exists()


@pytest.mark.parametrize(
    ("who", "category"),
    [
        ("pupil", ReaderCategory.PUPIL),
        ("teacher", ReaderCategory.TEACHER),
        ("admin", ReaderCategory.STAFF),
    ],
)
def test_the_schools_own_people_keep_their_role_category(world, who, category):
    person = getattr(world.a, who)
    grant(world, person)
    assert rules.reader_category(person, world.a.school) == category


def test_ending_the_membership_stops_new_loans_and_renewals(world, library, resident):
    grant(world, resident)
    loan = lend(world.a, resident, library["copy"])
    ended = services.external_reader_end(
        user=world.a.librarian, school=world.a.school, reader=resident, reason="wyprowadzka"
    )
    assert ended.ended_at is not None and ended.ended_by == world.a.librarian
    assert rules.reader_category(resident, world.a.school) is None
    with pytest.raises(CirculationError) as refused:
        lend(world.a, resident, library["copy2"])
    assert refused.value.code == "unknown_card"
    with pytest.raises(CirculationError) as refused:
        services.loan_renew(user=resident, loan=loan, today=MONDAY)
    assert refused.value.code == "not_a_reader"
    # the book still out comes back at the desk as usual
    back, _hold = services.loan_return(
        user=world.a.librarian, school=world.a.school, barcode=library["copy"].barcode
    )
    assert back.returned_at is not None
    event = AuditEvent.objects.get(action="external_reader.end")
    assert (event.person, event.reason) == (resident, "wyprowadzka")
    with pytest.raises(CirculationError) as refused:
        services.external_reader_end(user=world.a.librarian, school=world.a.school, reader=resident)
    assert refused.value.code == "not_external_reader"
    # granted again later: a new membership, the old one kept as history
    grant(world, resident)
    assert ExternalReader.objects.filter(user=resident).count() == 2
    assert rules.reader_category(resident, world.a.school) == ReaderCategory.EXTERNAL


def test_the_desk_and_the_readers_page_show_the_category_in_polish(world, library, resident, login):
    grant(world, resident)
    client = login(world.a.librarian)
    page = client.get(reverse("circulation:readers", args=[world.a.school.pk]), {"q": "Zielińska"})
    html = page.content.decode()
    assert "czytelnik spoza szkoły" in html
    # the column holds a class, "staff member" or the outside reader's category
    assert '<th scope="col">Klasa lub kategoria</th>' in html
    assert 'data-label="Klasa lub kategoria">czytelnik spoza szkoły' in html
    assert reverse("circulation:external_reader_end", args=[world.a.school.pk, resident.pk]) in html
    desk = client.get(
        reverse("circulation:desk", args=[world.a.school.pk]), {"reader": resident.pk}
    )
    assert "Kategoria czytelnika: <strong>czytelnik spoza szkoły</strong>" in desk.content.decode()
    pupil_desk = client.get(
        reverse("circulation:desk", args=[world.a.school.pk]), {"reader": world.a.pupil.pk}
    )
    assert "Kategoria czytelnika: <strong>uczeń</strong>" in pupil_desk.content.decode()
    # a pupil's row offers no ending: a role is not a membership
    pupils = client.get(reverse("circulation:readers", args=[world.a.school.pk]), {"q": "4a"})
    assert "external-end" not in pupils.content.decode()


def test_the_librarian_ends_the_membership_from_the_readers_page(world, resident, login):
    grant(world, resident)
    url = reverse("circulation:external_reader_end", args=[world.a.school.pk, resident.pk])
    # another school's librarian finds nobody there
    assert login(world.b.librarian).post(url, {"reason": "x"}).status_code == 404
    assert rules.reader_category(resident, world.a.school) == ReaderCategory.EXTERNAL
    response = login(world.a.librarian).post(url, {"reason": "rezygnacja", "q": "Ewa"})
    assert response.status_code == 302
    assert response["Location"].endswith("?q=Ewa")
    assert rules.reader_category(resident, world.a.school) is None
    assert AuditEvent.objects.get(action="external_reader.end").reason == "rezygnacja"


def test_the_reader_sees_their_card_number_on_their_account(world, resident, login):
    grant(world, resident)
    page = login(resident, mfa=False).get(reverse("circulation:account"))
    assert card(resident) in page.content.decode()
    assert not Loan.objects.exists()
