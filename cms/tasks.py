"""Background work of the public portal."""

from __future__ import annotations

import datetime
from io import StringIO

from django_tasks import task

from django.core.management import call_command
from django.utils import timezone


@task()
def publish_scheduled(repeat_minutes: int = 0) -> str:
    """Publish pages whose go-live time has come and unpublish expired ones.
    Idempotent. With `repeat_minutes` the task enqueues its own next run, so the
    task worker alone keeps scheduled publishing going (no cron needed)."""
    out = StringIO()
    call_command("publish_scheduled", stdout=out)
    if repeat_minutes > 0:
        schedule_publishing(repeat_minutes=repeat_minutes)
    return out.getvalue()


def pending_publishing_runs() -> int | None:
    """How many runs wait in the database backend (None: backend cannot tell)."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - the db backend is always installed here
        return None
    backend = publish_scheduled.get_backend()
    if type(backend).__module__.split(".")[0] != "django_tasks_db":
        return None
    return DBTaskResult.objects.filter(
        task_path=publish_scheduled.module_path, status="READY"
    ).count()


def schedule_publishing(*, repeat_minutes: int = 5, only_if_idle: bool = False) -> bool:
    """Enqueue the next repeating run; False when the backend cannot defer
    tasks or (with `only_if_idle`) a run is already waiting."""
    backend = publish_scheduled.get_backend()
    if not backend.supports_defer:
        return False
    if only_if_idle and (pending_publishing_runs() or 0) > 0:
        return False
    run_after = timezone.now() + datetime.timedelta(minutes=repeat_minutes)
    publish_scheduled.using(run_after=run_after).enqueue(repeat_minutes=repeat_minutes)
    return True
