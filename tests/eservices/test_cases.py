"""Filing a case, its number, deadline, status steps, their notifications and
audit, the family's answer to a request for completion, internal notes."""

import datetime
import threading

import pytest

from django.db import connection
from django.urls import reverse

from eservices import services
from eservices.models import Case, CaseEvent, ServiceKind, Status
from eservices.workdays import add_working_days
from notifications.models import Notification
from portal.models import AuditEvent

from .conftest import file_certificate, service_of


def test_cases_are_numbered_per_school_and_year_and_due_in_working_days(es):
    first = file_certificate(es.a)
    second = file_certificate(es.a)
    other = file_certificate(es.b)
    year = first.submitted_at.year
    prefix = es.a.school.short_name.replace(" ", "")
    assert first.number == f"{prefix}/{year}/0001"
    assert second.number == f"{prefix}/{year}/0002"
    assert other.number.endswith(f"/{year}/0001")
    service = first.service
    assert first.due_date == add_working_days(first.submitted_at.date(), service.deadline_days)
    assert first.status == Status.SUBMITTED
    assert first.pupil_class == es.a.class_a


def test_a_new_year_starts_from_one(es, time_machine):
    file_certificate(es.a)
    time_machine.move_to(datetime.datetime(datetime.date.today().year + 1, 1, 12, 10, 0))
    case = file_certificate(es.a)
    assert case.number.endswith("/0001")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_filings_get_distinct_consecutive_numbers(world):
    from eservices.builtins import builtins_ensure
    from eservices.models import Service

    builtins_ensure(world.a.school)
    Service.objects.filter(school=world.a.school).update(enabled=True)
    errors, barrier = [], threading.Barrier(6)

    def file():
        try:
            barrier.wait()
            file_certificate(world.a)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=file) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    sequences = sorted(Case.objects.values_list("sequence", flat=True))
    assert sequences == [1, 2, 3, 4, 5, 6]


def test_filing_refuses_another_familys_child_and_a_disabled_service(es):
    service = service_of(es.a, ServiceKind.ATTENDANCE_CERTIFICATE)
    with pytest.raises(services.EservicesError) as exc:
        services.case_submit(applicant=es.b.guardian, service=service, pupil=es.a.pupil, answers={})
    assert exc.value.code == "not_guardian"
    service.enabled = False
    service.save()
    with pytest.raises(services.EservicesError):
        file_certificate(es.a)


def _family_items(side):
    return Notification.objects.filter(recipient=side.guardian, kind="eservice")


@pytest.mark.parametrize(
    "path",
    [
        [
            Status.ACCEPTED,
            Status.IN_PROGRESS,
            Status.COMPLETION,
            Status.IN_PROGRESS,
            Status.REFUSED,
        ],
        [Status.ACCEPTED, Status.IN_PROGRESS, Status.GRANTED, Status.ISSUED],
        [Status.COMPLETION, Status.REFUSED],
        [Status.ACCEPTED, Status.GRANTED],
    ],
)
def test_every_step_is_in_the_timeline_the_audit_and_the_familys_notifications(es, path):
    service = service_of(es.a, ServiceKind.ID_DUPLICATE)
    case = Case.objects.get(pk=_file_duplicate(es.a, service).pk)
    told = _family_items(es.a).count()
    for to in path:
        services.case_transition(case=case, user=es.a.secretary, to=to, text="Powód")
        case.refresh_from_db()
        assert case.status == to
        told += 1
        assert _family_items(es.a).count() == told
        assert AuditEvent.objects.filter(
            action="case.status", target_id=case.pk, after__status=to
        ).exists()
    steps = list(case.events.filter(kind=CaseEvent.Kind.STATUS).values_list("status_to", flat=True))
    assert steps == path
    assert case.handler == es.a.secretary


def _file_duplicate(side, service):
    from django.core.files.uploadedfile import SimpleUploadedFile

    reason = service.fields.get(key="reason")
    photo = service.fields.get(key="photo")
    return services.case_submit(
        applicant=side.guardian,
        service=service,
        pupil=side.pupil,
        answers={reason.pk: "zgubiona"},
        files={photo.pk: SimpleUploadedFile("zdjecie.jpg", b"\xff\xd8jpeg", "image/jpeg")},
        consent=True,
    )


@pytest.mark.parametrize(
    "start, to",
    [
        (Status.SUBMITTED, Status.GRANTED),
        (Status.SUBMITTED, Status.ISSUED),
        (Status.REFUSED, Status.IN_PROGRESS),
        (Status.COMPLETION, Status.GRANTED),
    ],
)
def test_a_step_out_of_order_is_refused(es, start, to):
    case = file_certificate(es.a)
    Case.objects.filter(pk=case.pk).update(status=start)
    with pytest.raises(services.EservicesError) as exc:
        services.case_transition(case=case, user=es.a.secretary, to=to, text="x")
    assert exc.value.code == "bad_transition"
    case.refresh_from_db()
    assert case.status == start


def test_refusal_and_completion_need_a_reason(es):
    case = file_certificate(es.a)
    for to in (Status.REFUSED, Status.COMPLETION):
        with pytest.raises(services.EservicesError) as exc:
            services.case_transition(case=case, user=es.a.secretary, to=to, text="  ")
        assert exc.value.code == "reason_required"


def test_the_family_completes_the_application_in_the_same_case(es, login):
    case = file_certificate(es.a)
    services.case_transition(
        case=case,
        user=es.a.secretary,
        to=Status.COMPLETION,
        text="Proszę podać cel zaświadczenia dokładniej.",
    )
    client = login(es.a.guardian, mfa=False)
    page = client.get(reverse("eservices:case", args=[case.pk]))
    assert "Proszę podać cel" in page.text
    response = client.post(
        reverse("eservices:reply", args=[case.pk]), {"reply-text": "Dla MOPS w Zielonej Dolinie."}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    assert case.events.filter(kind=CaseEvent.Kind.FAMILY, text__startswith="Dla MOPS").exists()
    # the secretariat was told of the new case, then of the answer
    assert Notification.objects.filter(recipient=es.a.secretary, kind="eservice").count() == 2


def test_internal_notes_are_not_shown_to_the_family(es, login):
    case = file_certificate(es.a)
    services.case_message(case=case, user=es.a.secretary, text="Tajna notatka", internal=True)
    services.case_message(case=case, user=es.a.secretary, text="Widoczna odpowiedź", internal=False)
    family = login(es.a.guardian, mfa=False).get(reverse("eservices:case", args=[case.pk])).text
    assert "Widoczna odpowiedź" in family and "Tajna notatka" not in family
    staff = login(es.a.secretary).get(reverse("eservices:case", args=[case.pk])).text
    assert "Tajna notatka" in staff
    assert _family_items(es.a).count() == 2  # filed, the answer; never the note


def test_reassignment_hands_the_case_over_and_is_audited(es):
    case = file_certificate(es.a)
    services.case_reassign(case=case, user=es.a.secretary, handler=es.a.admin, reason="urlop")
    case.refresh_from_db()
    assert case.handler == es.a.admin
    assert AuditEvent.objects.filter(action="case.reassign", target_id=case.pk).exists()
    with pytest.raises(services.EservicesError):
        services.case_reassign(case=case, user=es.a.secretary, handler=es.b.admin)


def test_the_queue_puts_overdue_cases_first(es, on_a_school_day):
    from eservices.selectors import queue

    old = file_certificate(es.a)
    on_a_school_day.shift(datetime.timedelta(days=20))
    fresh = file_certificate(es.a)
    done = file_certificate(es.a)
    services.case_transition(case=done, user=es.a.secretary, to=Status.REFUSED, text="x")
    assert list(queue(es.a.secretary)) == [old, fresh]
    assert list(queue(es.a.secretary, status="all")) == [old, fresh, done]
    assert list(queue(es.a.secretary, status=Status.REFUSED)) == [done]
