"""The school's bell schedule (a register setting, audited) and the weekly
timetable with lesson hours for pupils, guardians and teachers (issue 14)."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gradebook.register.models import LessonHour
from portal.models import AuditEvent, TeachingAssignment, TeachingGroup
from tests.factories import make_pupil
from tests.factories.register import TimetableEntryFactory

T = datetime.time
PLAN = "register:lesson_plan"


def _bells(school, *hours):
    for number, (start, end) in enumerate(hours, start=1):
        LessonHour.objects.create(school=school, number=number, start=T(*start), end=T(*end))


def _post_bells(client, school, **times):
    data = {"bell": "1"}
    data.update(times)
    return client.post(reverse("register:settings", args=[school.pk]), data)


def test_admin_sets_the_bell_schedule_and_the_change_is_audited(world, login):
    a = world.a
    client = login(a.admin)
    response = _post_bells(
        client, a.school, start_1="08:00", end_1="08:45", start_2="08:55", end_2="09:40"
    )
    assert response.status_code == 302
    assert [str(h) for h in LessonHour.objects.filter(school=a.school)] == [
        "1. 08:00–08:45",
        "2. 08:55–09:40",
    ]
    response = _post_bells(
        client, a.school, start_1="08:00", end_1="08:45", start_2="09:00", end_2="09:45"
    )
    assert response.status_code == 302
    first, second = AuditEvent.objects.filter(action="bell_schedule.update").order_by("pk")
    assert first.before == {"1": None, "2": None}
    assert first.after == {"1": "08:00–08:45", "2": "08:55–09:40"}
    assert second.school_id == a.school.pk
    assert second.before == {"2": "08:55–09:40"} and second.after == {"2": "09:00–09:45"}
    page = client.get(reverse("register:settings", args=[a.school.pk]))
    assert 'value="09:00"' in page.text and "Godziny lekcji" in page.text


def test_bad_hours_are_refused_with_a_message_and_nothing_changes(world, login):
    a = world.a
    _bells(a.school, ((8, 0), (8, 45)))
    client = login(a.admin)
    cases = [
        ({"start_1": "08:45", "end_1": "08:00"}, "Lekcja musi kończyć się po swoim początku."),
        ({"start_1": "08:00"}, "Podaj początek i koniec lekcji."),
        (
            {"start_1": "08:00", "end_1": "08:45", "start_2": "08:30", "end_2": "09:15"},
            "Lekcja nie może zaczynać się przed końcem poprzedniej.",
        ),
        ({"start_1": "25:99", "end_1": "08:45"}, "Wpisz poprawną godzinę."),
    ]
    for data, message in cases:
        response = _post_bells(client, a.school, **data)
        assert response.status_code == 200, data
        assert message in response.text, data
    assert [str(h) for h in LessonHour.objects.all()] == ["1. 08:00–08:45"]
    assert not AuditEvent.objects.filter(action="bell_schedule.update").exists()


def test_only_the_schools_admin_edits_the_bells(world, login):
    a = world.a
    for user in (a.teacher, world.b.admin):
        response = _post_bells(login(user), a.school, start_1="08:00", end_1="08:45")
        assert response.status_code == 404
    assert not LessonHour.objects.exists()


def test_guardian_and_pupil_see_the_childs_week_with_hours(world, login):
    a = world.a
    _bells(a.school, ((8, 0), (8, 45)), ((8, 55), (9, 40)), ((9, 50), (10, 35)))
    TimetableEntryFactory(assignment=a.assignment, weekday=0, number=1, room="12")
    TimetableEntryFactory(assignment=a.assignment, weekday=2, number=3)
    # A group lesson of the class the pupil is not in stays out of their plan.
    group = TeachingGroup.objects.create(school_class=a.class_a, name="gr. 2")
    other = TeachingAssignment.objects.create(
        school_class=a.class_a, subject=a.subject, teacher=a.teacher, group=group
    )
    TimetableEntryFactory(assignment=other, weekday=1, number=2)
    for user in (a.guardian, a.pupil):
        page = login(user, mfa=False).get(reverse(PLAN), {"pupil": a.pupil.pk})
        assert page.status_code == 200
        text = page.text
        assert "08:00–08:45" in text and "09:50–10:35" in text
        assert "sala 12" in text and "gr. 2" not in text
        days = page.context["days"]
        assert [len(d["slots"]) for d in days] == [1, 0, 1, 0, 0]
        # The table shows lessons 1 to 3, the free 2nd included, with their hours.
        assert [r["number"] for r in page.context["rows"]] == [1, 2, 3]
        assert page.context["rows"][1]["hours"] == (T(8, 55), T(9, 40))


def test_a_plan_only_for_ones_own_children_or_oneself(world, login):
    a = world.a
    url = reverse(PLAN)
    stranger = make_pupil(a.class_a, username="a-stranger")
    assert login(a.guardian, mfa=False).get(url, {"pupil": stranger.pk}).status_code == 404
    assert login(a.pupil, mfa=False).get(url, {"pupil": stranger.pk}).status_code == 404
    assert login(world.b.guardian, mfa=False).get(url, {"pupil": a.pupil.pk}).status_code == 404
    assert login(a.teacher).get(url, {"pupil": a.pupil.pk}).status_code == 404
    assert login(world.officer).get(url).status_code == 404
    # A guardian without ?pupil= sees their (first) child.
    assert login(a.guardian, mfa=False).get(url).context["pupil"] == a.pupil


def test_a_teacher_sees_their_own_week(world, login):
    a = world.a
    _bells(a.school, ((8, 0), (8, 45)))
    TimetableEntryFactory(assignment=a.assignment, weekday=4, number=1)
    page = login(a.teacher).get(reverse(PLAN))
    assert page.status_code == 200
    assert page.context["teacher"] == a.teacher
    assert "Mój plan lekcji" in page.text and a.class_a.name in page.text
    assert "08:00–08:45" in page.text


def test_the_plan_costs_the_same_queries_at_two_sizes(world, login):
    a = world.a
    client = login(a.guardian, mfa=False)
    url = reverse(PLAN)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"pupil": a.pupil.pk}).status_code == 200
        return len(captured)

    TimetableEntryFactory(assignment=a.assignment, weekday=0, number=1)
    queries()
    small = queries()
    _bells(a.school, *[((7 + n, 0), (7 + n, 45)) for n in range(8)])
    for weekday in range(5):
        for number in range(2, 9):
            TimetableEntryFactory(assignment=a.assignment, weekday=weekday, number=number)
    assert queries() == small


def test_the_class_timetable_of_staff_shows_the_hours_too(world, login):
    a = world.a
    _bells(a.school, ((8, 0), (8, 45)))
    TimetableEntryFactory(assignment=a.assignment, weekday=0, number=1)
    page = login(a.admin).get(reverse("register:timetable", args=[a.class_a.pk]))
    assert "08:00–08:45" in page.text
