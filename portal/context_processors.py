from django.conf import settings

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
    return {"portal_nav": items, "portal_site_name": settings.WAGTAIL_SITE_NAME}
