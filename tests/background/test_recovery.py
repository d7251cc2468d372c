"""The worker's heartbeat, and tasks a dead worker left running: marked failed
with the reason when a worker starts (a MARC import job with them)."""

import os
import socket
import subprocess
import sys

import pytest
from django_tasks_db.models import DBTaskResult

from django.core.management import call_command

from library.models import ImportJob
from library.services import import_job_create
from library.tasks import run_marc_import
from portal.background.models import WorkerHeartbeat
from portal.background.services import heartbeat_start, tasks_recover_stale
from tests.factories.background import heartbeat, task_row
from tests.library.conftest import make_marc

pytestmark = pytest.mark.django_db


def import_job(world, status=ImportJob.Status.RUNNING):
    return ImportJob.objects.create(
        school=world.a.school,
        user=world.a.librarian,
        file_name="k.mrc",
        data=b"x",
        fmt="marc",
        status=status,
    )


def test_tasks_of_a_silent_worker_fail_with_the_reason_on_the_next_start(world):
    job = import_job(world)
    heartbeat("dead", minutes_ago=10)
    heartbeat("busy", minutes_ago=0)
    lost = task_row(run_marc_import, job.pk, status="RUNNING", worker="dead", minutes_ago=12)
    alive = task_row(run_marc_import, 0, status="RUNNING", worker="busy", minutes_ago=12)

    heartbeat_start(worker_id="new")

    lost.refresh_from_db()
    assert lost.status == "FAILED" and lost.finished_at is not None
    assert lost.exception_class_path == "portal.background.WorkerLost"
    assert "dead" in lost.traceback and "elsewhere" in lost.traceback
    alive.refresh_from_db()
    assert alive.status == "RUNNING"
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.finished_at is not None
    assert "dead" in job.message, "the librarian sees why the import stopped"
    assert WorkerHeartbeat.objects.get(worker_id="new").stopped_at is None


def test_a_killed_worker_of_this_host_is_noticed_at_once(world):
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    heartbeat("killed", minutes_ago=0, hostname=socket.gethostname(), pid=int(gone.stdout))
    heartbeat("sibling", minutes_ago=0, hostname=socket.gethostname(), pid=os.getpid())
    task = task_row(run_marc_import, 0, status="RUNNING", worker="killed")

    heartbeat_start(worker_id="restarted")

    task.refresh_from_db()
    assert task.status == "FAILED"
    assert WorkerHeartbeat.objects.get(worker_id="killed").stopped_at is not None
    assert WorkerHeartbeat.objects.get(worker_id="sibling").stopped_at is None


def test_a_worker_without_heartbeat_keeps_its_task_for_a_while(world):
    recent = task_row(run_marc_import, 0, status="RUNNING", worker="plain", minutes_ago=1)
    old = task_row(run_marc_import, 0, status="RUNNING", worker="plain", minutes_ago=30)
    assert tasks_recover_stale() == 1
    recent.refresh_from_db()
    old.refresh_from_db()
    assert (recent.status, old.status) == ("RUNNING", "FAILED")


def test_the_worker_command_runs_the_queue_with_a_heartbeat(world, db_tasks):
    data = make_marc("Lalka").as_marc()
    job = import_job_create(
        user=world.a.librarian, school=world.a.school, file_name="k.mrc", data=data
    )
    result = run_marc_import.enqueue(job.pk)
    assert result.status == "READY"

    call_command(
        "task_worker", batch=True, reload=False, startup_delay=False, worker_id="w1", verbosity=0
    )

    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.imported == 1
    beat = WorkerHeartbeat.objects.get(worker_id="w1")
    assert beat.stopped_at is not None, "a worker that ends says so"
