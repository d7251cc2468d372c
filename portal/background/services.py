"""The task worker's heartbeat, recovery of tasks a dead worker left running,
and an admin's retry of a failed task."""

from __future__ import annotations

import datetime
import logging
import os
import socket

from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.models import AuditEvent
from portal.permissions import can_manage_task
from portal.registry import periodic_jobs, task_kind
from portal.services import PortalError

from .models import PeriodicRun, WorkerHeartbeat
from .taskinfo import (
    database_backend_in_use,
    error_line,
    task_arguments,
    task_label,
    task_schools,
)

logger = logging.getLogger("portal.background")

# The exception class recorded on a task whose worker died while running it.
WORKER_LOST = "portal.background.WorkerLost"
# Heartbeat rows of workers gone for longer than this are deleted on a worker's start.
KEEP_STOPPED_WORKERS = datetime.timedelta(days=7)


def lost_after() -> datetime.timedelta:
    """How long a worker may stay silent before it counts as gone (the banner,
    the recovery of its tasks)."""
    return datetime.timedelta(seconds=settings.TASK_WORKER_LOST_AFTER)


def fresh_workers(now: datetime.datetime | None = None):
    now = now or timezone.now()
    return WorkerHeartbeat.objects.filter(
        stopped_at__isnull=True, last_seen__gte=now - lost_after()
    )


# --- Heartbeat --------------------------------------------------------------------------


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def heartbeat_start(*, worker_id: str, queues: str = "") -> WorkerHeartbeat:
    """Register a starting worker, note the workers of this host whose process
    is gone (killed, crashed), forget workers gone for a week, and fail the
    tasks that dead workers left running."""
    now = timezone.now()
    host = socket.gethostname()[:255]
    for old in WorkerHeartbeat.objects.filter(hostname=host, stopped_at__isnull=True):
        if old.pid and old.worker_id != worker_id and not _process_alive(old.pid):
            WorkerHeartbeat.objects.filter(pk=old.pk).update(stopped_at=old.last_seen)
    WorkerHeartbeat.objects.filter(last_seen__lt=now - KEEP_STOPPED_WORKERS).delete()
    beat, _created = WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": host,
            "pid": os.getpid(),
            "queues": queues[:200],
            "started_at": now,
            "last_seen": now,
            "stopped_at": None,
        },
    )
    recovered = tasks_recover_stale(now=now)
    if recovered:
        logger.warning("Marked %d task(s) of dead workers as failed.", recovered)
    return beat


def heartbeat_beat(*, worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).update(
        last_seen=timezone.now(), stopped_at=None
    )


def heartbeat_stop(*, worker_id: str) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.filter(worker_id=worker_id).update(last_seen=now, stopped_at=now)


# --- Tasks a dead worker left running ---------------------------------------------------


def _lost_reason(worker_id: str, beat: WorkerHeartbeat | None) -> str:
    if beat is None:
        return _("The task worker %(worker)s stopped while running this task.") % {
            "worker": worker_id or "?"
        }
    return _(
        "The task worker %(worker)s (%(host)s, process %(pid)s) stopped while running "
        "this task; it was last seen at %(seen)s."
    ) % {
        "worker": worker_id,
        "host": beat.hostname,
        "pid": beat.pid,
        "seen": timezone.localtime(beat.last_seen).strftime("%Y-%m-%d %H:%M:%S"),
    }


def tasks_recover_stale(*, now: datetime.datetime | None = None) -> int:
    """Mark failed, with the reason, every task left RUNNING by a worker that is
    gone: stopped, or with no heartbeat for `TASK_WORKER_LOST_AFTER`. A task of
    a worker that never wrote a heartbeat (plain `db_worker`) counts as lost once
    it has run that long. The task's kind then closes what it was doing (a MARC
    import job is marked failed). Returns how many tasks were marked."""
    now = now or timezone.now()
    cutoff = now - lost_after()
    alive = set(fresh_workers(now).values_list("worker_id", flat=True))
    known = {b.worker_id: b for b in WorkerHeartbeat.objects.all()}
    marked = 0
    for row in DBTaskResult.objects.running():
        worker_id = row.worker_ids[-1] if row.worker_ids else ""
        if worker_id in alive:
            continue
        if worker_id not in known and row.started_at and row.started_at >= cutoff:
            continue
        reason = _lost_reason(worker_id, known.get(worker_id))
        updated = DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path=WORKER_LOST,
            traceback=f"{WORKER_LOST}: {reason}\n",
            return_value=None,
        )
        if not updated:
            continue  # it finished meanwhile
        marked += 1
        logger.warning("Task %s (%s): %s", row.pk, row.task_path, reason)
        _run_failure_hook(row.task_path, *task_arguments(row), reason)
    return marked


def _run_failure_hook(path: str, args: list, kwargs: dict, reason: str) -> None:
    kind = task_kind(path)
    if kind is None or kind.on_failure is None:
        return
    try:
        kind.on_failure(args, kwargs, reason)
    except Exception:
        logger.exception("The failure hook of %s failed", path)


def on_task_finished(sender, task_result, **kwargs) -> None:
    """A task that failed in the worker: its kind closes what it was doing."""
    if task_result.status != TaskResultStatus.FAILED:
        return
    error = task_result.errors[-1] if task_result.errors else None
    reason = error_line(error.exception_class_path, error.traceback) if error is not None else ""
    _run_failure_hook(
        task_result.task.module_path, list(task_result.args), dict(task_result.kwargs), reason
    )


# --- Retry ------------------------------------------------------------------------------


def failed_task_get(task_id) -> DBTaskResult:
    row = DBTaskResult.objects.filter(pk=task_id).first()
    if row is None:
        raise PortalError("not_found", _("No such task."))
    return row


@transaction.atomic
def task_retry(*, user, task_id) -> DBTaskResult:
    """Put a failed task back in the queue (the same row: its history of
    workers stays), after its kind has reset what the failure closed. Audited."""
    row = failed_task_get(task_id)
    schools = task_schools(row)
    if not can_manage_task(user, schools):
        raise PortalError("not_allowed", _("You cannot retry this task."))
    if row.status != TaskResultStatus.FAILED:
        raise PortalError("not_failed", _("This task has not failed; there is nothing to retry."))
    kind = task_kind(row.task_path)
    if kind is not None and kind.before_retry is not None:
        kind.before_retry(*task_arguments(row))
    error = error_line(row.exception_class_path, row.traceback)
    DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY,
        enqueued_at=timezone.now(),
        started_at=None,
        finished_at=None,
        run_after=get_date_max(),
        exception_class_path="",
        traceback="",
        return_value=None,
    )
    audit_record(
        actor=user,
        category=AuditEvent.Category.TASKS,
        action="task.retry",
        school=next(iter(schools)) if schools and len(schools) == 1 else None,
        before={"task": str(row.pk), "name": task_label(row.task_path), "status": "FAILED"},
        after={"task": str(row.pk), "name": task_label(row.task_path), "status": "READY"},
        reason=error[:500],
        only_changes=False,
    )
    row.refresh_from_db()
    return row


# --- Running the queue in this process --------------------------------------------------


def tasks_run_waiting() -> tuple[int, int]:
    """Run here, one by one as the worker would, every task waiting in the
    database queue (what `seed_demo` queued: the site search index, the pages'
    reference index), so nothing is left pending. Returns (run, failed); (0, 0)
    when the tasks are not kept in the database (the immediate backend ran them
    already, an RQ worker runs them)."""
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS
    from django_tasks_db.management.commands.db_worker import Worker

    if not database_backend_in_use():
        return 0, 0
    worker_id = f"inline-{get_random_string(12)}"
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    loggers = [logging.getLogger(name) for name in ("django_tasks", "django_tasks_db")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:  # one INFO line per task would bury the command's output
        lg.setLevel(logging.WARNING)
    try:
        worker.run()
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)
    failed = sum(
        1
        for ids in DBTaskResult.objects.failed().values_list("worker_ids", flat=True)
        if worker_id in (ids or [])
    )
    return worker._run_tasks, failed


def periodic_tick(*, now: datetime.datetime | None = None) -> list[str]:
    """Queue every registered periodic job whose interval has passed since it was
    last queued; return their keys. Each job is claimed by a conditional update
    of its `PeriodicRun` row, so two workers ticking together queue it once."""
    now = now or timezone.now()
    queued = []
    for job in periodic_jobs():
        # get_or_create copes with another worker making the row at the same moment
        PeriodicRun.objects.get_or_create(key=job.key)
        since = now - datetime.timedelta(seconds=job.every)
        claimed = PeriodicRun.objects.filter(
            Q(last_queued_at__isnull=True) | Q(last_queued_at__lte=since), key=job.key
        ).update(last_queued_at=now)
        if not claimed:
            continue
        try:
            result = job.enqueue()
        except Exception:  # a broken job must not stop the heartbeat or the others
            logger.exception("Periodic job %s could not be queued", job.key)
            continue
        task_id = str(getattr(result, "id", "") or "")
        PeriodicRun.objects.filter(key=job.key).update(last_task_id=task_id[:64])
        queued.append(job.key)
    return queued
