"""Stored tasks (rows of the database task backend) and worker heartbeats."""

from __future__ import annotations

import datetime

from django_tasks_db.models import DBTaskResult, get_date_max

from django.utils import timezone

from portal.background.models import WorkerHeartbeat


def task_row(task, *args, status="READY", error="", worker="", minutes_ago=0, **kwargs):
    """A stored run of `task`: READY, RUNNING on `worker`, or FAILED with
    `error` ("RuntimeError: dysk pełny") as its traceback's last line."""
    at = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    row = DBTaskResult.objects.create(
        task_path=task.module_path,
        args_kwargs={"args": list(args), "kwargs": kwargs},
        backend_name="default",
        run_after=get_date_max(),
        status=status,
        worker_ids=[worker] if worker else [],
        started_at=at if status in ("RUNNING", "FAILED") else None,
        finished_at=at if status == "FAILED" else None,
        exception_class_path=f"builtins.{error.split(':')[0]}" if error else "",
        traceback=(
            'Traceback (most recent call last):\n  File "x.py", line 1, in run\n'
            f"    raise\n{error}\n"
            if error
            else ""
        ),
    )
    DBTaskResult.objects.filter(pk=row.pk).update(enqueued_at=at)
    row.refresh_from_db()
    return row


def heartbeat(worker_id, *, minutes_ago=0, stopped=False, hostname="elsewhere", pid=None):
    seen = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    return WorkerHeartbeat.objects.create(
        worker_id=worker_id,
        hostname=hostname,
        pid=pid,
        started_at=seen - datetime.timedelta(hours=1),
        last_seen=seen,
        stopped_at=seen if stopped else None,
    )
