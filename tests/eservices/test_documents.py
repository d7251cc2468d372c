"""The certificate of attendance: made from the register's data when granted,
with a verification code and a QR code of the public verification page; the
page says valid, revoked or unknown with only the initials; revoking is audited."""

import datetime

import pytest

from django.urls import reverse

from eservices import services
from eservices.models import IssuedDocument, Status
from portal.models import AuditEvent

from .conftest import file_certificate


def _grant(es, html_pdf, disk):
    es.a.pupil.date_of_birth = datetime.date(2016, 5, 7)
    es.a.pupil.save()
    case = file_certificate(es.a, purpose="dodatek mieszkaniowy")
    services.case_transition(case=case, user=es.a.secretary, to=Status.ACCEPTED)
    services.case_transition(case=case, user=es.a.secretary, to=Status.GRANTED)
    case.refresh_from_db()
    return case


def test_granting_a_certificate_issues_it_from_the_register(es, html_pdf, disk):
    case = _grant(es, html_pdf, disk)
    assert case.status == Status.ISSUED
    document = IssuedDocument.objects.get(case=case)
    html = html_pdf[-1]
    pupil = es.a.pupil
    for expected in (
        pupil.first_name,
        pupil.last_name,
        "2016",
        es.a.class_a.name,
        es.a.year.name,
        es.a.school.name,
        case.number,
        document.code,
        "dodatek mieszkaniowy",
        f"/weryfikacja/{document.code}/",
        '<svg role="img"',
    ):
        assert expected in html, expected
    assert document.initials == f"{pupil.first_name[0]}.{pupil.last_name[0]}."
    assert document.pdf.read().startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="case.document_issue", target_id=case.pk).exists()


def test_the_verification_page_says_valid_revoked_or_unknown(es, html_pdf, disk, client):
    case = _grant(es, html_pdf, disk)
    document = IssuedDocument.objects.get(case=case)
    url = reverse("eservices:verify", args=[document.code])
    assert url == f"/weryfikacja/{document.code}/"
    page = client.get(url).text
    assert "valid" in page.lower() or "ważny" in page.lower()
    for shown in (case.number, es.a.school.name, document.initials):
        assert shown in page
    assert es.a.pupil.last_name not in page  # initials only

    with pytest.raises(services.EservicesError):
        services.document_revoke(document=document, user=es.a.secretary, reason=" ")
    services.document_revoke(document=document, user=es.a.secretary, reason="błąd w danych")
    document.refresh_from_db()
    assert not document.is_valid
    assert AuditEvent.objects.filter(action="case.document_revoke", target_id=case.pk).exists()
    revoked = client.get(url)
    assert "badge-bad" in revoked.text and "badge-ok" not in revoked.text

    unknown = client.get(reverse("eservices:verify", args=["ZZZZ-ZZZZ-ZZZZ"]))
    assert unknown.status_code == 200
    assert "badge-bad" in unknown.text and case.number not in unknown.text


def test_only_handlers_revoke_and_the_family_downloads(es, html_pdf, disk, login):
    case = _grant(es, html_pdf, disk)
    document = IssuedDocument.objects.get(case=case)
    family = login(es.a.guardian, mfa=False)
    assert family.get(reverse("eservices:document", args=[document.pk])).status_code == 200
    assert (
        family.post(
            reverse("eservices:revoke", args=[document.pk]), {"revoke-reason": "x"}
        ).status_code
        == 404
    )
    assert (
        login(es.b.admin).get(reverse("eservices:document", args=[document.pk])).status_code == 404
    )
