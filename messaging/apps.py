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
        from portal.registry import (
            HeaderCounter,
            PeriodicJob,
            register_header_counter,
            register_periodic_job,
        )

        from .selectors import unread_threads_subquery

        # the envelope beside the bell; counted in the header's one query
        register_header_counter(
            HeaderCounter(
                key="messages",
                label=_("Messages"),
                url_name="messaging:inbox",
                subquery=lambda user: unread_threads_subquery(user.pk),
                icon="envelope",
                order=20,
            )
        )
        # retention: whole threads older than each school's setting, nightly enough
        register_periodic_job(
            PeriodicJob(
                "purge_messages",
                _("Messages: deleting threads past the school's retention"),
                tasks.purge_expired_messages.enqueue,
                every=86400,
            )
        )
        register_task_kind(
            TaskKind(tasks.purge_expired_messages.module_path, _("Message retention"))
        )
