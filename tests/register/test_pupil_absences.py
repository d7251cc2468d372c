"""A pupil's absences and lateness one by one (issue 14): date, lesson, subject,
status and where the excuse stands; a guardian sees only their children, a pupil
only themself; the page costs the same number of queries however long the list."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gradebook.register.models import Attendance, Excuse
from gradebook.register.selectors import excuse_state, pupil_absences
from tests.factories import make_pupil
from tests.factories.register import LessonFactory

S = Attendance.Status
URL = "register:pupil_absences"


def _mark(world, day, number, status, pupil=None, minutes=None):
    a = world.a
    lesson = LessonFactory(assignment=a.assignment, date=day, number=number)
    return Attendance.objects.create(
        lesson=lesson, pupil=pupil or a.pupil, status=status, minutes_late=minutes
    )


def _excuse(world, attendance, status):
    a = world.a
    excuse = Excuse.objects.create(
        pupil=a.pupil,
        school_class=a.class_a,
        submitted_by=a.guardian,
        reason="Choroba",
        status=status,
    )
    excuse.attendances.add(attendance)
    return excuse


def test_guardian_sees_each_absence_with_its_excuse(world, login):
    a = world.a
    first = a.year.start
    second = first + datetime.timedelta(days=1)
    _mark(world, first, 1, S.PRESENT)
    pending = _mark(world, first, 2, S.UNEXCUSED)
    _excuse(world, pending, Excuse.Status.PENDING)
    rejected = _mark(world, first, 3, S.UNEXCUSED)
    _excuse(world, rejected, Excuse.Status.REJECTED)
    _mark(world, second, 1, S.LATE, minutes=7)
    _mark(world, second, 4, S.EXCUSED)
    page = login(a.guardian, mfa=False).get(reverse(URL), {"pupil": a.pupil.pk, "term": 1})
    assert page.status_code == 200
    rows = page.context["rows"]
    # Newest day first, lessons in order within a day; present lessons are left out.
    assert [(r.lesson.date, r.lesson.number, r.status) for r, _state in rows] == [
        (second, 1, S.LATE),
        (second, 4, S.EXCUSED),
        (first, 2, S.UNEXCUSED),
        (first, 3, S.UNEXCUSED),
    ]
    assert [state.code for _r, state in rows] == ["", "excused", "pending", "rejected"]
    text = page.text
    assert "spóźnienie (7 minut)" in text
    assert "Usprawiedliwienie: czeka na decyzję" in text
    assert "Usprawiedliwienie: odrzucone" in text
    assert "Usprawiedliwienie: przyjęte" in text
    assert a.subject.name in text and "lekcja 2" in text
    assert f'<time datetime="{first.isoformat()}">' in text


def test_an_unexcused_absence_may_be_excused_while_recent(world):
    a = world.a
    day = a.year.start
    _mark(world, day, 1, S.UNEXCUSED)
    _mark(world, day, 2, S.LATE)
    absence, late = pupil_absences(a.pupil, start=day, end=day, school_id=a.school.pk)
    assert excuse_state(absence, today=day + datetime.timedelta(days=60)).may_excuse
    assert not excuse_state(absence, today=day + datetime.timedelta(days=61)).may_excuse
    assert excuse_state(absence, today=day).code == "none"
    assert excuse_state(late, today=day).code == ""


def test_only_own_children_and_oneself(world, login):
    a = world.a
    url = reverse(URL)
    sibling = make_pupil(a.class_a, username="a-not-mine")
    assert login(a.guardian, mfa=False).get(url, {"pupil": sibling.pk}).status_code == 404
    assert login(a.pupil, mfa=False).get(url, {"pupil": a.pupil.pk}).status_code == 200
    assert login(a.pupil, mfa=False).get(url, {"pupil": sibling.pk}).status_code == 404
    assert login(world.b.guardian, mfa=False).get(url, {"pupil": a.pupil.pk}).status_code == 404
    assert login(world.b.teacher).get(url, {"pupil": a.pupil.pk}).status_code == 404
    assert login(a.guardian, mfa=False).get(url).status_code == 404
    assert login(a.guardian, mfa=False).get(url, {"pupil": "x"}).status_code in (400, 404)


def test_links_from_the_family_dashboard_and_week(world, login):
    a = world.a
    client = login(a.guardian, mfa=False)
    link = f"{reverse(URL)}?pupil={a.pupil.pk}"
    assert link in client.get(reverse("portal:dashboard")).text
    assert link in client.get(reverse("register:week"), {"pupil": a.pupil.pk}).text


def test_the_list_costs_the_same_queries_at_two_sizes(world, login):
    a = world.a
    client = login(a.guardian, mfa=False)
    url = reverse(URL)
    params = {"pupil": a.pupil.pk, "term": 1}

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, params).status_code == 200
        return len(captured)

    def add(days):
        for offset in days:
            day = a.year.start + datetime.timedelta(days=offset)
            absence = _mark(world, day, 1, S.UNEXCUSED)
            _excuse(world, absence, Excuse.Status.REJECTED)
            _mark(world, day, 2, S.LATE, minutes=5)

    add(range(0, 2))
    queries()  # the first request of a session does some one-off work
    small = queries()
    add(range(2, 12))
    assert queries() == small
    assert (
        pupil_absences(a.pupil, start=a.year.start, end=a.year.end, school_id=a.school.pk).count()
        == 24
    )
