"""What the status page and the staff banner show of the background work."""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field

from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from django.conf import settings
from django.db.models import Count, Exists, Min, Q
from django.utils import timezone

from portal.permissions import can_manage_task, can_view_task_traceback

from .models import WorkerHeartbeat
from .services import fresh_workers, lost_after
from .taskinfo import (
    database_backend_in_use,
    error_line,
    task_label,
    task_schools,
    traceback_tail,
)

READY, RUNNING = TaskResultStatus.READY, TaskResultStatus.RUNNING
FAILED, SUCCESSFUL = TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL


def waiting_condition(now: datetime.datetime) -> Q:
    """READY tasks whose time has come (not those deferred to later)."""
    return Q(status=READY) & (Q(run_after=get_date_max()) | Q(run_after__lte=now))


@dataclass
class TaskQueue:
    path: str
    label: str
    waiting: int
    deferred: int
    running: int
    failed: int
    succeeded: int
    oldest: datetime.datetime | None


@dataclass
class WorkerState:
    beat: WorkerHeartbeat
    state: str  # alive, lost or stopped
    running: list[str] = field(default_factory=list)


@dataclass
class FailedTask:
    row: DBTaskResult
    label: str
    exception: str  # the class, without its module
    error: str | None  # class and message, for those who may see it
    traceback: str | None  # the last lines, for superusers
    can_retry: bool


def task_queues(now: datetime.datetime) -> list[TaskQueue]:
    """Per task: waiting, deferred, running, failed and (last 24 h) succeeded
    runs, and the oldest waiting one (one query)."""
    waiting = waiting_condition(now)
    recent = Q(finished_at__gte=now - datetime.timedelta(days=1))
    rows = (
        DBTaskResult.objects.filter(Q(status__in=[READY, RUNNING, FAILED]) | recent)
        .order_by()
        .values("task_path")
        .annotate(
            waiting=Count("pk", filter=waiting),
            deferred=Count("pk", filter=Q(status=READY) & ~waiting),
            running=Count("pk", filter=Q(status=RUNNING)),
            failed=Count("pk", filter=Q(status=FAILED)),
            succeeded=Count("pk", filter=Q(status=SUCCESSFUL) & recent),
            oldest=Min("enqueued_at", filter=waiting),
        )
    )
    queues = [
        TaskQueue(
            path=r["task_path"],
            label=task_label(r["task_path"]),
            waiting=r["waiting"],
            deferred=r["deferred"],
            running=r["running"],
            failed=r["failed"],
            succeeded=r["succeeded"],
            oldest=r["oldest"],
        )
        for r in rows
    ]
    return sorted(queues, key=lambda q: (-q.waiting, -q.running, q.label))


def worker_states(now: datetime.datetime) -> list[WorkerState]:
    cutoff = now - lost_after()
    running: dict[str, list[str]] = {}
    for path, worker_ids in DBTaskResult.objects.running().values_list("task_path", "worker_ids"):
        if worker_ids:
            running.setdefault(worker_ids[-1], []).append(task_label(path))
    states = []
    for beat in WorkerHeartbeat.objects.order_by("-last_seen")[:50]:
        if beat.stopped_at is not None:
            state = "stopped"
        elif beat.last_seen >= cutoff:
            state = "alive"
        else:
            state = "lost"
        states.append(WorkerState(beat, state, running.get(beat.worker_id, [])))
    return states


def failed_tasks():
    """Failed tasks, latest first, for a paginator."""
    return DBTaskResult.objects.failed().order_by("-finished_at", "-enqueued_at")


def describe_failed(user, rows) -> list[FailedTask]:
    """What `user` may see of each failed task: every task's name, times and
    exception class; its message and retry button only for a task that concerns
    the user's own schools (see `portal.permissions.can_manage_task`)."""
    show_traceback = can_view_task_traceback(user)
    described = []
    for row in rows:
        allowed = can_manage_task(user, task_schools(row))
        described.append(
            FailedTask(
                row=row,
                label=task_label(row.task_path),
                exception=row.exception_class_path.rsplit(".", 1)[-1],
                error=error_line(row.exception_class_path, row.traceback) if allowed else None,
                traceback=traceback_tail(row.traceback) if show_traceback else None,
                can_retry=allowed,
            )
        )
    return described


def task_overview(now: datetime.datetime | None = None) -> dict:
    now = now or timezone.now()
    queues = task_queues(now)
    oldest = min((q for q in queues if q.oldest), key=lambda q: q.oldest, default=None)
    workers = worker_states(now)
    alive = sum(1 for w in workers if w.state == "alive")
    pending = any(q.waiting or q.running for q in queues)
    return {
        "now": now,
        "queues": queues,
        "waiting": sum(q.waiting for q in queues),
        "oldest": oldest,
        "oldest_age": (now - oldest.oldest) if oldest else None,
        "workers": workers,
        "alive": alive,
        "stalled": pending and not alive,
        "last_seen": max((w.beat.last_seen for w in workers), default=None),
        "lost_after_minutes": int(lost_after().total_seconds() // 60),
        "periodic": periodic_states(),
    }


def periodic_states() -> list[dict]:
    """Each periodic job the worker queues, with when it was last queued."""
    from portal.registry import periodic_jobs

    from .models import PeriodicRun

    runs = {r.key: r for r in PeriodicRun.objects.all()}
    return [
        {
            "label": job.label,
            "every_minutes": job.every // 60,
            "last": getattr(runs.get(job.key), "last_queued_at", None),
        }
        for job in periodic_jobs()
    ]


# --- The banner -------------------------------------------------------------------------

_stalled_memo: dict[str, tuple[float, bool]] = {}


def background_stalled(now: datetime.datetime | None = None) -> bool:
    """Whether tasks wait (or one is left running) while no worker has been
    seen for `TASK_WORKER_LOST_AFTER` (one query)."""
    now = now or timezone.now()
    pending = DBTaskResult.objects.filter(waiting_condition(now) | Q(status=RUNNING))
    return pending.filter(~Exists(fresh_workers(now))).exists()


def background_stalled_cached() -> bool:
    """`background_stalled`, remembered in this process for
    `TASK_WORKER_BANNER_CACHE` seconds: the banner costs a query at most once in
    that time, none on other requests. False when the tasks are not kept in the
    database (RQ, the immediate backend of tests)."""
    if not database_backend_in_use():
        return False
    ttl = settings.TASK_WORKER_BANNER_CACHE
    memo = _stalled_memo.get("value")
    if memo is not None and time.monotonic() - memo[0] < ttl:
        return memo[1]
    value = background_stalled()
    _stalled_memo["value"] = (time.monotonic(), value)
    return value


def forget_banner_state() -> None:
    _stalled_memo.clear()
