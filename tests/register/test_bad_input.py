"""Junk in the register's parameters and forms (issue 11): what only a crafted
request holds (an address's id, a hidden field, a button's value) is a 400, a
choice in a form is a form error in Polish; never a server error. Each case also
sends the value a page would send, which still works."""

import datetime
from types import SimpleNamespace

import pytest

from django.urls import reverse

from gradebook.register.models import Attendance, Excuse, FreeDay, Lesson, TimetableEntry
from tests.bad_input import Case, check_case, junk_params
from tests.factories.register import TimetableEntryFactory


@pytest.fixture
def objects(world, absence, day):
    a = world.a
    free = day + datetime.timedelta(days=30)
    return SimpleNamespace(
        a=a,
        day=day,
        absence=absence,
        entry=TimetableEntryFactory(assignment=a.assignment, weekday=0, number=2),
        free_day=FreeDay.objects.create(school=a.school, name="Rekolekcje", start=free, end=free),
    )


def _excuse_url(o):
    return reverse("register:excuse_new") + f"?pupil={o.a.pupil.pk}"


CASES = {
    # /dziennik/uwagi/?pupil=abc was a 500
    "remarks ?pupil": Case(
        "a.homeroom",
        "get",
        lambda o: reverse("register:remarks"),
        lambda o, v: {"pupil": v},
        lambda o: o.a.pupil.pk,
        200,
    ),
    # /dziennik/frekwencja/?class=abc was a 500
    "attendance statistics ?class": Case(
        "a.homeroom",
        "get",
        lambda o: reverse("register:stats"),
        lambda o, v: {"class": v},
        lambda o: o.a.class_a.pk,
        200,
    ),
    "a pupil's attendance ?pupil": Case(
        "a.guardian",
        "get",
        lambda o: reverse("register:pupil_stats"),
        lambda o, v: {"pupil": v},
        lambda o: o.a.pupil.pk,
        200,
    ),
    "excuse form ?pupil": Case(
        "a.guardian",
        "get",
        lambda o: reverse("register:excuse_new"),
        lambda o, v: {"pupil": v},
        lambda o: o.a.pupil.pk,
        200,
    ),
    # the parent's absence-excuse form with a junk id was a 500
    "excuse form: absences": Case(
        "a.guardian",
        "post",
        _excuse_url,
        lambda o, v: {"attendances": [v], "reason": "Choroba"},
        lambda o: o.absence.pk,
        302,
        lambda o: Excuse.objects.filter(attendances=o.absence).exists(),
    ),
    # delete=abc on the timetable was a 500
    "timetable: delete": Case(
        "a.admin",
        "post",
        lambda o: reverse("register:timetable", args=[o.a.class_a.pk]),
        lambda o, v: {"delete": v, "confirm": "1"},
        lambda o: o.entry.pk,
        302,
        lambda o: not TimetableEntry.objects.filter(pk=o.entry.pk).exists(),
    ),
    # delete=abc on the register settings was a 500
    "settings: delete a free day": Case(
        "a.admin",
        "post",
        lambda o: reverse("register:settings", args=[o.a.school.pk]),
        lambda o, v: {"delete": v, "confirm": "1"},
        lambda o: o.free_day.pk,
        302,
        lambda o: not FreeDay.objects.filter(pk=o.free_day.pk).exists(),
    ),
    "lesson: a pupil's attendance field": Case(
        "a.teacher",
        "post",
        lambda o: reverse("register:lesson", args=[o.a.assignment.pk, o.day.isoformat(), 2]),
        lambda o, v: {"topic": "Ułamki", f"s-{v}": "n"},
        lambda o: o.a.pupil.pk,
        302,
        lambda o: Attendance.objects.filter(lesson__number=2, pupil=o.a.pupil, status="n").exists(),
    ),
}


@pytest.mark.parametrize(("case", "junk"), junk_params(CASES))
def test_junk_is_a_400_and_the_valid_value_still_works(objects, login, case, junk):
    check_case(login, objects, CASES[case], junk)


def test_an_empty_id_is_no_choice(objects, login):
    client = login(objects.a.homeroom)
    assert client.get(reverse("register:stats"), {"class": ""}).status_code == 200  # the list
    assert client.get(reverse("register:remarks"), {"pupil": ""}).status_code == 200
    guardian = login(objects.a.guardian)
    assert guardian.get(reverse("register:excuse_new"), {"pupil": ""}).status_code == 404


def test_another_familys_absence_is_still_404(world, objects, login, day):
    from tests.factories.register import LessonFactory

    lesson = LessonFactory(assignment=world.a.assignment, date=day, number=3)
    other = Attendance.objects.create(lesson=lesson, pupil=world.a.other_pupil, status="n")
    client = login(world.a.guardian)
    response = client.post(_excuse_url(objects), {"attendances": [other.pk], "reason": "x"})
    assert response.status_code == 404
    assert not Excuse.objects.exists()


@pytest.mark.parametrize("junk", ["abc", "99999999999999999999"])
def test_announcement_classes_out_of_range_is_a_form_error(world, login, junk):
    client = login(world.a.admin)
    response = client.post(
        reverse("register:announcement_new"),
        {
            "school": world.a.school.pk,
            "audience": "classes",
            "classes": [world.a.class_a.pk, junk],
            "title": "Wycieczka",
            "body": "Zbiórka o 8.",
        },
    )
    assert response.status_code == 200
    assert "Wybierz tylko spośród podanych możliwości." in response.content.decode()


def test_a_lesson_of_an_assignment_beyond_any_id_is_404(world, login, day):
    url = reverse("register:lesson", args=[99999999999999999999, day.isoformat(), 1])
    assert login(world.a.teacher).get(url).status_code == 404
    assert not Lesson.objects.exists()
