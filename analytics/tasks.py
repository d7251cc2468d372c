"""Background work of the municipal analytics (django_tasks); idempotent."""

from django_tasks import task

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import override


@task()
def compute_figures(run_id: int) -> int:
    """Bring the summary tables up to date (one `AggregationRun`)."""
    from .services import aggregation_run_execute

    return aggregation_run_execute(run_id=run_id).months_computed


# How the background-work page handles a run (portal.registry.TaskKind).


def _run_id(args, kwargs) -> int:
    return int(args[0] if args else kwargs["run_id"])


def compute_task_failed(args, kwargs, reason: str) -> None:
    from .services import aggregation_run_fail

    with override(settings.LANGUAGE_CODE):
        message = _("The computation stopped: %(reason)s") % {"reason": reason}
    aggregation_run_fail(run_id=_run_id(args, kwargs), reason=message)


def compute_task_retry(args, kwargs) -> None:
    from .services import aggregation_run_requeue

    aggregation_run_requeue(run_id=_run_id(args, kwargs))
