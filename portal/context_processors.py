from django.conf import settings

from .header import header_counts
from .middleware import idle_timeout_for
from .permissions import can_view_task_status, is_staff_member
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


def header_counters(request) -> dict:
    """Unread counts for the header (bell, messages): one query, lazily, shared
    with the dashboard's panels that show the same numbers (`portal.header`)."""
    counts = header_counts(request)
    return {"header_counters": counts if counts is not None else ()}
