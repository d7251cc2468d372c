"""The officer's pages: who sees them, what they show, what they never show."""

import datetime

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from analytics.measures import MEASURES
from analytics.models import AggregationRun
from analytics.services import analytics_compute
from portal.models import Role
from tests.conftest import enable_mfa
from tests.factories import GuardianLinkFactory, RoleFactory, UserFactory

from .conftest import S, build_school, column, final, grade, lesson, mark, slot


def page(client, name="analytics:overview"):
    response = client.get(reverse(name))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def officer_client(client, small):
    client.force_login(enable_mfa(small.officer))
    return client


def test_only_the_officer_and_superusers_see_the_figures(small, client):
    school = small.school
    others = [
        RoleFactory(role=Role.SCHOOL_ADMIN, school=school).user,
        RoleFactory(role=Role.TEACHER, school=school).user,
        RoleFactory(role=Role.MUNICIPAL_ADMIN, school=None).user,
        RoleFactory(role=Role.DPO, school=None).user,
        small.pupils[0],
    ]
    guardian = UserFactory()
    GuardianLinkFactory(guardian=guardian, pupil=small.pupils[1])
    for user in [*others, guardian]:
        client.force_login(enable_mfa(user))
        for name in ("analytics:overview", "analytics:definitions"):
            assert client.get(reverse(name)).status_code == 404
        assert client.post(reverse("analytics:compute")).status_code == 404
    assert not AggregationRun.objects.exists()
    for user in (small.officer, UserFactory(is_superuser=True)):
        client.force_login(enable_mfa(user))
        page(client)
        page(client, "analytics:definitions")
    client.logout()
    assert client.get(reverse("analytics:overview")).status_code == 302


def test_overview_shows_each_figure_with_its_definition_and_no_pupil_names(small, officer_client):
    analytics_compute(full=True)
    html = page(officer_client)
    assert small.school.name in html
    for measure in MEASURES.values():
        assert (
            str(measure.definition).replace("“", "&ldquo;")[:40] in html
            or str(measure.label) in html
        )
        assert f'#{measure.key}"' in html
    assert "66,7" in html and "3,05" in html  # Polish decimal comma
    for pupil in small.pupils:
        assert pupil.last_name not in html and pupil.username not in html
    definitions = page(officer_client, "analytics:definitions")
    for measure in MEASURES.values():
        assert f'id="{measure.key}"' in definitions
    for pupil in small.pupils:
        assert pupil.last_name not in definitions


def test_a_hidden_figure_is_marked_and_explained(small, officer_client):
    tiny = build_school("SP 3", pupils=3)
    day = lesson(tiny.assignment, datetime.date(2030, 10, 7))
    for pupil in tiny.pupils:
        mark(day, pupil, S.UNEXCUSED)
    analytics_compute(full=True)
    html = page(officer_client)
    assert "fewer than 5 pupils" in html or "mniej niż 5" in html
    assert "0,0" not in html  # the tiny school's 0 % attendance is not shown


def test_the_compute_button_queues_a_run(small, officer_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(reverse("analytics:compute"), {"full": "1"})
    assert response.status_code == 302
    run = AggregationRun.objects.get()
    assert run.full and run.requested_by == small.officer
    assert run.status == AggregationRun.Status.SUCCEEDED
    assert "66,7" in page(officer_client)


def _grow(n):
    for i in range(n):
        s = build_school(f"Extra {i}", pupils=6)
        day = lesson(s.assignment, datetime.date(2030, 10, 7))
        later = lesson(s.assignment, datetime.date(2030, 11, 4))
        test = column(s.assignment, datetime.date(2030, 10, 9), 2)
        for pupil in s.pupils:
            mark(day, pupil, S.PRESENT)
            mark(later, pupil, S.LATE)
            grade(test, pupil, "4")
            final(s.assignment, pupil, 3)
            final(s.assignment, pupil, 4, term=2)
        slot(s.assignment, 0, 1)
        slot(s.assignment, 1, 2)


def test_the_overview_takes_the_same_queries_however_much_data(small, officer_client):
    analytics_compute(full=True)
    page(officer_client)  # warm the session and the caches
    with CaptureQueriesContext(connection) as few:
        page(officer_client)
    _grow(3)
    analytics_compute(full=True)
    with CaptureQueriesContext(connection) as many:
        html = page(officer_client)
    assert "Extra 2" in html
    assert len(many.captured_queries) == len(few.captured_queries)
