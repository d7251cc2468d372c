from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CirculationConfig(AppConfig):
    """Library circulation (copies, loans, holds, reader accounts, stocktaking):
    an app of its own inside library/, built on the catalogue's records."""

    name = "library.circulation"
    label = "circulation"
    verbose_name = _("Library circulation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portal.demo import register_seeder
        from portal.registry import (
            DashboardPanel,
            NavItem,
            PeriodicJob,
            register_nav,
            register_panel,
            register_periodic_job,
        )

        from . import permissions  # noqa: F401 (registers the rules)
        from .demo import seed_circulation
        from .periodic import queue_circulation_daily

        # hourly: the job sends each reminder once, so the first run of a day does the work
        register_periodic_job(
            PeriodicJob(
                "circulation_daily",
                _("Library: expired holds and loan reminders"),
                queue_circulation_daily,
                every=3600,
            )
        )
        from .facets import register_copy_facets
        from .panels import desk_panel, reader_panel

        def reader(request):
            return permissions.has_library_account(request.user)

        def librarian(request):
            return request.user.is_authenticated and permissions.is_any_librarian(request.user)

        register_copy_facets()
        register_nav(
            NavItem("library-account", _("My library account"), "circulation:account", reader, 41)
        )
        register_nav(
            NavItem("library-desk", _("Circulation desk"), "circulation:desk_home", librarian, 42)
        )
        register_panel(
            DashboardPanel("circulation-reader", "circulation/panel_reader.html", reader_panel, 15)
        )
        register_panel(
            DashboardPanel("circulation-desk", "circulation/panel_desk.html", desk_panel, 61)
        )
        # After the catalogue (60): the copies need its records.
        register_seeder("circulation", seed_circulation, 70)
        from portal.registry import TaskKind, register_task_kind

        from . import tasks

        register_task_kind(
            TaskKind(tasks.circulation_daily.module_path, _("Library: holds and reminders"))
        )
        register_task_kind(
            TaskKind(tasks.retry_reminders.module_path, _("Library reminders sent again"))
        )
        from portal.registry import PersonDataHandler, register_person_data

        from . import privacy

        register_person_data(
            PersonDataHandler(
                "library",
                _("School libraries"),
                privacy.export_person,
                privacy.anonymise_person,
                privacy.readers_with_open_loans,
                order=40,
            )
        )
