"""Remarks, homework, announcements and the week view, as families and teachers see them."""

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gradebook.register import services
from gradebook.register.models import AnnouncementRead, Homework, Remark
from tests.factories.register import (
    AnnouncementFactory,
    HomeworkFactory,
    LessonFactory,
    PlannedTestFactory,
    RemarkFactory,
    TimetableEntryFactory,
)


def test_teacher_writes_remark_guardian_acknowledges(world, login):
    a = world.a
    client = login(a.teacher)
    response = client.post(
        reverse("register:remark_new") + f"?class={a.class_a.pk}",
        {"pupil": a.pupil.pk, "kind": "positive", "text": "Pomoc koledze"},
    )
    assert response.status_code == 302
    remark = Remark.objects.get()
    assert remark.school_class == a.class_a and remark.author == a.teacher
    assert "Pomoc koledze" in login(a.homeroom).get(reverse("register:remarks")).text

    parent = login(a.guardian, mfa=False)
    assert "Pomoc koledze" in parent.get(reverse("register:remarks")).text
    parent.post(reverse("register:remark_ack", args=[remark.pk]))
    remark.refresh_from_db()
    assert remark.acknowledged_by == a.guardian and remark.acknowledged_at


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example", "javascript:alert(1)", "/\\evil.example"],
)
def test_acknowledging_never_redirects_off_the_site(world, login, next_url):
    remark = RemarkFactory(
        pupil=world.a.pupil, school_class=world.a.class_a, author=world.a.teacher
    )
    parent = login(world.a.guardian, mfa=False)
    response = parent.post(reverse("register:remark_ack", args=[remark.pk]), {"next": next_url})
    assert response.status_code == 302
    assert response["Location"] == reverse("register:remarks")
    remark.refresh_from_db()
    assert remark.acknowledged_by == world.a.guardian


def test_acknowledging_returns_to_the_page_it_was_sent_from(world, login):
    remark = RemarkFactory(
        pupil=world.a.pupil, school_class=world.a.class_a, author=world.a.teacher
    )
    week = f"{reverse('register:week')}?pupil={world.a.pupil.pk}"
    parent = login(world.a.guardian, mfa=False)
    response = parent.post(reverse("register:remark_ack", args=[remark.pk]), {"next": week})
    assert response["Location"] == week


def test_remark_for_pupil_of_other_school_is_refused(world, login):
    client = login(world.a.teacher)
    client.post(
        reverse("register:remark_new") + f"?class={world.a.class_a.pk}",
        {"pupil": world.b.pupil.pk, "kind": "negative", "text": "x"},
    )
    assert not Remark.objects.exists()


def test_other_guardian_cannot_see_or_acknowledge(world, login):
    remark = RemarkFactory(
        pupil=world.a.pupil, school_class=world.a.class_a, author=world.a.teacher
    )
    client = login(world.b.guardian, mfa=False)
    assert remark.text not in client.get(reverse("register:remarks")).text
    assert client.post(reverse("register:remark_ack", args=[remark.pk])).status_code == 404


def test_homework_attachment_is_checked_and_renamed(world, login):
    a = world.a
    client = login(a.teacher)
    due = (timezone.localdate() + timezone.timedelta(days=3)).isoformat()
    bad = SimpleUploadedFile("virus.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = client.post(
        reverse("register:homework"),
        {"assignment": a.assignment.pk, "due_date": due, "description": "x", "attachment": bad},
    )
    assert response.status_code == 200 and not Homework.objects.exists()
    fake = SimpleUploadedFile("zadanie.pdf", b"not a pdf", content_type="application/pdf")
    client.post(
        reverse("register:homework"),
        {"assignment": a.assignment.pk, "due_date": due, "description": "x", "attachment": fake},
    )
    assert not Homework.objects.exists()
    good = SimpleUploadedFile("../../Zadanie 1.pdf", b"%PDF-1.4 ok", content_type="application/pdf")
    response = client.post(
        reverse("register:homework"),
        {"assignment": a.assignment.pk, "due_date": due, "description": "x", "attachment": good},
    )
    assert response.status_code == 302
    homework = Homework.objects.get()
    assert homework.attachment.name.startswith("register/homework/")
    assert "Zadanie" not in homework.attachment.name and homework.attachment.name.endswith(".pdf")
    parent = login(a.guardian, mfa=False)
    download = parent.get(reverse("register:homework_file", args=[homework.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 ok"
    other = login(world.b.guardian, mfa=False)
    assert other.get(reverse("register:homework_file", args=[homework.pk])).status_code == 404
    homework.attachment.delete()


def test_too_large_attachment(world, settings):
    settings.REGISTER_ATTACHMENT_MAX_BYTES = 10
    upload = SimpleUploadedFile("a.pdf", b"%PDF" + b"x" * 20)
    try:
        services.homework_create(
            assignment=world.a.assignment,
            due_date=timezone.localdate(),
            description="x",
            user=world.a.teacher,
            attachment=upload,
        )
    except services.RegisterError as exc:
        assert exc.code == "too_large"
    else:
        raise AssertionError("accepted a too large file")


def test_announcements_reach_their_audience_with_read_receipts(world, login):
    a = world.a
    to_guardians = AnnouncementFactory(
        school=a.school, author=a.admin, audience="guardians", title="Zebranie"
    )
    to_staff = AnnouncementFactory(school=a.school, author=a.admin, audience="staff", title="Rada")
    to_class = services.announcement_create(
        author=a.homeroom,
        school_id=a.school.pk,
        audience="classes",
        title="Wycieczka",
        body="x",
        classes=[a.class_a],
    )
    parent = login(a.guardian, mfa=False)
    text = parent.get(reverse("register:announcements")).text
    assert "Zebranie" in text and "Wycieczka" in text and "Rada" not in text
    assert parent.get(reverse("register:announcement", args=[to_staff.pk])).status_code == 404
    assert parent.get(reverse("register:announcement", args=[to_guardians.pk])).status_code == 200
    assert AnnouncementRead.objects.filter(user=a.guardian).count() == 1
    pupil_b = login(a.other_pupil, mfa=False)
    assert "Wycieczka" not in pupil_b.get(reverse("register:announcements")).text
    assert "Rada" in login(a.teacher).get(reverse("register:announcements")).text
    assert "Rada" not in login(world.b.teacher).get(reverse("register:announcements")).text
    login(a.guardian, mfa=False).get(reverse("register:announcement", args=[to_class.pk]))
    author = login(a.homeroom)
    receipts = author.get(reverse("register:announcement", args=[to_class.pk]))
    assert str(a.guardian) in receipts.text
    assert not AnnouncementRead.objects.filter(user=a.homeroom).exists()


def test_week_view_shows_lessons_homework_tests_remarks(world, login, day):
    a = world.a
    TimetableEntryFactory(assignment=a.assignment, weekday=day.weekday(), number=2)
    LessonFactory(assignment=a.assignment, date=day, number=2, topic="Ułamki zwykłe")
    HomeworkFactory(assignment=a.assignment, due_date=day, description="Zadania 1-5")
    PlannedTestFactory(assignment=a.assignment, date=day, scope="Dział 2")
    RemarkFactory(pupil=a.pupil, school_class=a.class_a, author=a.teacher, text="Brak stroju")
    for user, mfa in ((a.guardian, False), (a.pupil, False)):
        client = login(user, mfa=mfa)
        page = client.get(reverse("register:week"), {"week": day.isoformat()})
        assert page.status_code == 200
        for text in ("Ułamki zwykłe", "Zadania 1-5", "Dział 2", "Brak stroju"):
            assert text in page.text
    parent = login(a.guardian, mfa=False)
    foreign = parent.get(reverse("register:week"), {"pupil": world.b.pupil.pk})
    assert foreign.status_code == 404
    assert login(a.teacher).get(reverse("register:week")).status_code == 404


def test_school_admin_sees_every_announcement_of_the_school(world, login):
    note = services.announcement_create(
        author=world.a.homeroom,
        school_id=world.a.school.pk,
        audience="classes",
        title="Klasowe",
        body="x",
        classes=[world.a.class_a],
    )
    url = reverse("register:announcement", args=[note.pk])
    assert login(world.a.admin).get(url).status_code == 200
    assert login(world.b.admin).get(url).status_code == 404


def test_author_edits_remark_with_history(world, login):
    from gradebook.register.models import RegisterChange

    remark = services.remark_create(
        author=world.a.teacher,
        pupil=world.a.pupil,
        school_class=world.a.class_a,
        kind="negative",
        text="Rozmowy",
    )
    url = reverse("register:remark_edit", args=[remark.pk])
    assert login(world.a.homeroom).get(url).status_code == 404
    client = login(world.a.teacher)
    assert client.post(url, {"kind": "neutral", "text": "Rozmowy (wyjaśnione)"}).status_code == 302
    change = RegisterChange.objects.get(action="update")
    assert change.before == {"kind": "negative", "text": "Rozmowy"}
    assert change.after["kind"] == "neutral" and change.actor == world.a.teacher


def test_week_shows_only_the_pupils_own_groups(world, login, day):
    from tests.factories import SubjectFactory, TeachingAssignmentFactory, TeachingGroupFactory

    a = world.a
    mine = TeachingGroupFactory(school_class=a.class_a, name="gr. 1")
    mine.pupils.add(a.pupil)
    other = TeachingGroupFactory(school_class=a.class_a, name="gr. 2")
    english = SubjectFactory(school=a.school, name="Język angielski")
    german = SubjectFactory(school=a.school, name="Język niemiecki")
    for group, subject, number in ((mine, english, 3), (other, german, 4)):
        assignment = TeachingAssignmentFactory(
            school_class=a.class_a, group=group, subject=subject, teacher=a.teacher
        )
        TimetableEntryFactory(assignment=assignment, weekday=day.weekday(), number=number)
    page = login(a.pupil, mfa=False).get(reverse("register:week"), {"week": day.isoformat()})
    assert "Język angielski" in page.text and "Język niemiecki" not in page.text
