"""Test calendar limits: 3 a week, 1 a day, a week's notice; warn, or block when set."""

import datetime

import pytest

from django.urls import reverse
from django.utils import timezone

from gradebook.register import services
from gradebook.register.models import PlannedTest, RegisterSettings
from tests.factories import SubjectFactory, TeachingAssignmentFactory
from tests.factories.register import PlannedTestFactory


def next_monday(weeks_ahead=2):
    today = timezone.localdate()
    return today - datetime.timedelta(days=today.weekday()) + datetime.timedelta(weeks=weeks_ahead)


def plan(world, date, kind=PlannedTest.Kind.TEST, confirmed=False, assignment=None):
    return services.test_plan(
        assignment=assignment or world.a.assignment,
        date=date,
        kind=kind,
        scope="Ułamki",
        user=world.a.teacher,
        confirmed=confirmed,
    )


def test_within_limits_is_saved(world):
    test, problems = plan(world, next_monday())
    assert test is not None and problems == []


def test_one_test_a_day_warns(world):
    monday = next_monday()
    PlannedTestFactory(assignment=world.a.assignment, date=monday)
    test, problems = plan(world, monday)
    assert test is None and len(problems) == 1
    test, problems = plan(world, monday, confirmed=True)
    assert test is not None


def test_three_tests_a_week(world):
    monday = next_monday()
    other = TeachingAssignmentFactory(
        school_class=world.a.class_a, subject=SubjectFactory(school=world.a.school, name="Fizyka")
    )
    for offset in range(3):
        PlannedTestFactory(assignment=other, date=monday + datetime.timedelta(days=offset))
    test, problems = plan(world, monday + datetime.timedelta(days=3))
    assert test is None and any("3" in p for p in problems)


def test_a_week_of_notice(world):
    soon = timezone.localdate() + datetime.timedelta(days=2)
    test, problems = plan(world, soon)
    assert test is None and problems


def test_quizzes_are_not_limited(world):
    monday = next_monday()
    PlannedTestFactory(assignment=world.a.assignment, date=monday)
    test, problems = plan(world, monday, kind=PlannedTest.Kind.QUIZ)
    assert test is not None and problems == []


def test_blocking_when_the_school_says_so(world):
    RegisterSettings.objects.create(school=world.a.school, test_limits_block=True)
    monday = next_monday()
    PlannedTestFactory(assignment=world.a.assignment, date=monday)
    with pytest.raises(services.RegisterError) as err:
        plan(world, monday, confirmed=True)
    assert err.value.code == "test_limit"


def test_other_class_does_not_count(world):
    monday = next_monday()
    PlannedTestFactory(assignment=world.b.assignment, date=monday)
    test, _problems = plan(world, monday)
    assert test is not None


def test_view_warns_then_saves_on_confirmation(world, login):
    monday = next_monday()
    PlannedTestFactory(assignment=world.a.assignment, date=monday)
    client = login(world.a.teacher)
    data = {
        "assignment": world.a.assignment.pk,
        "date": monday.isoformat(),
        "kind": "test",
        "scope": "Ułamki",
    }
    response = client.post(reverse("register:tests"), data)
    assert response.status_code == 200 and PlannedTest.objects.count() == 1
    response = client.post(reverse("register:tests"), {**data, "confirmed": "on"})
    assert response.status_code == 302 and PlannedTest.objects.count() == 2
    foreign = {**data, "assignment": world.b.assignment.pk, "confirmed": "on"}
    assert client.post(reverse("register:tests"), foreign).status_code == 200
    assert PlannedTest.objects.count() == 2
