from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Public portal")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portal.demo import register_seeder
        from portal.registry import DashboardPanel, NavItem, register_nav, register_panel

        from . import signals

        signals.content_signals_connect()
        from .dashboard import editor_panel
        from .demo import seed_cms

        register_nav(NavItem("cms-search", _("Search"), "cms:search", lambda request: True, 5))
        register_panel(DashboardPanel("cms-editor", "cms/dashboard/editor.html", editor_panel, 50))
        register_seeder("cms", seed_cms, order=500)
        register_task_kinds()
        from portal.registry import PersonDataHandler, register_person_data

        from . import privacy

        register_person_data(
            PersonDataHandler(
                "cms", _("Public portal"), privacy.export_person, privacy.anonymise_person, order=50
            )
        )


# Wagtail's own tasks, and ours, by the names the background-work page shows.
WAGTAIL_TASKS = {
    "modelsearch.tasks.insert_or_update_object_task": _("Site search index"),
    "wagtail.tasks.update_reference_index_task": _("Reference index of pages"),
    "wagtail.tasks.delete_file_from_storage_task": _("Deleting a stored file"),
    "wagtail.images.tasks.set_image_focal_point_task": _("Image focal point"),
    "wagtail.contrib.frontend_cache.tasks.purge_urls_from_cache_task": _("Front-end cache purge"),
}


def register_task_kinds():
    from portal.registry import TaskKind, register_task_kind

    from .tasks import publish_scheduled

    register_task_kind(TaskKind(publish_scheduled.module_path, _("Scheduled publishing")))
    for path, label in WAGTAIL_TASKS.items():
        register_task_kind(TaskKind(path, label))
