"""Who sees which case: the family only their own, handlers their school's cases
of their role, another school 404."""

import pytest

from django.urls import reverse

from eservices.models import ServiceKind
from eservices.permissions import can_handle_case, family_cases, handled_cases
from portal.models import Role
from tests.factories import GuardianLinkFactory, RoleFactory, UserFactory

from .conftest import file_certificate, service_of


def _advance_notice(side):
    from eservices import services

    service = service_of(side, ServiceKind.ADVANCE_ABSENCE)
    by_key = {f.key: f.pk for f in service.fields.all()}
    import datetime

    return services.case_submit(
        applicant=side.guardian,
        service=service,
        pupil=side.pupil,
        answers={by_key["first_day"]: datetime.date.today(), by_key["reason"]: "Lekarz"},
    )


def test_the_family_sees_only_its_own_cases(es, login):
    mine = file_certificate(es.a)
    theirs = file_certificate(es.b)
    assert list(family_cases(es.a.guardian)) == [mine]
    client = login(es.a.guardian, mfa=False)
    assert client.get(reverse("eservices:case", args=[mine.pk])).status_code == 200
    assert client.get(reverse("eservices:case", args=[theirs.pk])).status_code == 404
    assert (
        client.post(reverse("eservices:reply", args=[theirs.pk]), {"reply-text": "x"}).status_code
        == 404
    )


def test_the_other_guardian_of_the_child_sees_the_case(es, login):
    case = file_certificate(es.a)
    father = UserFactory(username="a-father")
    GuardianLinkFactory(guardian=father, pupil=es.a.pupil)
    assert (
        login(father, mfa=False).get(reverse("eservices:case", args=[case.pk])).status_code == 200
    )


def test_a_family_cannot_take_handler_steps(es, login):
    case = file_certificate(es.a)
    client = login(es.a.guardian, mfa=False)
    response = client.post(reverse("eservices:transition", args=[case.pk]), {"step-to": "accepted"})
    assert response.status_code == 404
    assert (
        client.post(reverse("eservices:message", args=[case.pk]), {"msg-text": "x"}).status_code
        == 404
    )


def test_the_secretariat_handles_its_schools_secretariat_cases_only(es, login):
    certificate = file_certificate(es.a)
    notice = _advance_notice(es.a)  # the homeroom teacher's
    other_school = file_certificate(es.b)
    assert set(handled_cases(es.a.secretary)) == {certificate}
    client = login(es.a.secretary)
    assert client.get(reverse("eservices:case", args=[certificate.pk])).status_code == 200
    assert client.get(reverse("eservices:case", args=[notice.pk])).status_code == 404
    assert client.get(reverse("eservices:case", args=[other_school.pk])).status_code == 404
    assert (
        client.post(
            reverse("eservices:transition", args=[other_school.pk]), {"step-to": "accepted"}
        ).status_code
        == 404
    )


def test_the_homeroom_teacher_handles_notices_of_their_class_only(es):
    notice = _advance_notice(es.a)
    assert can_handle_case(es.a.homeroom, notice)
    assert not can_handle_case(es.a.teacher, notice)
    assert not can_handle_case(es.b.homeroom, notice)
    assert not can_handle_case(es.a.homeroom, file_certificate(es.a))


def test_the_librarian_sees_no_secretariat_case(es):
    assert not can_handle_case(es.a.librarian, file_certificate(es.a))


def test_the_school_admin_and_headteacher_see_all_their_schools_cases(es, login):
    certificate, notice = file_certificate(es.a), _advance_notice(es.a)
    head = RoleFactory(
        school=es.a.school, role=Role.HEADTEACHER, user=UserFactory(username="a-head")
    ).user
    for user in (es.a.admin, head):
        assert set(handled_cases(user)) == {certificate, notice}
    assert (
        login(es.b.admin).get(reverse("eservices:case", args=[certificate.pk])).status_code == 404
    )


def test_a_case_handed_over_is_visible_to_its_new_handler(es):
    from eservices import services

    case = file_certificate(es.a)
    assert not can_handle_case(es.a.librarian, case)
    services.case_reassign(case=case, user=es.a.admin, handler=es.a.librarian)
    assert can_handle_case(es.a.librarian, case)


@pytest.mark.parametrize("who", ["guardian", "secretary"])
def test_attachments_follow_the_case(es, login, who, disk):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from eservices import services
    from eservices.models import CaseAttachment

    case = file_certificate(es.a)
    services.case_family_reply(
        case=case,
        user=es.a.guardian,
        text="skan",
        files=[SimpleUploadedFile("skan.pdf", b"%PDF-1.4 x")],
    )
    attachment = CaseAttachment.objects.get()
    url = reverse("eservices:attachment", args=[attachment.pk])
    assert login(getattr(es.a, who), mfa=(who != "guardian")).get(url).status_code == 200
    assert login(es.b.guardian, mfa=False).get(url).status_code == 404


def test_only_the_schools_admin_manages_its_catalogue(es, login):
    url = reverse("eservices:catalogue", args=[es.a.school.pk])
    assert login(es.a.admin).get(url).status_code == 200
    assert login(es.b.admin).get(url).status_code == 404
    assert login(es.a.secretary).get(url).status_code == 404
