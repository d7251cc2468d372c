"""Background work of the e-register (django_tasks; immediate backend in tests).

Grade notifications are made by the notification centre (`notifications`):
the two tasks below remain for runs queued before it took over."""

from __future__ import annotations

from django_tasks import task

from .models import TermGrade


@task()
def notify_term_grades(term_grade_ids: list[int]) -> dict:
    """Tell pupils and guardians about new proposed and term grades (through the
    notification centre; idempotent)."""
    from notifications.tasks import produce

    return produce.call("term_grades", list(term_grade_ids), {})


@task()
def retry_grade_mail() -> dict:
    """Send again the notification e-mails that failed (idempotent)."""
    from notifications.tasks import flush

    return flush.call()


def notify_task_schools(args, kwargs) -> set[int]:
    """The schools of the grades one run of `notify_term_grades` tells about."""
    ids = args[0] if args else kwargs.get("term_grade_ids", [])
    return set(
        TermGrade.objects.filter(pk__in=ids).values_list(
            "assignment__school_class__school_year__school_id", flat=True
        )
    )
