from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntranetConfig(AppConfig):
    """The gmina's intranet: the education office's circulars and requests to its
    schools, and the staff noticeboard."""

    name = "intranet"
    label = "intranet"
    verbose_name = _("Intranet")
    default_auto_field = "django.db.models.BigAutoField"
