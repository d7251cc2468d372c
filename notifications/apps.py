from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """The notification centre: one item per event and recipient, the bell in the
    header, per-kind and per-channel preferences, e-mail (immediate or digest)."""

    name = "notifications"
    label = "notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portal.demo import register_seeder
        from portal.registry import (
            HeaderCounter,
            PersonDataHandler,
            TaskKind,
            register_header_counter,
            register_person_data,
            register_task_kind,
        )

        from . import permissions, privacy, tasks  # noqa: F401  (rules register on import)
        from .demo import seed_notifications
        from .selectors import unread_count_subquery

        register_header_counter(
            HeaderCounter(
                key="notifications",
                label=_("Notifications"),
                url_name="notifications:list",
                subquery=unread_count_subquery,
                icon="bell",
                order=10,
            )
        )
        register_seeder("notifications", seed_notifications, order=200)
        from portal.registry import PeriodicJob, register_periodic_job

        # quiet hours ending, digests at the users' times, failed e-mails again
        register_periodic_job(
            PeriodicJob(
                "notifications_run",
                _("Notifications: held e-mails and pushes, daily digests"),
                tasks.flush.enqueue,
                every=300,
            )
        )
        register_person_data(
            PersonDataHandler(
                "notifications",
                _("Notifications"),
                privacy.export_person,
                privacy.anonymise_person,
                order=90,
            )
        )
        register_task_kind(TaskKind(tasks.produce.module_path, _("Notifications: making")))
        register_task_kind(TaskKind(tasks.deliver.module_path, _("Notifications: e-mail and push")))
        register_task_kind(
            TaskKind(tasks.flush.module_path, _("Notifications: digests and held deliveries"))
        )
