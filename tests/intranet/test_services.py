"""The intranet's rules: who sends, who receives, who answers, late answers."""

import datetime

import pytest

from django.core.files.base import ContentFile

from intranet import services
from intranet.models import CircularRecipient, RequestAnswer
from intranet.permissions import can_send
from notifications.models import Notification
from portal.models import AuditEvent, Role
from tests.factories import RoleFactory, SchoolFactory, UserFactory
from tests.factories.intranet import (
    circular_create,
    document_request_create,
    form_request_create,
    form_values,
    pdf,
    post_create,
)


def test_only_officers_may_send(iw):
    assert can_send(iw.officer)
    assert can_send(iw.superuser)
    for user in (iw.a.head, iw.a.admin, iw.a.teacher, iw.a.guardian, iw.a.pupil):
        assert not can_send(user)
        with pytest.raises(services.IntranetError) as exc:
            circular_create(user)
        assert exc.value.code == "forbidden"
        with pytest.raises(services.IntranetError):
            form_request_create(user)
        with pytest.raises(services.IntranetError):
            post_create(user)


def test_recipients_are_the_heads_of_the_chosen_schools(iw):
    secretary = RoleFactory(role=Role.SECRETARY, school=iw.a.school).user
    gone = RoleFactory(
        role=Role.HEADTEACHER, school=iw.a.school, user=UserFactory(is_active=False)
    ).user
    circular = circular_create(iw.officer, [iw.a.school])
    people = set(circular.recipients.values_list("person_id", flat=True))
    assert people == {iw.a.head.pk, iw.a.admin.pk}
    assert secretary.pk not in people and gone.pk not in people
    assert iw.b.head.pk not in people


def test_no_schools_chosen_means_every_school_and_recipients_are_kept(iw):
    circular = circular_create(iw.officer)
    assert set(circular.recipients.values_list("person_id", flat=True)) == {
        iw.a.head.pk,
        iw.a.admin.pk,
        iw.b.head.pk,
        iw.b.admin.pk,
    }
    # a headteacher appointed later is not a recipient of the circular sent before
    later = RoleFactory(role=Role.HEADTEACHER, school=iw.a.school).user
    assert not circular.recipients.filter(person=later).exists()


def test_a_head_of_two_schools_gets_one_row(iw):
    RoleFactory(role=Role.SCHOOL_ADMIN, school=iw.b.school, user=iw.a.head)
    circular = circular_create(iw.officer)
    assert circular.recipients.filter(person=iw.a.head).count() == 1


def test_sending_is_audited_and_notifies_after_commit(iw, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        circular = circular_create(iw.officer, [iw.a.school], subject="Rekrutacja")
    event = AuditEvent.objects.get(action="circular.send")
    assert event.actor == iw.officer and event.target_id == circular.pk
    told = Notification.objects.filter(kind="intranet", key=f"intranet:circular:{circular.pk}")
    assert set(told.values_list("recipient_id", flat=True)) == {iw.a.head.pk, iw.a.admin.pk}
    assert told.first().url == f"/intranet/okolniki/{circular.pk}/"
    # idempotent: running the task again tells nobody twice
    from intranet.tasks import notify_circular

    notify_circular.call(circular.pk)
    assert told.count() == 2


def test_read_receipt(iw):
    circular = circular_create(iw.officer, [iw.a.school])
    assert services.circular_mark_read(circular=circular, user=iw.a.head)
    assert not services.circular_mark_read(circular=circular, user=iw.a.head)
    row = CircularRecipient.objects.get(circular=circular, person=iw.a.head)
    assert row.read_at is not None
    assert CircularRecipient.objects.get(circular=circular, person=iw.a.admin).read_at is None


def test_bad_attachment_refused_and_nothing_sent(iw):
    with pytest.raises(services.IntranetError) as exc:
        circular_create(iw.officer, files=[ContentFile(b"MZ", name="wirus.exe")])
    assert exc.value.code == "bad_type"
    with pytest.raises(services.IntranetError) as exc:
        circular_create(iw.officer, files=[ContentFile(b"not a pdf", name="x.pdf")])
    assert exc.value.code == "bad_type"
    assert not CircularRecipient.objects.exists()


def test_form_request_needs_questions_and_a_future_deadline(iw):
    with pytest.raises(services.IntranetError) as exc:
        services.request_create(
            author=iw.officer,
            title="X",
            description="",
            kind="form",
            deadline=datetime.date(2026, 3, 25),
        )
    assert exc.value.code == "no_fields"
    with pytest.raises(services.IntranetError) as exc:
        services.request_create(
            author=iw.officer,
            title="X",
            description="",
            kind="document",
            deadline=datetime.date(2026, 3, 17),
        )
    assert exc.value.code == "past_deadline"


def test_heads_answer_only_for_their_own_school(iw):
    req = form_request_create(iw.officer, [iw.a.school, iw.b.school])
    answer = services.answer_save(
        data_request=req, school_id=iw.a.school.pk, user=iw.a.head, values=form_values(req)
    )
    assert answer.values[str(req.fields.first().pk)] == "8" and not answer.late
    for user in (iw.b.head, iw.b.admin, iw.a.teacher, iw.a.librarian, iw.officer):
        with pytest.raises(services.IntranetError) as exc:
            services.answer_save(
                data_request=req, school_id=iw.a.school.pk, user=user, values=form_values(req)
            )
        assert exc.value.code == "forbidden"


def test_a_school_not_chosen_cannot_answer(iw):
    req = form_request_create(iw.officer, [iw.a.school])
    with pytest.raises(services.IntranetError) as exc:
        services.answer_save(
            data_request=req, school_id=iw.b.school.pk, user=iw.b.head, values=form_values(req)
        )
    assert exc.value.code == "forbidden"


def test_required_questions_and_numbers(iw):
    req = form_request_create(iw.officer, [iw.a.school])
    with pytest.raises(services.IntranetError) as exc:
        services.answer_save(
            data_request=req, school_id=iw.a.school.pk, user=iw.a.head, values=form_values(req, "")
        )
    assert exc.value.code == "missing"
    with pytest.raises(services.IntranetError) as exc:
        services.answer_save(
            data_request=req,
            school_id=iw.a.school.pk,
            user=iw.a.head,
            values=form_values(req, "dużo"),
        )
    assert exc.value.code == "not_a_number"
    assert not RequestAnswer.objects.exists()


def test_answer_editable_until_the_deadline_then_late_answers_marked(iw, clock):
    req = form_request_create(iw.officer, [iw.a.school, iw.b.school], days=2)
    services.answer_save(
        data_request=req, school_id=iw.a.school.pk, user=iw.a.head, values=form_values(req)
    )
    services.answer_save(
        data_request=req, school_id=iw.a.school.pk, user=iw.a.admin, values=form_values(req, "9")
    )
    answer = RequestAnswer.objects.get(request=req, school=iw.a.school)
    assert answer.answered_by == iw.a.admin and answer.values[str(req.fields.first().pk)] == "9"
    assert AuditEvent.objects.filter(action="answer.update", school=iw.a.school).exists()
    # on the deadline day the answer may still change
    clock.move_to("2026-03-20 23:00:00+01:00")
    services.answer_save(
        data_request=req, school_id=iw.a.school.pk, user=iw.a.head, values=form_values(req, "10")
    )
    # the day after: no more changes, and a first answer is late
    clock.move_to("2026-03-21 08:00:00+01:00")
    with pytest.raises(services.IntranetError) as exc:
        services.answer_save(
            data_request=req, school_id=iw.a.school.pk, user=iw.a.head, values=form_values(req)
        )
    assert exc.value.code == "deadline"
    late = services.answer_save(
        data_request=req, school_id=iw.b.school.pk, user=iw.b.head, values=form_values(req)
    )
    assert late.late
    assert not RequestAnswer.objects.get(school=iw.a.school).late


def test_closed_request_takes_no_answers(iw):
    req = document_request_create(iw.officer, [iw.a.school])
    with pytest.raises(services.IntranetError):
        services.request_close(data_request=req, user=iw.a.head)
    services.request_close(data_request=req, user=iw.officer)
    assert AuditEvent.objects.filter(action="request.close", target_id=req.pk).exists()
    with pytest.raises(services.IntranetError) as exc:
        services.answer_save(data_request=req, school_id=iw.a.school.pk, user=iw.a.head, file=pdf())
    assert exc.value.code == "closed"


def test_document_answer_needs_a_file_and_replaces_it(iw):
    req = document_request_create(iw.officer, [iw.a.school])
    with pytest.raises(services.IntranetError) as exc:
        services.answer_save(data_request=req, school_id=iw.a.school.pk, user=iw.a.head)
    assert exc.value.code == "no_file"
    first = services.answer_save(
        data_request=req, school_id=iw.a.school.pk, user=iw.a.head, file=pdf("a.pdf")
    )
    # a second save without a file keeps the first file
    kept = services.answer_save(
        data_request=req, school_id=iw.a.school.pk, user=iw.a.head, note="Poprawione"
    )
    assert kept.file.name == first.file.name and kept.file_name == "a.pdf"


def test_request_and_post_notify(iw, django_capture_on_commit_callbacks):
    extra = SchoolFactory()
    with django_capture_on_commit_callbacks(execute=True):
        req = form_request_create(iw.officer, [iw.a.school, extra])
        post = post_create(iw.officer)
    told = set(
        Notification.objects.filter(key=f"intranet:request:{req.pk}").values_list(
            "recipient_id", flat=True
        )
    )
    assert told == {iw.a.head.pk, iw.a.admin.pk}
    staff = set(
        Notification.objects.filter(key=f"intranet:post:{post.pk}").values_list(
            "recipient_id", flat=True
        )
    )
    assert {iw.a.teacher.pk, iw.b.librarian.pk, iw.a.head.pk} <= staff
    assert iw.a.guardian.pk not in staff and iw.a.pupil.pk not in staff
