"""`manage.py task_worker`: the database task worker (`db_worker`) with a
heartbeat, so the portal can tell staff when background work has stopped.

On start it registers itself, notes workers of this host whose process is gone
and marks failed the tasks dead workers left running (a MARC import job with
them). While it runs, a thread writes the heartbeat every `TASK_WORKER_HEARTBEAT`
seconds (also during a long task) and, every minute, fails the tasks of workers
silent for `TASK_WORKER_LOST_AFTER`; at each beat it queues the periodic jobs that
are due (`portal.registry.PeriodicJob`: notification digests, library reminders),
so `make run` needs no cron. With TASK_BACKEND=rq it runs `rqworker`."""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import threading

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, close_old_connections, connection
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader

from portal.background.services import (
    heartbeat_beat,
    heartbeat_start,
    heartbeat_stop,
    periodic_tick,
    tasks_recover_stale,
)
from portal.background.taskinfo import database_backend_in_use

logger = logging.getLogger("portal.background")
RECOVER_EVERY = 60  # seconds between looks for tasks of dead workers


class HeartbeatThread(threading.Thread):
    def __init__(self, worker_id: str, interval: float):
        super().__init__(name="task-worker-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.interval = max(1.0, interval)
        self.halt = threading.Event()

    def run(self) -> None:
        beats_per_recovery = max(1, round(RECOVER_EVERY / self.interval))
        beats = 0
        try:
            while not self.halt.wait(self.interval):
                close_old_connections()
                beats += 1
                try:
                    heartbeat_beat(worker_id=self.worker_id)
                    if beats % beats_per_recovery == 0:
                        tasks_recover_stale()
                    if settings.TASK_WORKER_PERIODIC:
                        periodic_tick()
                except DatabaseError as exc:  # a locked SQLite file: try at the next beat
                    logger.warning("Heartbeat of %s not written: %s", self.worker_id, exc)
        finally:
            connection.close()

    def stop(self) -> None:
        self.halt.set()
        self.join(timeout=5)


def _say_stopped(worker_id: str) -> None:
    """At interpreter exit: best effort, the database may be gone by then."""
    with contextlib.suppress(DatabaseError):
        heartbeat_stop(worker_id=worker_id)


class HeartbeatWorker(Worker):
    def run(self) -> None:
        heartbeat_start(worker_id=self.worker_id, queues=",".join(self.queue_names))
        # With --reload this runs in a daemon thread and a signal ends the process from
        # the main thread, past the `finally` below: say "stopped" on the way out too.
        atexit.register(_say_stopped, self.worker_id)
        pulse = HeartbeatThread(self.worker_id, settings.TASK_WORKER_HEARTBEAT)
        pulse.start()
        try:
            super().run()
        finally:
            pulse.stop()
            heartbeat_stop(worker_id=self.worker_id)


class Command(DbWorkerCommand):
    help = (
        "Run the background task worker with a heartbeat (the database backend; "
        "with TASK_BACKEND=rq it runs rqworker)."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        for action in parser._actions:
            if action.dest == "backend_name":
                action.type = str  # checked in handle(): RQ is handed over, not refused

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        reload,
        max_tasks,
        worker_id,
        exclude_queues,
        **options,
    ) -> None:
        if not database_backend_in_use():
            call_command("rqworker", *queue_name.split(","), verbosity=verbosity)
            return
        self.configure_logging(verbosity)
        if reload and batch:
            reload = False
        worker = HeartbeatWorker(
            queue_names=queue_name.split(","),
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=exclude_queues.split(",") if exclude_queues else [],
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
