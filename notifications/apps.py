from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """The notification centre: one item per event and recipient, the bell in the
    header, per-kind and per-channel preferences, e-mail (immediate or digest)."""

    name = "notifications"
    label = "notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"
