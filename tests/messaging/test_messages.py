"""Sending, reading, read receipts, both guardians, retraction, archive, search,
reports, rate limit, attachments, plain text, notifications and retention."""

import datetime
import io

import pytest
import time_machine

from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db.models import OuterRef
from django.urls import reverse
from django.utils import timezone

from messaging import services
from messaging.models import Attachment, Delivery, Message, MessagingSettings, Report, Thread
from messaging.permissions import Group, Target
from messaging.selectors import (
    inbox,
    search,
    thread_messages,
    unread_thread_count,
    unread_threads_subquery,
)
from notifications.models import Notification
from portal.models import AuditEvent, GuardianLink, User
from portal.permissions import forget_roles
from tests.factories import GuardianLinkFactory, UserFactory, make_pupil
from tests.factories.messaging import conversation, reply, send, text_file


def test_send_reply_and_read_receipts(world, login):
    a = world.a
    thread = send(a.teacher, a.guardian, school=a.school, subject="Zebranie")
    assert unread_thread_count(a.guardian) == 1
    assert list(inbox(a.guardian)) == [thread]
    client = login(a.guardian)
    response = client.get(reverse("messaging:thread", args=[thread.pk]))
    assert response.status_code == 200
    assert unread_thread_count(a.guardian) == 0
    delivery = Delivery.objects.get(recipient=a.guardian)
    assert delivery.read_at is not None
    # the sender sees who read it
    client = login(a.teacher)
    page = client.get(reverse("messaging:thread", args=[thread.pk])).content.decode()
    assert "Przeczytane przez 1 z 1" in page
    assert str(a.guardian) in page
    # the guardian's reply goes to the teacher only
    answer = reply(thread, a.guardian, "Będę.")
    assert answer.recipient_ids == [a.teacher.pk]
    assert unread_thread_count(a.teacher) == 1


def test_group_send_reaches_every_guardian_and_replies_go_to_the_sender_only(world):
    a = world.a
    second = UserFactory()
    GuardianLinkFactory(guardian=second, pupil=a.pupil)
    other_pupil = make_pupil(a.class_a)
    third = UserFactory()
    GuardianLinkFactory(guardian=third, pupil=other_pupil)
    thread = send(a.homeroom, Group("class_guardians", a.class_a.pk), subject="Wycieczka")
    message = thread.messages.get()
    assert sorted(message.recipient_ids) == sorted([a.guardian.pk, second.pk, third.pk])
    assert Delivery.objects.filter(message=message).count() == 3
    answer = reply(thread, second, "Zgoda.")
    assert answer.recipient_ids == [a.homeroom.pk]
    # the other guardians do not see one family's reply
    assert Delivery.objects.filter(message=answer).count() == 1
    assert [m.pk for m in thread_messages(thread, third)] == [message.pk]


def test_a_message_to_the_guardians_of_a_child_is_one_thread_both_see(world, login):
    a = world.a
    second = UserFactory()
    GuardianLinkFactory(guardian=second, pupil=a.pupil)
    thread = send(a.teacher, Group("guardians_of", a.pupil.pk), subject="O Zosi", reply_all=True)
    assert thread.about_pupil_id == a.pupil.pk
    assert Thread.objects.count() == 1
    assert list(inbox(a.guardian)) == [thread]
    assert list(inbox(second)) == [thread]
    # with reply-all, one guardian's answer reaches the teacher and the other guardian
    answer = reply(thread, a.guardian, "Dziękujemy.")
    assert sorted(answer.recipient_ids) == sorted([a.teacher.pk, second.pk])
    page = login(second).get(reverse("messaging:thread", args=[thread.pk])).content.decode()
    assert "Dziękujemy." in page


def test_retract_before_read_and_never_after(world, login):
    a = world.a
    thread = send(a.guardian, a.teacher, school=a.school, attachment=text_file())
    message = thread.messages.get()
    client = login(a.guardian)
    client.post(reverse("messaging:retract", args=[message.pk]))
    message.refresh_from_db()
    assert message.retracted_at is not None and message.body == ""
    assert not Attachment.objects.exists()
    assert unread_thread_count(a.teacher) == 0
    assert AuditEvent.objects.filter(action="message.retract").count() == 1
    # a second message, read by the teacher, can no longer be retracted
    second = reply(thread, a.guardian, "Jeszcze jedno.")
    services.thread_mark_read(thread=thread, user=a.teacher)
    response = client.post(reverse("messaging:retract", args=[second.pk]), follow=True)
    assert "nie można jej wycofać" in response.content.decode()
    second.refresh_from_db()
    assert second.retracted_at is None and second.body == "Jeszcze jedno."
    with pytest.raises(services.MessagingError) as refused:
        services.message_retract(message=second, user=a.guardian)
    assert refused.value.code == "already_read"


def test_only_the_sender_may_retract(world, login):
    a = world.a
    thread = send(a.guardian, a.teacher, school=a.school)
    message = thread.messages.get()
    response = login(a.teacher).post(reverse("messaging:retract", args=[message.pk]))
    assert response.status_code == 404
    response = login(world.b.guardian).post(reverse("messaging:retract", args=[message.pk]))
    assert response.status_code == 404
    message.refresh_from_db()
    assert message.retracted_at is None


def test_archive_and_a_new_message_brings_the_thread_back(world, login):
    a = world.a
    thread = send(a.teacher, a.guardian, school=a.school)
    client = login(a.guardian)
    client.post(reverse("messaging:thread_archive", args=[thread.pk]), {"archived": "1"})
    assert list(inbox(a.guardian)) == []
    assert list(inbox(a.guardian, archived=True)) == [thread]
    assert thread.subject in client.get(reverse("messaging:archive")).content.decode()
    reply(thread, a.teacher, "Przypominam.")
    assert list(inbox(a.guardian)) == [thread]


def test_search_is_case_and_diacritic_insensitive_and_only_in_ones_own(world, login):
    a = world.a
    found = send(a.teacher, a.guardian, school=a.school, subject="Żółw w klasie")
    send(a.teacher, a.other_pupil, school=a.school, subject="Żółw zaginął")
    body = send(a.teacher, a.guardian, school=a.school, subject="Inne", body="Kraków, ŁÓDŹ")
    assert list(search(a.guardian, "zolw")) == [found]
    assert list(search(a.guardian, "lodz")) == [body]
    assert list(search(world.b.guardian, "zolw")) == []
    page = login(a.guardian).get(reverse("messaging:inbox") + "?q=ZÓŁW").content.decode()
    assert "Żółw w klasie" in page and "zaginął" not in page


def test_report_flow_and_the_admins_list(world, login):
    a, b = world.a, world.b
    thread = send(a.guardian, a.teacher, school=a.school, body="Obraźliwa treść")
    message = thread.messages.get()
    other = send(a.guardian, a.homeroom, school=a.school, subject="Niezgłoszony")
    client = login(a.teacher)
    client.post(reverse("messaging:report", args=[message.pk]), {"reason": "Obraża mnie"})
    report = Report.objects.get()
    assert report.school_id == a.school.pk and report.reporter == a.teacher
    assert AuditEvent.objects.filter(action="report.create").exists()
    # the sender cannot report their own message; someone else cannot at all
    assert login(a.guardian).get(reverse("messaging:report", args=[message.pk])).status_code == 404
    assert login(a.homeroom).get(reverse("messaging:report", args=[message.pk])).status_code == 404
    admin = login(a.admin)
    page = admin.get(reverse("messaging:reports")).content.decode()
    assert thread.subject in page and other.subject not in page
    detail = admin.get(reverse("messaging:report_detail", args=[report.pk])).content.decode()
    assert "Obraźliwa treść" in detail
    # the school admin reaches no thread, only the report
    assert admin.get(reverse("messaging:thread", args=[thread.pk])).status_code == 404
    assert admin.get(reverse("messaging:thread", args=[other.pk])).status_code == 404
    admin.post(reverse("messaging:report_detail", args=[report.pk]), {"note": "Rozmowa"})
    report.refresh_from_db()
    assert report.handled_at is not None and report.handled_by == a.admin
    assert AuditEvent.objects.filter(action="report.handle").exists()
    # another school's admin sees nothing
    other_admin = login(b.admin)
    assert thread.subject not in other_admin.get(reverse("messaging:reports")).content.decode()
    url = reverse("messaging:report_detail", args=[report.pk])
    assert other_admin.get(url).status_code == 404
    assert login(a.teacher).get(reverse("messaging:reports")).status_code == 404


def test_a_report_notifies_the_admins_of_the_thread_s_school_only(
    world, login, django_capture_on_commit_callbacks
):
    a, b = world.a, world.b
    thread = send(a.guardian, a.teacher, school=a.school, body="Obraźliwa treść")
    message = thread.messages.get()
    with django_capture_on_commit_callbacks(execute=True):
        login(a.teacher).post(
            reverse("messaging:report", args=[message.pk]), {"reason": "Obraża mnie"}
        )
    report = Report.objects.get()
    told = Notification.objects.filter(key=f"message-report:{report.pk}")
    assert [n.recipient for n in told] == [a.admin]
    assert told.get().url == reverse("messaging:report_detail", args=[report.pk])
    assert not Notification.objects.filter(recipient=b.admin).exists()


def test_family_rate_limit_keeps_the_text(world, login):
    a = world.a
    MessagingSettings.objects.create(school=a.school, family_hourly_limit=2)
    client = login(a.guardian)
    token = f"user:{a.school.pk}:{a.teacher.pk}"
    for n in range(2):
        response = client.post(
            reverse("messaging:compose"), {"to": token, "subject": f"S{n}", "body": "Treść"}
        )
        assert response.status_code == 302
    response = client.post(
        reverse("messaging:compose"),
        {"to": token, "subject": "Trzecia", "body": "Mój długi tekst"},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "najwyżej 2 wiadomości na godzinę" in content
    assert "Mój długi tekst" in content and 'value="Trzecia"' in content
    assert Message.objects.count() == 2
    # an hour later it may send again; staff are not limited
    with time_machine.travel(datetime.timedelta(hours=1, minutes=1)):
        services.check_rate(a.guardian, a.school.pk)
    for _n in range(3):
        send(a.teacher, a.guardian, school=a.school)


def test_attachment_checks_and_protected_serving(world, login):
    a = world.a
    with pytest.raises(services.MessagingError) as refused:
        send(a.guardian, a.teacher, school=a.school, attachment=ContentFile(b"MZ", name="x.exe"))
    assert refused.value.code == "bad_type"
    with pytest.raises(services.MessagingError):
        send(a.guardian, a.teacher, school=a.school, attachment=ContentFile(b"no", name="x.pdf"))
    thread = send(a.guardian, a.teacher, school=a.school, attachment=text_file())
    attachment = Attachment.objects.get()
    url = reverse("messaging:attachment", args=[attachment.pk])
    for allowed in (a.guardian, a.teacher):
        response = login(allowed).get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"
    for refused_user in (a.homeroom, a.admin, world.b.teacher, a.other_pupil):
        assert login(refused_user).get(url).status_code == 404
    assert thread.messages.get().attachments.count() == 1


def test_view_refuses_a_bad_attachment_and_keeps_the_text(world, login):
    a = world.a
    client = login(a.guardian)
    response = client.post(
        reverse("messaging:compose"),
        {
            "to": f"user:{a.school.pk}:{a.teacher.pk}",
            "subject": "Plik",
            "body": "Zostaje",
            "attachment": ContentFile(b"MZ", name="wirus.exe"),
        },
    )
    assert response.status_code == 200
    assert "Zostaje" in response.content.decode()
    assert not Thread.objects.exists()


def test_plain_text_is_escaped_and_links_made_safe(world, login):
    a = world.a
    thread = send(
        a.guardian,
        a.teacher,
        school=a.school,
        body='<script>alert(1)</script> <b>x</b> zobacz https://example.org/a?b=1 "q"',
    )
    page = login(a.teacher).get(reverse("messaging:thread", args=[thread.pk])).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert "<b>x</b>" not in page
    assert 'href="https://example.org/a?b=1"' in page
    assert 'rel="nofollow noopener noreferrer"' in page


def test_compose_through_the_view_fans_out_after_commit(
    world, login, django_capture_on_commit_callbacks
):
    a = world.a
    client = login(a.homeroom)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("messaging:compose"),
            {"to": f"class_guardians:{a.class_a.pk}", "subject": "Zebranie", "body": "Zapraszam"},
        )
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.delivered_at is not None
    assert list(Delivery.objects.values_list("recipient_id", flat=True)) == [a.guardian.pk]
    note = Notification.objects.get(recipient=a.guardian)
    assert note.kind == "message" and note.key == f"message:{message.pk}"
    assert note.url == reverse("messaging:thread", args=[message.thread_id]) + f"#m{message.pk}"
    # delivering again makes nothing twice
    services.deliver(message.pk)
    from messaging.tasks import deliver_message

    deliver_message.call(message.pk)
    assert Delivery.objects.count() == 1 and Notification.objects.count() == 1


def test_recipient_picker_offers_only_allowed_people(world, login):
    a, b = world.a, world.b
    client = login(a.guardian)
    name = a.teacher.last_name
    data = client.get(reverse("messaging:recipients") + f"?q={name}").json()["results"]
    tokens = [r["token"] for r in data]
    assert f"user:{a.school.pk}:{a.teacher.pk}" in tokens
    assert all(r["school"] for r in data)
    b_data = client.get(reverse("messaging:recipients") + f"?q={b.teacher.last_name}").json()
    assert f"user:{b.school.pk}:{b.teacher.pk}" not in [r["token"] for r in b_data["results"]]
    # the picker of a teacher shows a pupil's class and a guardian's child
    teacher = login(a.teacher)
    data = teacher.get(reverse("messaging:recipients") + f"?q={a.guardian.last_name}").json()
    entry = next(r for r in data["results"] if r["token"].endswith(f":{a.guardian.pk}"))
    assert "4a" in entry["detail"]
    # without JavaScript: the Find button re-renders the form with matches and the text
    response = teacher.post(
        reverse("messaging:compose"),
        {"q": a.pupil.last_name, "find": "1", "subject": "Temat", "body": "Tekst zostaje"},
    )
    content = response.content.decode()
    assert f'value="user:{a.school.pk}:{a.pupil.pk}"' in content
    assert "Tekst zostaje" in content and not Thread.objects.exists()


def test_unread_subquery_annotates_any_queryset(world):
    a = world.a
    send(a.teacher, a.guardian, school=a.school)
    send(a.homeroom, a.guardian, school=a.school)
    counts = dict(
        User.objects.filter(pk__in=[a.guardian.pk, a.teacher.pk])
        .annotate(unread=unread_threads_subquery(OuterRef("pk")))
        .values_list("pk", "unread")
    )
    assert counts == {a.guardian.pk: 2, a.teacher.pk: 0}
    one = User.objects.filter(pk=a.guardian.pk).values(n=unread_threads_subquery(a.guardian.pk))
    assert one.get()["n"] == 2


def test_settings_only_by_the_schools_admin_and_audited(world, login):
    a, b = world.a, world.b
    url = reverse("messaging:settings", args=[a.school.pk])
    data = {"pupils_may_write": "", "retention_days": "365", "family_hourly_limit": "5"}
    for refused in (b.admin, a.teacher, a.guardian):
        assert login(refused).post(url, data).status_code == 404
    assert not MessagingSettings.objects.exists()
    assert login(a.admin).post(url, data).status_code == 302
    saved = MessagingSettings.objects.get(school=a.school)
    assert saved.retention_days == 365 and not saved.pupils_may_write
    assert AuditEvent.objects.filter(action="settings.create", school=a.school).exists()
    response = login(a.admin).post(url, {**data, "retention_days": "5"})
    assert response.status_code == 200 and "30" in response.content.decode()


def test_retention_deletes_old_threads_but_keeps_reported_ones(world):
    a = world.a
    MessagingSettings.objects.create(school=a.school, retention_days=60)
    old = send(a.teacher, a.guardian, school=a.school, attachment=text_file())
    reported = send(a.guardian, a.teacher, school=a.school, subject="Zgłoszony")
    services.message_report(message=reported.messages.get(), user=a.teacher, reason="Groźby")
    fresh = send(a.teacher, a.guardian, school=a.school, subject="Nowy")
    other_school = send(world.b.teacher, world.b.guardian, school=world.b.school)
    now = timezone.now()
    Thread.objects.filter(pk__in=[old.pk, reported.pk]).update(
        last_message_at=now - datetime.timedelta(days=61)
    )
    # school B keeps the default (two years)
    Thread.objects.filter(pk__in=[fresh.pk, other_school.pk]).update(
        last_message_at=now - datetime.timedelta(days=59)
    )
    Thread.objects.filter(pk=other_school.pk).update(
        last_message_at=now - datetime.timedelta(days=700)
    )
    call_command("purge_messages", stdout=io.StringIO())
    remaining = set(Thread.objects.values_list("pk", flat=True))
    assert remaining == {reported.pk, fresh.pk, other_school.pk}
    assert not Attachment.objects.exists()
    # once the report is handled the thread goes too
    services.report_handle(report=Report.objects.get(), user=a.admin, note="")
    counts = services.purge_expired(now=now + datetime.timedelta(days=31))
    assert counts["threads"] == 3
    assert not Thread.objects.exists()


def test_person_data_export_and_anonymisation(world):
    from messaging.privacy import anonymise_person, export_person

    a = world.a
    send(a.guardian, a.teacher, school=a.school, body="Moje dane")
    tables = export_person(a.guardian)
    assert any("Moje dane" in str(t) for t in tables)
    removed = anonymise_person(a.guardian)
    assert removed["message_texts"] == 1
    assert not Message.objects.filter(body="Moje dane").exists()


def test_walk_objects_factory(world):
    made = conversation(world.a)
    assert made["report"].school_id == world.a.school.pk
    assert Target(world.a.teacher.pk, world.a.school.pk).token.startswith("user:")


def test_a_reported_message_stays_as_evidence_and_a_retracted_one_leaves_the_bell(world):
    a = world.a
    thread = send(a.guardian, a.teacher, school=a.school, body="Obraźliwa treść")
    message = thread.messages.get()
    services.message_report(message=message, user=a.teacher, reason="Obraża mnie")
    with pytest.raises(services.MessagingError) as refused:
        services.message_retract(message=message, user=a.guardian)
    assert refused.value.code == "reported"
    other = reply(thread, a.guardian, "Przepraszam.")
    Notification.objects.create(
        recipient=a.teacher, kind="message", title="Nowa wiadomość", key=f"message:{other.pk}"
    )
    services.message_retract(message=other, user=a.guardian)
    assert not Notification.objects.filter(key=f"message:{other.pk}").exists()


def test_replies_follow_the_rules_as_they_are_now(world):
    a = world.a
    thread = send(a.teacher, a.guardian, school=a.school, subject="Wycieczka")
    reply(thread, a.guardian, "Dziękuję.")
    # the guardian's link to the child ends: the school's thread is no longer theirs
    # to answer (and the teacher's reply no longer reaches them)
    GuardianLink.objects.filter(guardian=a.guardian).delete()
    forget_roles(a.guardian)
    with pytest.raises(services.MessagingError) as refused:
        services.message_reply(thread=thread, sender=a.guardian, body="Jeszcze pytanie.")
    assert refused.value.code == "nobody"


def test_a_pupil_answers_a_teacher_when_pupil_messages_are_off_but_starts_nothing(world):
    a = world.a
    MessagingSettings.objects.create(school=a.school, pupils_may_write=False)
    from_teacher = send(a.teacher, a.pupil, school=a.school, subject="Zadanie")
    reply(from_teacher, a.pupil, "Rozumiem.")
    assert Delivery.objects.filter(recipient=a.teacher).exists()


def test_several_people_chosen_one_by_one_are_a_number_to_each_other(world):
    people = [
        {"token": "user:1:5", "name": "Anna Nowak"},
        {"token": "user:1:6", "name": "Jan Kowalski"},
        {"token": "class_guardians:3", "name": "Rodzice klasy 4a"},
    ]
    assert services.audience_label(people[:1]) == "Anna Nowak"
    assert services.audience_label(people) == "Rodzice klasy 4a, 2 osoby"


def test_the_picker_tells_a_parent_nothing_of_a_teacher_s_own_children(world):
    from messaging.selectors import search_recipients

    a = world.a
    own_child = make_pupil(a.class_a, first_name="Bartłomiej")
    GuardianLinkFactory(guardian=a.teacher, pupil=own_child)
    forget_roles(a.teacher)

    def detail(viewer):
        found = search_recipients(viewer, a.teacher.last_name)
        return next(r["detail"] for r in found if r["name"] == str(a.teacher))

    assert "Bartłomiej" not in detail(a.guardian)
    assert "Bartłomiej" in detail(a.homeroom)
