"""Background work of the year-end archive (django_tasks)."""

from django_tasks import task

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import override


@task()
def run_year_archive(archive_id: int) -> None:
    """Make one school year's signed archive; safe to run twice."""
    from .archive import year_archive_run

    year_archive_run(archive_id=archive_id)


# How the background-work page handles a run of `run_year_archive` (portal.registry).


def _archive_id(args, kwargs) -> int:
    return int(args[0] if args else kwargs["archive_id"])


def archive_task_schools(args, kwargs) -> set[int]:
    from .models import YearArchive

    return set(
        YearArchive.objects.filter(pk=_archive_id(args, kwargs)).values_list("school_id", flat=True)
    )


def archive_task_failed(args, kwargs, reason: str) -> None:
    from .archive import year_archive_fail

    with override(settings.LANGUAGE_CODE):
        message = _("The archive stopped: %(reason)s") % {"reason": reason}
    year_archive_fail(archive_id=_archive_id(args, kwargs), reason=message)


def archive_task_retry(args, kwargs) -> None:
    from .archive import year_archive_requeue

    year_archive_requeue(archive_id=_archive_id(args, kwargs))
