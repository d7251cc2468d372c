"""Background work of the class register (django_tasks; immediate backend in tests).

Notices of moved tests are made by the notification centre (`notifications`);
the task below remains for runs queued before it took over."""

from __future__ import annotations

from django_tasks import task


@task()
def notify_test_change(assignment_id: int, what: str, old_date: str, new_date: str) -> dict:
    """Tell the class's pupils and guardians that a planned test moved from
    `old_date` to `new_date`, or is off when `new_date` is empty (idempotent)."""
    from notifications.tasks import produce

    extra = {"what": what, "old": old_date, "new": new_date}
    return produce.call("test_change", [assignment_id], extra)
