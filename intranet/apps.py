from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntranetConfig(AppConfig):
    """The gmina's intranet: the education office's circulars and requests to its
    schools, and the staff noticeboard."""

    name = "intranet"
    label = "intranet"
    verbose_name = _("Intranet")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portal.demo import register_seeder
        from portal.registry import TaskKind, register_task_kind

        from . import dashboard, permissions, tasks  # noqa: F401  (rules register on import)
        from .demo import seed_intranet

        dashboard.register()
        register_seeder("intranet", seed_intranet, order=80)
        register_task_kind(
            TaskKind(tasks.notify_circular.module_path, _("Intranet: circular notices"))
        )
        register_task_kind(
            TaskKind(tasks.notify_request.module_path, _("Intranet: request notices"))
        )
        register_task_kind(
            TaskKind(tasks.notify_post.module_path, _("Intranet: noticeboard notices"))
        )
