from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Public portal")
    default_auto_field = "django.db.models.BigAutoField"
