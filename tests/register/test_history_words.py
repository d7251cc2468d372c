"""The lesson history reads in words, not as stored codes."""

from django.urls import reverse

from gradebook.register import services
from gradebook.register.models import Attendance
from tests.factories.register import LessonFactory


def test_lesson_history_is_written_in_words(world, login, day):
    a = world.a
    lesson = LessonFactory(assignment=a.assignment, date=day, topic="", attendance_taken=False)
    absent = {a.pupil.pk: services.Mark(Attendance.Status.UNEXCUSED)}
    services.lesson_record(
        lesson=lesson, topic="Ułamki", marks=absent, pupil_ids=[a.pupil.pk], user=a.teacher
    )
    late = {a.pupil.pk: services.Mark(Attendance.Status.LATE, minutes_late=5)}
    services.lesson_record(
        lesson=lesson, topic="Procenty", marks=late, pupil_ids=[a.pupil.pk], user=a.teacher
    )
    services.lesson_set_substitute(lesson=lesson, substitute=a.homeroom, user=a.teacher)

    page = login(a.teacher).get(reverse("register:lesson_history", args=[lesson.pk]))
    text = " ".join(page.content.decode().split())
    assert "nieobecny nieusprawiedliwiony → spóźnienie 5 min" in text
    assert "Ułamki → Procenty" in text
    assert f"— → {a.homeroom}" in text  # the substitute by name, not by id
    assert "nauczyciel zastępujący — → —" not in text  # nothing said of empty fields
    for code in ("status=", "minutes_late", "None", "substitute_teacher"):
        assert code not in text
