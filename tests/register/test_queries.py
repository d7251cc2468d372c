"""Hot pages run in a bounded number of queries, whatever the size of the class."""

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from gradebook.register.models import Attendance, Lesson
from tests.factories import make_pupil
from tests.factories.register import (
    HomeworkFactory,
    LessonFactory,
    PlannedTestFactory,
    RemarkFactory,
    TimetableEntryFactory,
)


def fill_class(world, n):
    return [make_pupil(world.a.class_a, username=f"p{i}") for i in range(n)]


def test_attendance_screen_of_35_pupils(world, login, day, django_assert_max_num_queries):
    pupils = fill_class(world, 34)
    client = login(world.a.teacher)
    url = reverse("register:lesson", args=[world.a.assignment.pk, day.isoformat(), 1])
    with django_assert_max_num_queries(25):
        page = client.get(url)
    assert page.text.count('class="pupil-row"') == 35
    data = {"topic": "Ułamki"}
    data.update({f"s-{p.pk}": "n" for p in pupils[:5]})
    # The audit's content types are cached per process: warm them, as any earlier
    # test in the worker does, so the count does not depend on the tests' order.
    ContentType.objects.get_for_models(Lesson, Attendance)
    with django_assert_max_num_queries(40):
        assert client.post(url, data).status_code == 302
    assert Attendance.objects.count() == 35
    # Warm (issue 20): the roles, the second factor and the sessions list cost no
    # query once the session has them (25 before).
    with django_assert_max_num_queries(9):
        client.get(url)
    data.update({f"s-{p.pk}": "u" for p in pupils[:10]})
    with django_assert_max_num_queries(40):
        assert client.post(url, data).status_code == 302
    assert Attendance.objects.filter(status="u").count() == 10
    assert Lesson.objects.count() == 1


def test_parent_week_view_does_not_grow_with_data(world, login, day, django_assert_max_num_queries):
    a = world.a
    client = login(a.guardian, mfa=False)
    url = reverse("register:week")
    params = {"week": day.isoformat()}
    client.get(url, params)
    for number in range(1, 8):
        TimetableEntryFactory(assignment=a.assignment, weekday=day.weekday(), number=number)
        lesson = LessonFactory(assignment=a.assignment, date=day, number=number)
        Attendance.objects.create(lesson=lesson, pupil=a.pupil, status="p")
        HomeworkFactory(assignment=a.assignment, due_date=day)
        PlannedTestFactory(assignment=a.assignment, date=day)
        RemarkFactory(pupil=a.pupil, school_class=a.class_a, author=a.teacher)
    # 35 before issue 20: the roles now come from the roles cache and the sessions
    # list is written once a minute; 16 → 15: the family's enrolments are read once
    # for the pupil's class and the announcements (portal.family).
    with django_assert_max_num_queries(15):
        page = client.get(url, params)
    assert page.text.count("Ułamki") >= 7
