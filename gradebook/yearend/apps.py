from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class YearEndConfig(AppConfig):
    """The school year's paperwork (klasyfikacja, promocja, nowy rok szkolny, the
    printouts and exports the regulation requires). An app of its own inside
    gradebook/: it reads grades and the class register and writes only its own
    records (promotion decisions, archives)."""

    name = "gradebook.yearend"
    label = "yearend"
    verbose_name = _("Year-end documentation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import dashboard, permissions  # noqa: F401  (rules are registered on import)

        dashboard.register()
        register_export()
        register_archive()


def runs_year_end(request) -> bool:
    """Whether the navigation shows the year-end pages: from the cached roles, no
    query on every page."""
    from .permissions import year_end_school_ids

    if not request.user.is_authenticated:
        return False
    school_ids = year_end_school_ids(request.user)
    return school_ids is None or bool(school_ids)


def register_export():
    """The register export: its navigation entry and its background task."""
    from portal.registry import NavItem, TaskKind, register_nav, register_task_kind

    from . import export_tasks

    register_nav(
        NavItem("yearend-export", _("Register export"), "yearend:export_index", runs_year_end, 82)
    )
    register_task_kind(
        TaskKind(
            export_tasks.run_register_export.module_path,
            _("Register export (XML/JSON)"),
            schools=export_tasks.export_task_schools,
            on_failure=export_tasks.export_task_failed,
            before_retry=export_tasks.export_task_retry,
        )
    )


def register_archive():
    """The year-end archive: its navigation entry and its background task."""
    from portal.registry import NavItem, TaskKind, register_nav, register_task_kind

    from . import archive_tasks

    register_nav(
        NavItem(
            "yearend-archive", _("Year-end archive"), "yearend_archive:index", runs_year_end, 83
        )
    )
    register_task_kind(
        TaskKind(
            archive_tasks.run_year_archive.module_path,
            _("Year-end archive (signed)"),
            schools=archive_tasks.archive_task_schools,
            on_failure=archive_tasks.archive_task_failed,
            before_retry=archive_tasks.archive_task_retry,
        )
    )
