"""Background work of the public portal."""

from io import StringIO

from django_tasks import task

from django.core.management import call_command


@task()
def publish_scheduled() -> str:
    """Publish pages whose go-live time has come and unpublish expired ones.
    Idempotent: run it every few minutes from the task worker or cron."""
    out = StringIO()
    call_command("publish_scheduled", stdout=out)
    return out.getvalue()
