from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "library"
    verbose_name = _("Library")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portal.demo import register_seeder
        from portal.registry import DashboardPanel, NavItem, register_nav, register_panel

        from . import permissions  # noqa: F401 (registers the rules)
        from .demo import seed_library

        def everyone(request):
            return True

        register_nav(NavItem("library", _("Library catalogue"), "library:search", everyone, 40))
        register_panel(DashboardPanel("library", "library/panel.html", _librarian_panel, 60))
        register_seeder("library", seed_library, 60)
        register_task_kinds()


def register_task_kinds():
    from portal.registry import TaskKind, register_task_kind

    from . import tasks

    register_task_kind(
        TaskKind(
            tasks.run_marc_import.module_path,
            _("MARC import"),
            schools=tasks.import_task_schools,
            on_failure=tasks.import_task_failed,
            before_retry=tasks.import_task_retry,
        )
    )


def _librarian_panel(request):
    from .models import Record
    from .permissions import is_any_librarian, librarian_schools
    from .selectors import jobs_for

    if not is_any_librarian(request.user):
        return None
    return {
        "records": Record.objects.count(),
        "jobs": list(jobs_for(librarian_schools(request.user))[:3]),
    }
