"""Hot pages read in a bounded number of queries, whatever the data size."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gradebook.models import Assessment, Grade
from portal.models import Enrolment, Subject, TeachingAssignment, User
from tests.factories import UserFactory
from tests.factories.gradebook import AssessmentFactory

SYMBOLS = ["1", "2+", "3-", "4", "5", "6", "np", "+"]


def add_pupils(side, count):
    users = UserFactory.build_batch(count)
    for i, u in enumerate(users):
        u.username = f"bulk-{side.school.pk}-{Enrolment.objects.count()}-{i}"
        u.password = "x"
    users = User.objects.bulk_create(users)
    Enrolment.objects.bulk_create(
        Enrolment(pupil=u, school_class=side.class_a, start_date=side.year.start) for u in users
    )


def add_columns(side, assignment, count):
    template = AssessmentFactory(assignment=assignment)
    Assessment.objects.bulk_create(
        Assessment(
            assignment=assignment,
            term=template.term,
            category=template.category,
            name=f"K{i}",
            weight=(i % 3) + 1,
            date=template.date,
        )
        for i in range(count - 1)
    )


WARM_SHEET = 14
# The parent's view: the child and the children to switch between are the request's
# family, one query (they were two).
WARM_PARENT = 15


def fill(assignment, pupils):
    columns = list(Assessment.objects.filter(assignment=assignment))
    Grade.objects.bulk_create(
        Grade(
            assessment=c,
            pupil=p,
            symbol=SYMBOLS[(i + j) % len(SYMBOLS)],
            teacher_id=assignment.teacher_id,
        )
        for i, c in enumerate(columns)
        for j, p in enumerate(pupils)
    )


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_grade_sheet_35_by_40_is_bounded_and_does_not_grow(
    gb, login, django_assert_max_num_queries
):
    a = gb.a
    Assessment.objects.all().delete()
    add_pupils(a, 34)
    add_columns(a, a.assignment, 40)
    fill(a.assignment, list(a.assignment.pupils_on()))
    client = login(a.teacher)
    url = reverse("gradebook:sheet", args=[a.assignment.pk])
    # 30 + 1: the read audit of the pupils shown, one INSERT for all of them;
    # + 1: the header's unread counts (notifications and messages in one query);
    # + 1: the first request after signing in notes the sessions list in the session.
    with django_assert_max_num_queries(33):
        client.get(url)
    # Then (issue 20) the roles and the second factor come from the roles cache and
    # the sessions list is written once a minute.
    with django_assert_max_num_queries(WARM_SHEET):
        response = client.get(url)
    assert response.content.count(b'class="grade-input"') == 35 * 40
    small = count_queries(client, url)
    add_pupils(a, 35)
    Grade.objects.all().delete()
    fill(a.assignment, list(a.assignment.pupils_on()))
    assert count_queries(client, url) == small


def test_parent_view_of_15_subjects_is_bounded_and_does_not_grow(
    gb, login, django_assert_max_num_queries
):
    a = gb.a
    Assessment.objects.all().delete()
    assignments = [a.assignment]
    for i in range(14):
        subject = Subject.objects.create(school=a.school, name=f"Przedmiot {i}")
        assignments.append(
            TeachingAssignment.objects.create(
                school_class=a.class_a, subject=subject, teacher=a.teacher
            )
        )
    for assignment in assignments:
        add_columns(a, assignment, 10)
        fill(assignment, [a.pupil])
    client = login(a.guardian)
    url = reverse("gradebook:pupil", args=[a.pupil.pk])
    # + 1 (33): the header's unread counts, one query for the bell and the envelope;
    # + 2 (35): the first request after signing in computes the roles with the second
    # factor and the admin permission, and notes the sessions list in the session.
    with django_assert_max_num_queries(35):
        client.get(url)
    # Then (issue 20) the roles come from the roles cache, the sessions list is
    # written once a minute.
    with django_assert_max_num_queries(WARM_PARENT):
        client.get(url)
    small = count_queries(client, url)
    for assignment in assignments:
        add_columns(a, assignment, 10)
    Grade.objects.all().delete()
    for assignment in assignments:
        fill(assignment, [a.pupil])
    assert Grade.objects.count() == 15 * 20
    assert count_queries(client, url) == small


def test_saving_a_column_is_bounded_and_does_not_grow(gb, login):
    a = gb.a
    client = login(a.teacher)
    url = reverse("gradebook:sheet", args=[a.assignment.pk])

    def post_column(symbol, before):
        pupils = list(a.assignment.pupils_on())
        data = {"term": a.term.pk}
        for p in pupils:
            data[f"g-{a.assessment.pk}-{p.pk}"] = symbol
            data[f"o-{a.assessment.pk}-{p.pk}"] = before
        with CaptureQueriesContext(connection) as ctx:
            assert client.post(url, data).status_code == 302
        return len(ctx.captured_queries)

    add_pupils(a, 9)
    client.get(url)  # the first request of a session creates its rows
    small = post_column("4", "")
    assert post_column("5", "4") <= small + 1  # an update instead of an insert
    add_pupils(a, 25)
    Grade.objects.all().delete()
    assert post_column("4", "") == small
    assert Grade.objects.count() == 35


def test_a_column_that_changes_values_costs_the_same_queries_for_10_and_20_pupils(gb, login):
    """Saving a column is batched: one UPDATE per distinct new value and one
    INSERT of all the history rows, whatever the number of pupils."""
    a = gb.a
    client = login(a.teacher)
    url = reverse("gradebook:sheet", args=[a.assignment.pk])
    client.get(url)  # the first request of a session creates its rows

    def change_column(count):
        Grade.objects.all().delete()
        pupils = list(a.assignment.pupils_on())[:count]
        assert len(pupils) == count
        fill(a.assignment, pupils)
        before = dict(Grade.objects.values_list("pupil_id", "symbol"))
        data = {"term": a.term.pk}
        for p in pupils:
            data[f"g-{a.assessment.pk}-{p.pk}"] = (
                "6"  # the pupil who had a 6 keeps it, at both sizes
            )
            data[f"o-{a.assessment.pk}-{p.pk}"] = before[p.pk]
        with CaptureQueriesContext(connection) as ctx:
            assert client.post(url, data).status_code == 302
        assert Grade.objects.filter(symbol="6").count() == count
        return len(ctx.captured_queries)

    add_pupils(a, 19)
    ten = change_column(10)
    assert change_column(20) == ten
