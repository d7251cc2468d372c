"""The task worker queues periodic jobs itself (no cron under `make run`), once per
interval, whatever number of workers tick."""

import datetime

import pytest

from django.utils import timezone

from portal import registry
from portal.background.models import PeriodicRun
from portal.background.services import periodic_tick

pytestmark = pytest.mark.django_db


@pytest.fixture
def jobs(monkeypatch):
    queued = []

    class Result:
        def __init__(self, key):
            self.id = f"task-{key}-{len(queued)}"

    def job(key, every, broken=False):
        def enqueue():
            if broken:
                raise RuntimeError("broken")
            queued.append(key)
            return Result(key)

        return registry.PeriodicJob(key, key, enqueue, every=every)

    monkeypatch.setattr(
        registry,
        "_periodic",
        {
            "digest": job("digest", 300),
            "daily": job("daily", 3600),
            "bad": job("bad", 300, broken=True),
        },
    )
    return queued


def test_a_job_is_queued_once_per_interval_by_any_number_of_ticks(jobs):
    start = timezone.now()
    assert sorted(periodic_tick(now=start)) == ["daily", "digest"]
    # a second worker ticking at the same moment queues nothing
    assert periodic_tick(now=start) == []
    assert periodic_tick(now=start + datetime.timedelta(seconds=299)) == []
    assert periodic_tick(now=start + datetime.timedelta(seconds=300)) == ["digest"]
    assert periodic_tick(now=start + datetime.timedelta(seconds=3600)) == ["daily", "digest"]
    assert jobs == ["daily", "digest", "digest", "daily", "digest"]
    run = PeriodicRun.objects.get(key="digest")
    assert run.last_task_id.startswith("task-digest-")


def test_a_broken_job_does_not_stop_the_others(jobs):
    assert "digest" in periodic_tick()
    assert PeriodicRun.objects.get(key="bad").last_task_id == ""


def test_the_portal_registers_its_digests_and_library_reminders():
    keys = {job.key for job in registry.periodic_jobs()}
    assert {"notifications_run", "circulation_daily"} <= keys


def test_the_status_page_shows_when_each_job_was_last_queued(world, login, db_tasks):
    PeriodicRun.objects.create(key="notifications_run", last_queued_at=timezone.now())
    page = login(world.superuser).get("/praca-w-tle/").content.decode()
    assert "Zadania okresowe" in page
    assert "jeszcze nie" in page  # the library job has not run yet
