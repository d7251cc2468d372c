from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EservicesConfig(AppConfig):
    """E-services for families: a school's catalogue of services, cases with a
    number, a timeline and a deadline, the handler's queue, issued documents with
    a public verification page."""

    name = "eservices"
    label = "eservices"
    verbose_name = _("E-services")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portal.demo import register_seeder

        from . import dashboard, permissions  # noqa: F401 (rules register on import)
        from .demo import seed_eservices

        dashboard.register()
        register_seeder("eservices", seed_eservices, order=210)
