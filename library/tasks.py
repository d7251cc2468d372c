"""Background work of the library (django_tasks)."""

from django_tasks import task


@task()
def run_marc_import(job_id: int) -> None:
    """Run one uploaded MARC import; safe to run twice."""
    from .services import import_job_run

    import_job_run(job_id=job_id)
