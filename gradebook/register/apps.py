from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class RegisterConfig(AppConfig):
    """The class register part of the e-register (lessons, attendance, excuses,
    remarks, homework, tests, announcements). A Django app of its own inside
    gradebook/, so that it migrates and is tested independently of grades."""

    name = "gradebook.register"
    label = "register"
    verbose_name = pgettext_lazy("lessons", "Class register")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portal.demo import register_seeder

        from . import dashboard, permissions  # noqa: F401  (rules are registered on import)
        from .demo import seed_register

        dashboard.register()
        register_seeder("register", seed_register, order=60)
        from portal.registry import PersonDataHandler, register_person_data

        from . import privacy

        register_person_data(
            PersonDataHandler(
                "register",
                pgettext_lazy("lessons", "Class register"),
                privacy.export_person,
                privacy.anonymise_person,
                order=30,
            )
        )
        from django.utils.translation import gettext_lazy

        from portal.registry import TaskKind, register_task_kind

        from . import tasks

        register_task_kind(
            TaskKind(tasks.notify_test_change.module_path, gettext_lazy("Test calendar notices"))
        )
