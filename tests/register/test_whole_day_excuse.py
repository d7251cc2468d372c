"""A whole-day excuse covers the lessons of that day marked absent later too:
attached while the excuse is pending, excused once it is accepted."""

import pytest

from django.urls import reverse

from gradebook.register import services
from gradebook.register.models import Attendance, Excuse, ExcuseDay, RegisterChange
from portal.errors import constraint_errors
from tests.factories.register import LessonFactory


def mark_absent(world, day, number):
    """The teacher takes a later lesson of the same day with the pupil absent."""
    lesson = LessonFactory(
        assignment=world.a.assignment, date=day, number=number, attendance_taken=False
    )
    services.lesson_record(
        lesson=lesson,
        topic="Procenty",
        marks={world.a.pupil.pk: services.Mark(Attendance.Status.UNEXCUSED)},
        pupil_ids=[world.a.pupil.pk],
        user=world.a.teacher,
    )
    return Attendance.objects.get(lesson=lesson, pupil=world.a.pupil)


def submit_whole_day(world, absence, day):
    return services.excuse_submit(
        guardian=world.a.guardian,
        pupil=world.a.pupil,
        attendance_ids=[absence.pk],
        reason="Choroba",
        days=[day],
    )


def excuse_whole_day(world, login, absence, day):
    client = login(world.a.guardian, mfa=False)
    url = reverse("register:excuse_new") + f"?pupil={world.a.pupil.pk}"
    page = client.get(url)
    assert day.strftime("%d.%m.%Y") in page.text
    response = client.post(url, {"days": [day.isoformat()], "reason": "Choroba"})
    assert response.status_code == 302
    return Excuse.objects.get()


def test_pending_whole_day_excuse_covers_a_lesson_marked_later(world, login, absence, day):
    excuse = excuse_whole_day(world, login, absence, day)
    assert list(excuse.days.values_list("date", flat=True)) == [day]
    assert RegisterChange.objects.get(action="submit").after["days"] == [day.isoformat()]

    later = mark_absent(world, day, number=5)
    assert later.status == Attendance.Status.UNEXCUSED  # not decided yet
    assert set(excuse.attendances.all()) == {absence, later}

    services.excuse_decide(excuse=excuse, user=world.a.homeroom, accept=True)
    absence.refresh_from_db()
    later.refresh_from_db()
    assert absence.status == later.status == Attendance.Status.EXCUSED


def test_accepted_whole_day_excuse_excuses_a_lesson_marked_later(world, login, absence, day):
    excuse = excuse_whole_day(world, login, absence, day)
    services.excuse_decide(excuse=excuse, user=world.a.homeroom, accept=True)

    later = mark_absent(world, day, number=6)
    assert later.status == Attendance.Status.EXCUSED
    assert later in excuse.attendances.all()
    change = RegisterChange.objects.filter(action="excused", object_id=later.pk).get()
    assert change.before["status"] == "n" and change.after["excuse"] == excuse.pk
    assert change.actor == world.a.teacher


def test_absence_already_recorded_but_not_chosen_is_covered_on_accept(world, absence, day):
    """Excused with a whole day, an absence recorded before the excuse was
    attached to nothing: accepting covers it too."""
    other = Attendance.objects.create(
        lesson=LessonFactory(assignment=world.a.assignment, date=day, number=7),
        pupil=world.a.pupil,
        status=Attendance.Status.UNEXCUSED,
    )
    excuse = submit_whole_day(world, absence, day)
    services.excuse_decide(excuse=excuse, user=world.a.homeroom, accept=True)
    other.refresh_from_db()
    assert other.status == Attendance.Status.EXCUSED


def test_single_lesson_excuse_does_not_cover_later_lessons(world, absence, day):
    excuse = services.excuse_submit(
        guardian=world.a.guardian,
        pupil=world.a.pupil,
        attendance_ids=[absence.pk],
        reason="Wizyta u lekarza",
    )
    services.excuse_decide(excuse=excuse, user=world.a.homeroom, accept=True)
    later = mark_absent(world, day, number=5)
    assert later.status == Attendance.Status.UNEXCUSED
    assert not ExcuseDay.objects.exists()


def test_rejected_whole_day_excuse_covers_nothing_later(world, absence, day):
    excuse = submit_whole_day(world, absence, day)
    services.excuse_decide(
        excuse=excuse, user=world.a.homeroom, accept=False, reason="Brak podpisu"
    )
    later = mark_absent(world, day, number=5)
    assert later.status == Attendance.Status.UNEXCUSED
    assert later not in excuse.attendances.all()


def test_a_whole_day_needs_its_absences(world, absence, day):
    with pytest.raises(services.RegisterError) as err:
        services.excuse_submit(
            guardian=world.a.guardian,
            pupil=world.a.pupil,
            attendance_ids=[absence.pk],
            reason="Choroba",
            days=[day.replace(year=day.year - 1)],
        )
    assert err.value.code == "bad_day"
    assert not Excuse.objects.exists()


def test_a_unique_constraint_reads_as_its_message(world, absence):
    excuse = submit_whole_day(world, absence, absence.lesson.date)
    refusal = services.RegisterError
    with pytest.raises(refusal) as refused, constraint_errors(error=refusal):
        ExcuseDay.objects.create(excuse=excuse, date=absence.lesson.date)
    assert refused.value.message == "Ten dzień jest już w usprawiedliwieniu."
