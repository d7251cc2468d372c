"""Background work of the register export (django_tasks)."""

from django_tasks import task

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import override


@task()
def run_register_export(job_id: int) -> None:
    """Write one whole-school register export; safe to run twice."""
    from .export_jobs import register_export_job_run

    register_export_job_run(job_id=job_id)


# How the background-work page handles a run of `run_register_export` (portal.registry).


def _job_id(args, kwargs) -> int:
    return int(args[0] if args else kwargs["job_id"])


def export_task_schools(args, kwargs) -> set[int]:
    from .models import RegisterExportJob

    return set(
        RegisterExportJob.objects.filter(pk=_job_id(args, kwargs)).values_list(
            "school_id", flat=True
        )
    )


def export_task_failed(args, kwargs, reason: str) -> None:
    from .export_jobs import register_export_job_fail

    with override(settings.LANGUAGE_CODE):
        message = _("The export stopped: %(reason)s") % {"reason": reason}
    register_export_job_fail(job_id=_job_id(args, kwargs), reason=message)


def export_task_retry(args, kwargs) -> None:
    from .export_jobs import register_export_job_requeue

    register_export_job_requeue(job_id=_job_id(args, kwargs))
