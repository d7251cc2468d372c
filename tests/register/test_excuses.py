"""Excuses: a guardian excuses their own child's absences; the homeroom teacher decides."""

import pytest

from django.urls import reverse

from gradebook.register import services
from gradebook.register.models import Attendance, Excuse, RegisterChange
from tests.factories.register import LessonFactory


def submit(world, absence, **kwargs):
    args = {
        "guardian": world.a.guardian,
        "pupil": world.a.pupil,
        "attendance_ids": [absence.pk],
        "reason": "Choroba",
    }
    args.update(kwargs)
    return services.excuse_submit(**args)


def test_guardian_submits_and_homeroom_accepts(world, login, absence):
    client = login(world.a.guardian, mfa=False)
    url = reverse("register:excuse_new") + f"?pupil={world.a.pupil.pk}"
    assert client.get(url).status_code == 200
    response = client.post(url, {"attendances": [absence.pk], "reason": "Choroba"})
    assert response.status_code == 302
    excuse = Excuse.objects.get()
    assert excuse.status == Excuse.Status.PENDING and excuse.school_class == world.a.class_a

    homeroom = login(world.a.homeroom)
    page = homeroom.get(reverse("register:excuses"))
    assert "Choroba" in page.text
    homeroom.post(reverse("register:excuse_decide", args=[excuse.pk]), {"accept": "1"})
    excuse.refresh_from_db()
    absence.refresh_from_db()
    assert excuse.status == Excuse.Status.ACCEPTED
    assert absence.status == Attendance.Status.EXCUSED
    change = RegisterChange.objects.get(action="excused")
    assert change.before["status"] == "n" and change.actor == world.a.homeroom

    status_page = login(world.a.guardian, mfa=False).get(reverse("register:excuses"))
    assert str(Excuse.Status.ACCEPTED.label) in status_page.text or "accepted" in status_page.text


def test_reject_needs_a_reason(world, absence):
    excuse = submit(world, absence)
    with pytest.raises(services.RegisterError) as err:
        services.excuse_decide(excuse=excuse, user=world.a.homeroom, accept=False)
    assert err.value.code == "reason_required"
    services.excuse_decide(
        excuse=excuse, user=world.a.homeroom, accept=False, reason="Brak zwolnienia"
    )
    absence.refresh_from_db()
    assert absence.status == Attendance.Status.UNEXCUSED
    with pytest.raises(services.RegisterError) as err:
        services.excuse_decide(excuse=excuse, user=world.a.homeroom, accept=True)
    assert err.value.code == "already_decided"


def test_only_absences_can_be_excused(world, absence):
    absence.status = Attendance.Status.PRESENT
    absence.save()
    with pytest.raises(services.RegisterError) as err:
        submit(world, absence)
    assert err.value.code == "not_absence"


def test_not_another_childs_absence(world, absence):
    lesson = LessonFactory(assignment=world.a.assignment, number=5)
    other = Attendance.objects.create(
        lesson=lesson, pupil=world.a.other_pupil, status=Attendance.Status.UNEXCUSED
    )
    with pytest.raises(services.RegisterError) as err:
        submit(world, other)
    assert err.value.code == "not_own"
    with pytest.raises(services.RegisterError) as err:
        submit(world, absence, guardian=world.b.guardian)
    assert err.value.code == "not_guardian"


def test_not_the_same_absence_twice(world, absence):
    submit(world, absence)
    with pytest.raises(services.RegisterError) as err:
        submit(world, absence)
    assert err.value.code == "already_excused"


def test_rejected_absence_may_be_excused_again(world, absence):
    excuse = submit(world, absence)
    services.excuse_decide(excuse=excuse, user=world.a.homeroom, accept=False, reason="Nie")
    assert submit(world, absence).status == Excuse.Status.PENDING


def test_crafted_foreign_absence_in_form_is_404(world, login, absence):
    lesson = LessonFactory(assignment=world.a.assignment, number=5)
    other = Attendance.objects.create(
        lesson=lesson, pupil=world.a.other_pupil, status=Attendance.Status.UNEXCUSED
    )
    client = login(world.a.guardian, mfa=False)
    url = reverse("register:excuse_new") + f"?pupil={world.a.pupil.pk}"
    assert client.post(url, {"attendances": [other.pk], "reason": "x"}).status_code == 404
    other_child = reverse("register:excuse_new") + f"?pupil={world.a.other_pupil.pk}"
    assert client.get(other_child).status_code == 404
    assert not Excuse.objects.exists()


def test_other_homeroom_teacher_cannot_decide(world, login, absence):
    excuse = submit(world, absence)
    for user in (world.b.homeroom, world.a.teacher, world.b.admin):
        client = login(user)
        url = reverse("register:excuse_decide", args=[excuse.pk])
        assert client.post(url, {"accept": "1"}).status_code == 404
    excuse.refresh_from_db()
    assert excuse.status == Excuse.Status.PENDING


def test_guardian_excuses_a_whole_day(world, login, absence):
    second = LessonFactory(assignment=world.a.assignment, date=absence.lesson.date, number=6)
    other = Attendance.objects.create(
        lesson=second, pupil=world.a.pupil, status=Attendance.Status.UNEXCUSED
    )
    client = login(world.a.guardian, mfa=False)
    url = reverse("register:excuse_new") + f"?pupil={world.a.pupil.pk}"
    assert client.post(url, {"reason": "x"}).status_code == 200  # nothing chosen
    day = absence.lesson.date.isoformat()
    assert client.post(url, {"days": [day], "reason": "Choroba"}).status_code == 302
    excuse = Excuse.objects.get()
    assert set(excuse.attendances.values_list("pk", flat=True)) == {absence.pk, other.pk}
