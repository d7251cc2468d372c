"""Background work of the library (django_tasks)."""

from django_tasks import task

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import override


@task()
def run_marc_import(job_id: int) -> None:
    """Run one uploaded MARC import; safe to run twice."""
    from .services import import_job_run

    import_job_run(job_id=job_id)


@task()
def refresh_search_summaries() -> int:
    """The broad searches computed ahead, again after the catalogue or its copies
    changed (`library.summaries.refresh_stale_summaries`); idempotent."""
    from .summaries import refresh_stale_summaries

    return refresh_stale_summaries()


def queue_summaries_refresh():
    return refresh_search_summaries.enqueue()


# How the background-work page handles a run of `run_marc_import` (portal.registry).


def _job_id(args, kwargs) -> int:
    return int(args[0] if args else kwargs["job_id"])


def import_task_schools(args, kwargs) -> set[int]:
    from .models import ImportJob

    job = ImportJob.objects.filter(pk=_job_id(args, kwargs)).values_list("school_id", flat=True)
    return set(job)


def import_task_failed(args, kwargs, reason: str) -> None:
    """The task failed or its worker died: the job must not stay "running"."""
    from .services import import_job_fail

    with override(settings.LANGUAGE_CODE):
        message = _("The import stopped: %(reason)s") % {"reason": reason}
    import_job_fail(job_id=_job_id(args, kwargs), reason=message)


def import_task_retry(args, kwargs) -> None:
    from .services import import_job_requeue

    import_job_requeue(job_id=_job_id(args, kwargs))
