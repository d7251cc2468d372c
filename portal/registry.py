"""Extension points through which apps add to the portal's navigation and dashboard.

portal/ never imports gradebook/, library/ or cms/; they register themselves here
from their AppConfig.ready(), so the dependency runs one way only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    visible: Callable  # (request) -> bool
    order: int = 100

    def url(self) -> str | None:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None


@dataclass(frozen=True)
class DashboardPanel:
    """A section of the dashboard. `context(request)` returns the template's
    context, or None when the panel does not apply to this user."""

    key: str
    template: str
    context: Callable  # (request) -> dict | None
    order: int = 100


@dataclass(frozen=True)
class PersonDataHandler:
    """What one app holds about a person, for the data-protection duties.

    `export(person)` returns a list of tables (`portal.privacy.export.table`);
    `anonymise(person)` removes the app's contact data and returns what it removed
    as {label: count}; `keeps(user_ids)` returns {user_id: reason} for people the
    app still serves (an open library loan), who must not be anonymised yet."""

    key: str
    title: str
    export: Callable  # (person) -> list[dict]
    anonymise: Callable | None = None  # (person) -> dict[str, int]
    keeps: Callable | None = None  # (user_ids) -> dict[int, str]
    order: int = 100


@dataclass(frozen=True)
class TaskKind:
    """What the background-work status page knows of one task function (by its
    module path): a readable name, which schools a run concerns (so a school
    admin sees the error and may retry only their own school's runs), what to do
    when a run failed or its worker died (mark a MARC import failed), and what
    to reset before an admin retries it."""

    path: str
    label: str
    schools: Callable | None = None  # (args, kwargs) -> set of school ids
    on_failure: Callable | None = None  # (args, kwargs, reason: str) -> None
    before_retry: Callable | None = None  # (args, kwargs) -> None


@dataclass(frozen=True)
class HeaderCounter:
    """A count shown in the site header (unread notifications, unread message
    threads). `subquery(user)` returns an expression of one integer (a
    `Subquery`); `portal.context_processors.header_counters` evaluates all
    counters together in ONE query, and only when a template shows them. `icon`
    names the header's symbol ("bell", "envelope"); without one the label is shown."""

    key: str
    label: str
    url_name: str
    subquery: Callable  # (user) -> Subquery expression of an int
    icon: str = ""
    order: int = 100

    def url(self) -> str | None:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None


@dataclass(frozen=True)
class PeriodicJob:
    """Work the task worker queues by itself at a fixed interval, so that
    `make run` (no cron) still sends digests and reminders. `enqueue()` queues the
    task and returns its result (or None); the job must be idempotent, since
    cron may run the same command too."""

    key: str
    label: str
    enqueue: Callable  # () -> TaskResult | None
    every: int  # seconds


@dataclass(frozen=True)
class SearchHit:
    """One thing a search section found, as the site search lists it."""

    title: str
    url: str
    detail: str = ""  # a line under the title (author and year of a record)


@dataclass(frozen=True)
class SearchSectionHits:
    """What a search section found for a query: how many there are in all, the
    first few, and the address of the section's own search for the same query."""

    total: int
    hits: list[SearchHit]
    url: str


@dataclass(frozen=True)
class SearchSection:
    """Hits from another part of the portal shown beside the pages found by the
    site search (the library registers its catalogue). `hits(request, query)`
    returns `SearchSectionHits`, or None when the section does not apply; it must
    take a fixed number of queries however many hits there are. The site search
    renders every section alike (its title, the count, the first hits, a link to
    all of them), so the CMS knows nothing of what a section searches."""

    key: str
    title: str
    hits: Callable  # (request, query: str) -> SearchSectionHits | None
    order: int = 100


_search_sections: dict[str, SearchSection] = {}


def register_search_section(section: SearchSection) -> None:
    _search_sections[section.key] = section


def search_sections() -> list[SearchSection]:
    return sorted(_search_sections.values(), key=lambda s: (s.order, s.key))


_nav: dict[str, NavItem] = {}
_header_counters: dict[str, HeaderCounter] = {}
_panels: dict[str, DashboardPanel] = {}
_person_data: dict[str, PersonDataHandler] = {}
_task_kinds: dict[str, TaskKind] = {}
_periodic: dict[str, PeriodicJob] = {}


def register_periodic_job(job: PeriodicJob) -> None:
    _periodic[job.key] = job


def periodic_jobs() -> list[PeriodicJob]:
    return sorted(_periodic.values(), key=lambda j: j.key)


def register_nav(item: NavItem) -> None:
    _nav[item.key] = item


def register_header_counter(counter: HeaderCounter) -> None:
    _header_counters[counter.key] = counter


def header_counters() -> list[HeaderCounter]:
    return sorted(_header_counters.values(), key=lambda c: (c.order, c.key))


def register_panel(panel: DashboardPanel) -> None:
    _panels[panel.key] = panel


def register_person_data(handler: PersonDataHandler) -> None:
    _person_data[handler.key] = handler


def register_task_kind(kind: TaskKind) -> None:
    _task_kinds[kind.path] = kind


def task_kind(path: str) -> TaskKind | None:
    return _task_kinds.get(path)


def person_data_handlers() -> list[PersonDataHandler]:
    return sorted(_person_data.values(), key=lambda h: (h.order, h.key))


def nav_items() -> list[NavItem]:
    return sorted(_nav.values(), key=lambda i: (i.order, i.key))


def dashboard_panels() -> list[DashboardPanel]:
    return sorted(_panels.values(), key=lambda p: (p.order, p.key))
