from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackgroundConfig(AppConfig):
    """Background work made visible: the task worker's heartbeat, tasks that a
    dead worker left running, the status page with its retry button, the banner
    for staff and per-recipient e-mail delivery. An app of its own inside
    portal/, so that it migrates independently of the core."""

    name = "portal.background"
    label = "background"
    verbose_name = _("Background work")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django_tasks.signals import task_finished

        from portal.registry import NavItem, register_nav

        from .services import on_task_finished

        task_finished.connect(on_task_finished, dispatch_uid="background-task-finished")

        def status_page(request):
            from portal.permissions import can_view_task_status

            return can_view_task_status(request.user)

        register_nav(
            NavItem("background", _("Background work"), "background:status", status_page, 96)
        )
