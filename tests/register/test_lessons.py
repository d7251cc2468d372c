"""The teacher's day, the one-screen lesson (topic + attendance), entry rules and history."""

import datetime

from django.urls import reverse
from django.utils import timezone

from gradebook.register import services
from gradebook.register.models import Attendance, FreeDay, Lesson, RegisterChange, RegisterSettings
from gradebook.register.selectors import missing_entries, teacher_slots
from tests.factories import make_pupil
from tests.factories.register import LessonFactory, TimetableEntryFactory


def lesson_url(assignment, day, number=1):
    return reverse("register:lesson", args=[assignment.pk, day.isoformat(), number])


def test_day_view_lists_timetable_lessons_without_writing(world, login, day):
    a = world.a
    TimetableEntryFactory(assignment=a.assignment, weekday=day.weekday(), number=3)
    client = login(a.teacher)
    response = client.get(reverse("register:day"), {"date": day.isoformat()})
    assert response.status_code == 200
    assert a.subject.name in response.text
    assert lesson_url(a.assignment, day, 3) in response.text
    assert not Lesson.objects.exists()


def test_everyone_present_by_default_and_saved_in_one_request(world, login, day):
    a = world.a
    second = make_pupil(a.class_a, username="a-pupil-2")
    client = login(a.teacher)
    url = lesson_url(a.assignment, day)
    page = client.get(url)
    assert page.status_code == 200
    assert page.text.count('value="p" checked') == 2
    response = client.post(url, {"topic": "Ułamki", f"s-{second.pk}": "s", f"m-{second.pk}": "7"})
    assert response.status_code == 302
    lesson = Lesson.objects.get()
    assert lesson.topic == "Ułamki" and lesson.attendance_taken
    marks = dict(Attendance.objects.values_list("pupil_id", "status"))
    assert marks == {a.pupil.pk: "p", second.pk: "s"}
    assert Attendance.objects.get(pupil=second).minutes_late == 7


def test_topic_is_required(world, login, day):
    client = login(world.a.teacher)
    response = client.post(lesson_url(world.a.assignment, day), {"topic": " "})
    assert response.status_code == 200
    assert not Attendance.objects.exists()


def test_later_change_is_recorded_with_before_and_after(world, login, day):
    a = world.a
    client = login(a.teacher)
    url = lesson_url(a.assignment, day)
    client.post(url, {"topic": "Ułamki"})
    client.post(url, {"topic": "Ułamki dziesiętne", f"s-{a.pupil.pk}": "n"})
    change = RegisterChange.objects.filter(action="attendance", before__isnull=False).get()
    assert change.before == {"status": "p", "minutes_late": None}
    assert change.after == {"status": "n", "minutes_late": None}
    assert change.actor == a.teacher
    topic = RegisterChange.objects.filter(action="topic", before__isnull=False).get()
    assert topic.before["topic"] == "Ułamki" and topic.after["topic"] == "Ułamki dziesiętne"
    history = client.get(reverse("register:lesson_history", args=[Lesson.objects.get().pk]))
    assert history.status_code == 200 and "Ułamki dziesiętne" in history.text


def test_no_entries_in_the_future(world, login):
    a = world.a
    future = timezone.localdate() + datetime.timedelta(days=3)
    client = login(a.teacher)
    response = client.post(lesson_url(a.assignment, future), {"topic": "X"})
    assert response.status_code == 200
    assert not Lesson.objects.exists()
    try:
        services.lesson_materialise(assignment=a.assignment, date=future, number=1, user=a.teacher)
    except services.RegisterError as exc:
        assert exc.code == "future"
    else:
        raise AssertionError("a future lesson was accepted")


def test_no_entries_on_a_holiday_or_in_a_closed_term(world, day):
    a = world.a
    FreeDay.objects.create(school=a.school, start=day, end=day, name="Święto")
    refusal = services.entry_refusal(assignment=a.assignment, day=day)
    assert refusal.code == "free_day"
    FreeDay.objects.all().delete()
    RegisterSettings.objects.create(school=a.school, closed_before=day + datetime.timedelta(1))
    assert services.entry_refusal(assignment=a.assignment, day=day).code == "closed"


def test_holiday_removes_timetable_lessons_from_the_day(world, day):
    a = world.a
    TimetableEntryFactory(assignment=a.assignment, weekday=day.weekday(), number=2)
    assert len(teacher_slots(a.teacher, day, day)) == 1
    FreeDay.objects.create(school=a.school, start=day, end=day, name="Święto")
    assert teacher_slots(a.teacher, day, day) == []


def test_crafted_pupil_of_another_class_is_404(world, login, day):
    a = world.a
    client = login(a.teacher)
    response = client.post(
        lesson_url(a.assignment, day), {"topic": "X", f"s-{a.other_pupil.pk}": "n"}
    )
    assert response.status_code == 404
    assert not Attendance.objects.exists()


def test_other_teachers_assignment_is_404(world, login, day):
    client = login(world.b.teacher)
    assert client.get(lesson_url(world.a.assignment, day)).status_code == 404
    assert client.post(lesson_url(world.a.assignment, day), {"topic": "X"}).status_code == 404


def test_substitute_teacher_takes_the_lesson(world, login, day):
    a = world.a
    lesson = LessonFactory(assignment=a.assignment, date=day, topic="", attendance_taken=False)
    services.lesson_set_substitute(lesson=lesson, substitute=a.homeroom, user=a.admin)
    client = login(a.homeroom)
    assert client.post(lesson_url(a.assignment, day), {"topic": "Zastępstwo"}).status_code == 302
    assert teacher_slots(a.homeroom, day, day)[0].lesson == lesson
    # the lesson is now the substitute's to fill in, not a missing entry of the teacher
    assert missing_entries(a.teacher) == []


def test_missing_entries_lists_untaken_timetable_lessons(world, login, day):
    a = world.a
    TimetableEntryFactory(assignment=a.assignment, weekday=day.weekday(), number=4)
    missing = missing_entries(a.teacher)
    assert any(s.date == day and s.number == 4 for s in missing)
    client = login(a.teacher)
    assert client.get(reverse("register:missing")).status_code == 200
    client.post(lesson_url(a.assignment, day, 4), {"topic": "Zrobione"})
    assert not any(s.date == day and s.number == 4 for s in missing_entries(a.teacher))


def test_admin_adds_a_one_off_lesson_with_substitute(world, login, day):
    a = world.a
    client = login(a.admin)
    response = client.post(
        reverse("register:lesson_add"),
        {
            "assignment": a.assignment.pk,
            "date": day.isoformat(),
            "number": 7,
            "substitute": a.homeroom.pk,
        },
    )
    assert response.status_code == 302
    lesson = Lesson.objects.get()
    assert lesson.is_one_off and lesson.substitute_teacher == a.homeroom


def test_admin_cannot_add_lesson_for_another_school(world, login, day):
    client = login(world.a.admin)
    response = client.post(
        reverse("register:lesson_add"),
        {"assignment": world.b.assignment.pk, "date": day.isoformat(), "number": 7},
    )
    assert response.status_code == 200
    assert not Lesson.objects.exists()


def test_admin_enters_the_timetable(world, login):
    a = world.a
    client = login(a.admin)
    url = reverse("register:timetable", args=[a.class_a.pk])
    response = client.post(url, {"assignment": a.assignment.pk, "weekday": 0, "number": 2})
    assert response.status_code == 302
    assert a.assignment.timetable_entries.count() == 1
    assert client.get(url).status_code == 200
    assert login(world.b.admin).get(url).status_code == 404


def test_closed_term_lessons_are_not_missing(world, day):
    a = world.a
    TimetableEntryFactory(assignment=a.assignment, weekday=day.weekday(), number=4)
    RegisterSettings.objects.create(school=a.school, closed_before=day + datetime.timedelta(1))
    assert not any(s.date == day for s in missing_entries(a.teacher))
