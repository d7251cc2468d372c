from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    """Municipal education analytics: summary tables computed in the background,
    the officer's overview of the gmina's schools and the definitions of every
    figure (`measures.MEASURES`)."""

    name = "analytics"
    verbose_name = _("Municipal analytics")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portal.demo import register_seeder
        from portal.registry import (
            NavItem,
            PeriodicJob,
            TaskKind,
            register_nav,
            register_periodic_job,
            register_task_kind,
        )

        from . import permissions, tasks
        from .services import queue_nightly, seed_figures

        def officer(request):
            return permissions.can_view_analytics(request.user)

        # Same key as the core's old entry: this one replaces it.
        register_nav(
            NavItem(
                "municipality", _("Schools of the municipality"), "analytics:overview", officer, 85
            )
        )
        register_periodic_job(
            PeriodicJob(
                "analytics_nightly",
                _("Municipal figures: summary tables"),
                queue_nightly,
                every=24 * 3600,
            )
        )
        # Last of the seeders: the figures of everything the demo has just made.
        register_seeder("analytics", seed_figures, order=900)
        register_task_kind(
            TaskKind(
                tasks.compute_figures.module_path,
                _("Municipal figures: summary tables"),
                on_failure=tasks.compute_task_failed,
                before_retry=tasks.compute_task_retry,
            )
        )
