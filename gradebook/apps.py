from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GradebookConfig(AppConfig):
    name = "gradebook"
    verbose_name = _("E-register")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portal.demo import register_seeder
        from portal.registry import DashboardPanel, NavItem, register_nav, register_panel

        from . import dashboard, permissions  # noqa: F401  (registers the rules)
        from .demo import seed_grades

        register_nav(NavItem("gradebook", _("E-register"), "gradebook:home", dashboard.uses, 20))
        register_panel(
            DashboardPanel(
                "gradebook-teacher", "gradebook/panel_teacher.html", dashboard.teacher, 21
            )
        )
        register_panel(
            DashboardPanel("gradebook-family", "gradebook/panel_family.html", dashboard.family, 12)
        )
        register_seeder("gradebook", seed_grades, order=20)
        from portal.registry import TaskKind, register_task_kind

        from . import tasks

        register_task_kind(
            TaskKind(
                tasks.notify_term_grades.module_path,
                _("Grade notifications"),
                schools=tasks.notify_task_schools,
            )
        )
        register_task_kind(
            TaskKind(tasks.retry_grade_mail.module_path, _("Grade e-mails sent again"))
        )
        from portal.registry import PersonDataHandler, register_person_data

        from . import privacy

        register_person_data(
            PersonDataHandler(
                "gradebook",
                _("E-register: grades"),
                privacy.export_person,
                privacy.anonymise_person,
                order=20,
            )
        )
