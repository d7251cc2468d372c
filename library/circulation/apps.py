from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CirculationConfig(AppConfig):
    """Library circulation (copies, loans, holds, reader accounts, stocktaking):
    an app of its own inside library/, built on the catalogue's records."""

    name = "library.circulation"
    label = "circulation"
    verbose_name = _("Library circulation")
    default_auto_field = "django.db.models.BigAutoField"
