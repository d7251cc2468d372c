"""Staff are told, on every page, when tasks wait and no worker has been seen
for a few minutes; it costs at most one query per process every 30 s."""

import pytest

from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from library.tasks import run_marc_import
from portal.background.selectors import forget_banner_state
from portal.context_processors import background_banner
from portal.permissions import user_roles
from tests.factories.background import heartbeat, task_row

pytestmark = pytest.mark.django_db
BANNER = "Praca w tle nie działa"
DASHBOARD = reverse("portal:dashboard")


def test_staff_see_the_banner_while_tasks_wait_without_a_worker(world, login, db_tasks):
    task_row(run_marc_import, 1, minutes_ago=1)
    heartbeat("old", minutes_ago=6)
    admin_page = login(world.a.admin).get(DASHBOARD).text
    assert BANNER in admin_page and reverse("background:status") in admin_page
    teacher_page = login(world.a.teacher).get(DASHBOARD).text
    assert BANNER in teacher_page and reverse("background:status") not in teacher_page
    assert "powiadomić administratora portalu" in teacher_page
    for family in (world.a.guardian, world.a.pupil):
        assert BANNER not in login(family).get(DASHBOARD).text


def test_no_banner_with_a_live_worker_or_nothing_waiting(world, login, db_tasks):
    heartbeat("old", minutes_ago=6)
    client = login(world.a.teacher)
    assert BANNER not in client.get(DASHBOARD).text, "nothing waits"
    task_row(run_marc_import, 1)
    heartbeat("live", minutes_ago=1)
    forget_banner_state()
    assert BANNER not in client.get(DASHBOARD).text, "a worker is alive"


def test_no_banner_when_tasks_are_not_kept_in_the_database(world, login):
    task_row(run_marc_import, 1)  # the suite's immediate backend runs tasks at once
    assert BANNER not in login(world.a.teacher).get(DASHBOARD).text


def test_the_check_costs_one_query_then_none_for_30_seconds(world, db_tasks):
    task_row(run_marc_import, 1)
    request = RequestFactory().get("/")
    request.user = world.a.teacher
    user_roles(request.user)  # the roles are read once per request anyway
    with CaptureQueriesContext(connection) as first:
        assert background_banner(request)["background_stalled"] is True
    with CaptureQueriesContext(connection) as later:
        assert background_banner(request)["background_stalled"] is True
    assert (len(first), len(later)) == (1, 0)


def test_a_task_left_running_by_a_dead_worker_shows_the_banner(world, login, db_tasks):
    heartbeat("dead", minutes_ago=10)
    task_row(run_marc_import, 1, status="RUNNING", worker="dead", minutes_ago=10)
    assert BANNER in login(world.a.teacher).get(DASHBOARD).text
