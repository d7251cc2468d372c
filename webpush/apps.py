from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebPushConfig(AppConfig):
    """Web Push to phones and desktops (pywebpush, VAPID keys from the environment)
    and what makes the portal an installable PWA: manifest, service worker,
    offline page."""

    name = "webpush"
    label = "webpush"
    verbose_name = _("Web Push")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portal.registry import PersonDataHandler, register_person_data

        from . import checks, dashboard, permissions, privacy, signals  # noqa: F401

        dashboard.register()

        register_person_data(
            PersonDataHandler(
                "webpush",
                _("Devices with push notifications"),
                privacy.export_person,
                privacy.anonymise_person,
                order=90,
            )
        )
