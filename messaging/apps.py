from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    """Messages between families and school staff, and between the education
    office and the schools' staff: threads, replies, attachments, read receipts."""

    name = "messaging"
    label = "messaging"  # not "messages": django.contrib.messages holds that label
    verbose_name = _("Messages")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portal.demo import register_seeder
        from portal.registry import (
            PersonDataHandler,
            TaskKind,
            register_person_data,
            register_task_kind,
        )

        from . import dashboard, permissions, privacy, tasks  # noqa: F401 (rules on import)
        from .demo import seed_messages

        dashboard.register()
        register_seeder("messaging", seed_messages, order=80)
        register_person_data(
            PersonDataHandler(
                "messaging",
                _("Messages"),
                privacy.export_person,
                privacy.anonymise_person,
                order=40,
            )
        )
        register_task_kind(TaskKind(tasks.deliver_message.module_path, _("Message delivery")))
        register_task_kind(
            TaskKind(tasks.purge_expired_messages.module_path, _("Message retention"))
        )
