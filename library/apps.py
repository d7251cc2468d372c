from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "library"
    verbose_name = _("Library")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.conf import settings

        from portal.demo import register_seeder
        from portal.registry import (
            DashboardPanel,
            NavItem,
            PeriodicJob,
            SearchSection,
            register_nav,
            register_panel,
            register_periodic_job,
            register_search_section,
        )

        from . import permissions  # noqa: F401 (registers the rules)
        from .demo import seed_library

        def everyone(request):
            return True

        register_nav(NavItem("library", _("Library catalogue"), "library:search", everyone, 40))
        register_panel(DashboardPanel("library", "library/panel.html", _librarian_panel, 60))
        register_seeder("library", seed_library, 60)
        register_task_kinds()
        from .tasks import queue_summaries_refresh

        # A loan changes the availability facet and so makes the broad searches
        # computed ahead stale; computed again while the day goes on.
        register_periodic_job(
            PeriodicJob(
                "library_search_summaries",
                _("Library: common searches computed ahead again"),
                queue_summaries_refresh,
                every=settings.LIBRARY_SUMMARIES_REFRESH,
            )
        )
        register_search_section(
            SearchSection("library", _("Library catalogue"), catalogue_search_hits, 10)
        )


def register_task_kinds():
    from portal.registry import TaskKind, register_task_kind

    from . import tasks

    register_task_kind(
        TaskKind(
            tasks.run_marc_import.module_path,
            _("MARC import"),
            schools=tasks.import_task_schools,
            on_failure=tasks.import_task_failed,
            before_retry=tasks.import_task_retry,
        )
    )
    register_task_kind(
        TaskKind(
            tasks.refresh_search_summaries.module_path,
            _("Library: common searches computed ahead again"),
        )
    )


def _librarian_panel(request):
    from .models import Record
    from .permissions import is_any_librarian, librarian_schools
    from .selectors import jobs_for

    if not is_any_librarian(request.user):
        return None
    return {
        "records": Record.objects.count(),
        "jobs": list(jobs_for(librarian_schools(request.user))[:3]),
    }


SEARCH_HITS_SHOWN = 5


def catalogue_search_hits(request, query: str):
    """The catalogue's records beside the pages the site search finds: the first
    few and the exact count. The count comes from `Results.facets()`, which counts
    the hits with the facets in one statement cached per query and catalogue
    version, the same entry the catalogue's own results page reads: a repeated
    search, or following the link to the catalogue, does not count again."""
    from urllib.parse import urlencode

    from django.urls import reverse

    from portal.registry import SearchHit, SearchSectionHits

    from .search import Query, search

    if not query:
        return None
    results = search(Query(q=query))
    results.facets()  # fills count() from the cached count+facets statement
    total = results.count()
    records = results[:SEARCH_HITS_SHOWN] if total else []
    return SearchSectionHits(
        total=total,
        hits=[
            SearchHit(
                record.title,
                record.get_absolute_url(),
                ", ".join(str(p) for p in (record.main_author, record.year) if p),
            )
            for record in records
        ],
        url=reverse("library:search") + "?" + urlencode({"q": query}),
    )
