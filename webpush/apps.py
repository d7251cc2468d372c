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
