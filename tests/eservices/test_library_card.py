"""A library card application granted by the school's librarian makes the
applicant a reader from outside the school of that school's library, and tells
them the card number; refused, it makes nothing."""

import pytest

from django.urls import reverse

from eservices import services
from eservices.models import CaseEvent, ServiceKind, Status
from library.circulation import rules
from library.circulation import services as circulation
from library.circulation.models import ExternalReader, ReaderCategory
from notifications.models import Notification
from portal.models import AuditEvent
from tests.factories import UserFactory
from tests.factories.circulation import card, copy_create, record_create

from .conftest import service_of


@pytest.fixture
def resident(db):
    return UserFactory(username="mieszkanka", first_name="Ewa", last_name="Zielińska")


def _apply(side, applicant):
    service = service_of(side, ServiceKind.LIBRARY_CARD)
    key = {f.key: f.pk for f in service.fields.all()}
    return services.case_submit(
        applicant=applicant,
        service=service,
        pupil=None,
        answers={key["address"]: "ul. Lipowa 3", key["phone"]: ""},
        consent=True,
    )


def _grant(side, case, user=None):
    user = user or side.librarian
    services.case_transition(case=case, user=user, to=Status.ACCEPTED)
    return services.case_transition(case=case, user=user, to=Status.GRANTED)


def test_granting_makes_the_applicant_a_reader_of_that_school_only(es, resident):
    case = _grant(es.a, _apply(es.a, resident))
    assert case.status == Status.GRANTED
    assert rules.reader_category(resident, es.a.school) == ReaderCategory.EXTERNAL
    assert rules.reader_category(resident, es.b.school) is None
    membership = ExternalReader.objects.get(user=resident)
    assert (membership.school, membership.granted_by) == (es.a.school, es.a.librarian)
    assert membership.case_number == case.number
    # the desk of school A lends to the new card
    copy = copy_create(record_create("Lalka"), es.a.school)
    loan = circulation.loan_checkout(
        user=es.a.librarian, school=es.a.school, card_number=card(resident), barcode=copy.barcode
    )
    assert loan.reader == resident


def test_the_applicant_learns_the_card_number(es, resident, login):
    case = _grant(es.a, _apply(es.a, resident))
    number = card(resident)
    event = case.events.get(kind=CaseEvent.Kind.ANSWER)
    assert number in event.text and not event.internal
    assert reverse("circulation:account") in event.text
    granted = Notification.objects.filter(recipient=resident, title__contains=number)
    assert granted.count() == 1
    audit = AuditEvent.objects.get(action="external_reader.grant")
    assert (audit.person, audit.after["case"]) == (resident, case.number)
    client = login(resident, mfa=False)
    assert number in client.get(reverse("eservices:case", args=[case.pk])).content.decode()
    assert number in client.get(reverse("circulation:account")).content.decode()


def test_a_second_granted_application_does_not_duplicate(es, resident):
    _grant(es.a, _apply(es.a, resident))
    number = card(resident)
    _grant(es.a, _apply(es.a, resident))
    assert ExternalReader.objects.filter(user=resident).count() == 1
    assert AuditEvent.objects.filter(action="external_reader.grant").count() == 1
    assert card(resident) == number


def test_a_refused_application_makes_nothing(es, resident):
    case = _apply(es.a, resident)
    services.case_transition(case=case, user=es.a.librarian, to=Status.REFUSED, text="Brak miejsc")
    assert not ExternalReader.objects.exists()
    assert rules.reader_category(resident, es.a.school) is None
    assert not AuditEvent.objects.filter(action="external_reader.grant").exists()


def test_only_a_librarian_may_grant_and_a_refused_grant_changes_nothing(es, resident):
    """The school's administrator oversees every case, but the library's readers
    are the librarian's: the whole step is refused, the case stays accepted."""
    case = _apply(es.a, resident)
    services.case_transition(case=case, user=es.a.admin, to=Status.ACCEPTED)
    with pytest.raises(services.EservicesError) as refused:
        services.case_transition(case=case, user=es.a.admin, to=Status.GRANTED)
    assert refused.value.code == "not_librarian"
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
    assert not ExternalReader.objects.exists()


def test_a_pupil_applying_keeps_the_pupil_category(es):
    _grant(es.a, _apply(es.a, es.a.pupil))
    assert rules.reader_category(es.a.pupil, es.a.school) == ReaderCategory.PUPIL
