from django.conf import settings

from .middleware import idle_timeout_for
from .permissions import can_view_task_status, is_staff_member
from .registry import header_counters as registered_header_counters
from .registry import nav_items
from .terminal import idle_end_url, is_infomat


def portal(request):
    """Navigation that follows the user's roles, and the site name."""
    if not hasattr(request, "user"):  # refused before sessions ran (an error page)
        return {"portal_nav": [], "portal_site_name": settings.WAGTAIL_SITE_NAME}
    items = []
    path = request.path
    for item in nav_items():
        if not item.visible(request):
            continue
        url = item.url()
        if url is None:
            continue
        active = path == url or (url != "/" and path.startswith(url))
        items.append({"label": item.label, "url": url, "active": active})
    idle_timeout = idle_timeout_for(request)
    idle_warning = min(settings.STAFF_IDLE_WARNING, idle_timeout // 3)
    return {
        "portal_nav": items,
        "portal_site_name": settings.WAGTAIL_SITE_NAME,
        "idle_timeout": idle_timeout,
        "idle_warning": idle_warning,
        "idle_warning_minutes": max(1, round(idle_warning / 60)),
        "idle_end_url": idle_end_url(request) if idle_timeout else None,
        "infomat": is_infomat(request),
        **background_banner(request),
    }


def background_banner(request) -> dict:
    """Staff are told when background work has stopped: tasks wait and no task
    worker has been seen for `TASK_WORKER_LOST_AFTER`. At most one query per
    process every `TASK_WORKER_BANNER_CACHE` seconds; none for anyone else."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not is_staff_member(user):
        return {}
    from .background.selectors import background_stalled_cached

    if not background_stalled_cached():
        return {}
    return {"background_stalled": True, "background_status_link": can_view_task_status(user)}


#: A user id no account has: the header's statement is compiled once with it and
#: the real id is put in its place on every request.
_NOBODY = -7_000_000_001
#: (database alias, counters) -> (SQL, parameters, the parameters' slots that
#: hold the user's id). Building the statement's subqueries through the ORM
#: cost more than running it (1.3 ms against 0.03 ms on SQLite), on every
#: signed-in page.
_COMPILED: dict[tuple, tuple[str, tuple, tuple[int, ...]]] = {}


def _header_statement(counters, alias: str) -> tuple[str, tuple, tuple[int, ...]]:
    key = (alias, tuple((c.key, id(c.subquery)) for c in counters))
    compiled = _COMPILED.get(key)
    if compiled is None:
        from django.db.models import IntegerField
        from django.db.models.functions import Coalesce

        from .models import User

        nobody = User(pk=_NOBODY)
        expressions = {
            f"count_{c.key}": Coalesce(c.subquery(nobody), 0, output_field=IntegerField())
            for c in counters
        }
        query = User.objects.using(alias).filter(pk=_NOBODY).values(**expressions).query
        sql, params = query.sql_with_params()
        slots = tuple(i for i, value in enumerate(params) if value == _NOBODY)
        compiled = _COMPILED[key] = (sql, tuple(params), slots)
    return compiled


class HeaderCounts:
    """The header's counters for one request, evaluated on first use in ONE
    query (the user's row with a count subquery per counter, compiled once per
    process: `_header_statement`), never when the template does not show them."""

    def __init__(self, user):
        self._user = user
        self._items: list[dict] | None = None

    def _evaluate(self) -> list[dict]:
        if self._items is None:
            from django.db import connections, router

            from .models import User

            counters = [(c, c.url()) for c in registered_header_counters()]
            counters = [(c, url) for c, url in counters if url is not None]
            values = {}
            if counters:
                alias = router.db_for_read(User)
                sql, params, slots = _header_statement([c for c, _url in counters], alias)
                params = list(params)
                for slot in slots:
                    params[slot] = self._user.pk
                with connections[alias].cursor() as cursor:
                    cursor.execute(sql, params)
                    row = cursor.fetchone()
                    if row is not None:
                        values = dict(zip([col[0] for col in cursor.description], row, strict=True))
            self._items = [
                {
                    "key": c.key,
                    "label": c.label,
                    "url": url,
                    "icon": c.icon,
                    "count": values.get(f"count_{c.key}") or 0,
                }
                for c, url in counters
            ]
        return self._items

    def __iter__(self):
        return iter(self._evaluate())

    def __len__(self) -> int:
        return len(self._evaluate())

    def __getitem__(self, key: str) -> dict:
        for item in self._evaluate():
            if item["key"] == key:
                return item
        raise KeyError(key)


def header_counters(request) -> dict:
    """Unread counts for the header (bell, messages): one query, lazily."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"header_counters": ()}
    return {"header_counters": HeaderCounts(user)}
