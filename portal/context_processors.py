from django.conf import settings

from .middleware import idle_timeout_for
from .registry import nav_items


def portal(request):
    """Navigation that follows the user's roles, and the site name."""
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
        "idle_kiosk": bool(idle_timeout and request.session.get("kiosk")),
    }
