from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import (
            accounts,  # noqa: F401  (audits account changes made through allauth)
            permissions,  # noqa: F401  (registers the rules)
        )
        from .registry import register_core

        register_core()
