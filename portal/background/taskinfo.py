"""Reading one stored task (a `django_tasks_db` row) the way the status page
and the services need it: its name, the schools it concerns, its error."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from portal.registry import task_kind

TRACEBACK_TAIL_LINES = 12


def database_backend_in_use() -> bool:
    """Whether the default task backend keeps its tasks in our database (the
    status page, the heartbeat and the banner read those rows)."""
    path = settings.TASKS.get("default", {}).get("BACKEND", "")
    try:
        backend = import_string(path)
    except ImportError:
        return False
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(backend, type) and issubclass(backend, DatabaseBackend)


def task_label(path: str) -> str:
    kind = task_kind(path)
    if kind is not None:
        return str(kind.label)
    return path.rsplit(".", 1)[-1].replace("_", " ")


def task_arguments(row) -> tuple[list, dict]:
    stored = row.args_kwargs or {}
    return list(stored.get("args") or []), dict(stored.get("kwargs") or {})


def task_schools(row) -> frozenset[int] | None:
    """The schools one run concerns, as its task kind tells from the arguments;
    None when the run concerns the whole portal (or nobody can tell)."""
    kind = task_kind(row.task_path)
    if kind is None or kind.schools is None:
        return None
    args, kwargs = task_arguments(row)
    try:
        return frozenset(kind.schools(args, kwargs))
    except Exception:  # a run of a deleted object concerns no school we can name
        return None


def error_line(exception_class_path: str, traceback: str) -> str:
    """The exception's class and message: the traceback's last paragraph (the
    lines from the one naming the exception down), or the class alone."""
    lines = [line for line in (traceback or "").rstrip().splitlines() if line.strip()]
    short = exception_class_path.rsplit(".", 1)[-1]
    for index in range(len(lines) - 1, -1, -1):
        line = lines[index]
        if not line.startswith(" ") and (
            line.startswith(exception_class_path) or line.startswith(short)
        ):
            return "\n".join(lines[index:])[:1000]
    return lines[-1][:1000] if lines else exception_class_path


def traceback_tail(traceback: str) -> str:
    lines = (traceback or "").rstrip().splitlines()
    return "\n".join(lines[-TRACEBACK_TAIL_LINES:])
