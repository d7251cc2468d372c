from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Public portal")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portal.demo import register_seeder
        from portal.registry import DashboardPanel, NavItem, register_nav, register_panel

        from . import signals  # noqa: F401
        from .dashboard import editor_panel
        from .demo import seed_cms

        register_nav(NavItem("cms-search", _("Search"), "cms:search", lambda request: True, 5))
        register_panel(DashboardPanel("cms-editor", "cms/dashboard/editor.html", editor_panel, 50))
        register_seeder("cms", seed_cms, order=500)
        from portal.registry import PersonDataHandler, register_person_data

        from . import privacy

        register_person_data(
            PersonDataHandler(
                "cms", _("Public portal"), privacy.export_person, privacy.anonymise_person, order=50
            )
        )
