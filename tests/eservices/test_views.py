"""The family's form: validated with Polish errors, nothing typed is lost."""

from django.urls import reverse
from django.utils import translation

from eservices.models import Case, ServiceKind

from .conftest import service_of


def test_a_form_with_errors_keeps_what_was_typed_and_speaks_polish(es, login):
    service = service_of(es.a, ServiceKind.ADVANCE_ABSENCE)
    key = {f.key: f"f{f.pk}" for f in service.fields.all()}
    client = login(es.a.guardian, mfa=False)
    url = reverse("eservices:submit", args=[service.pk])
    with translation.override("pl"):
        response = client.post(
            url,
            {
                "pupil": es.a.pupil.pk,
                key["first_day"]: "2030-05-10",
                key["last_day"]: "2030-05-08",
                key["reason"]: "Wyjazd rodzinny",
            },
            HTTP_ACCEPT_LANGUAGE="pl",
        )
    assert response.status_code == 200
    assert Case.objects.count() == 0
    assert "Wyjazd rodzinny" in response.text
    assert 'value="2030-05-10"' in response.text
    assert "Ostatni dzień jest przed pierwszym" in response.text


def test_a_family_files_a_case_and_sees_it(es, login):
    service = service_of(es.a, ServiceKind.ATTENDANCE_CERTIFICATE)
    field = service.fields.get(key="purpose")
    client = login(es.a.guardian, mfa=False)
    home = client.get(reverse("eservices:home"))
    assert service.name in home.text
    response = client.post(
        reverse("eservices:submit", args=[service.pk]),
        {"pupil": es.a.pupil.pk, f"f{field.pk}": "do MOPS"},
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == reverse("eservices:case", args=[case.pk])
    cases = client.get(reverse("eservices:home")).text
    assert case.number in cases
    # A card per case on a phone, each value labelled; the case's "Numer", not "Liczba".
    assert '<table class="table-cards">' in cases and 'data-label="Status"' in cases
    assert ">Numer</th>" in cases and "Liczba" not in cases


def test_another_schools_service_is_not_offered(es, login):
    other = service_of(es.b, ServiceKind.ATTENDANCE_CERTIFICATE)
    client = login(es.a.guardian, mfa=False)
    assert client.get(reverse("eservices:submit", args=[other.pk])).status_code == 404


def test_the_admin_switches_a_builtin_on_and_off(es, login):
    service = service_of(es.a, ServiceKind.LIBRARY_CARD)
    client = login(es.a.admin)
    url = reverse("eservices:catalogue", args=[es.a.school.pk])
    client.post(url, {"service": service.pk, "enabled": "0"})
    service.refresh_from_db()
    assert not service.enabled
    from portal.models import AuditEvent

    assert AuditEvent.objects.filter(action="service.update", target_id=service.pk).exists()


def test_removing_a_form_question_asks_first(es, login):
    """The first press answers a confirmation page and keeps the question; only
    the page's own button removes it (and the removal is in the audit trail)."""
    from eservices.models import ServiceField
    from portal.models import AuditEvent

    service = service_of(es.a, ServiceKind.LIBRARY_CARD)
    field = ServiceField.objects.create(
        service=service, label="Numer telefonu domowego", kind="text", position=9
    )
    client = login(es.a.admin)
    url = reverse("eservices:field_edit", args=[es.a.school.pk, service.pk, field.pk])
    with translation.override("pl"):
        asked = client.post(url, {"delete": "1"}, HTTP_ACCEPT_LANGUAGE="pl")
    assert asked.status_code == 200
    page = asked.content.decode()
    assert "Numer telefonu domowego" in page and 'name="confirm" value="1"' in page
    assert ServiceField.objects.filter(pk=field.pk).exists()
    done = client.post(url, {"delete": "1", "confirm": "1"})
    assert done.status_code == 302
    assert not ServiceField.objects.filter(pk=field.pk).exists()
    assert AuditEvent.objects.filter(action="service_field.delete", target_id=field.pk).exists()
