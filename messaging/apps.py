from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    """Messages between families and school staff, and between the education
    office and the schools' staff: threads, replies, attachments, read receipts."""

    name = "messaging"
    label = "messaging"  # not "messages": django.contrib.messages holds that label
    verbose_name = _("Messages")
    default_auto_field = "django.db.models.BigAutoField"
