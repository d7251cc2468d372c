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


def register_export():
    """The register export's background task (its screens are reached from the
    year end's page, "Koniec roku"). One task runs every export job format (XML,
    JSON, the registers' PDFs, a class's record sheets), so its label names them all."""
    from portal.registry import TaskKind, register_task_kind

    from . import export_tasks

    register_task_kind(
        TaskKind(
            export_tasks.run_register_export.module_path,
            _("Register exports and printouts (XML/JSON, PDF, record sheets)"),
            schools=export_tasks.export_task_schools,
            on_failure=export_tasks.export_task_failed,
            before_retry=export_tasks.export_task_retry,
        )
    )


def register_archive():
    """The year-end archive's background task (its screens are reached from the
    year end's page, "Koniec roku")."""
    from portal.registry import TaskKind, register_task_kind

    from . import archive_tasks

    register_task_kind(
        TaskKind(
            archive_tasks.run_year_archive.module_path,
            _("Year-end archive (signed)"),
            schools=archive_tasks.archive_task_schools,
            on_failure=archive_tasks.archive_task_failed,
            before_retry=archive_tasks.archive_task_retry,
        )
    )
