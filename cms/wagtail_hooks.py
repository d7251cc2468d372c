"""Wagtail hooks of the public portal."""

from django.templatetags.static import static
from django.utils.html import format_html

from wagtail import hooks

from portal.files import mark_private_file

from .pagecache import remember_route

# The public pages' cache keeps the route of a page it may serve (cms/pagecache.py).
hooks.register("before_serve_page", remember_route)


@hooks.register("before_serve_document")
def restricted_documents_are_not_cached(document, request):
    """A document of a collection with a view restriction (sign-in or password) is
    sent with `Cache-Control: private, no-store` (portal.files.sendfile); Wagtail's
    own hook decides whether the request may have it."""
    if document.collection.get_view_restrictions().exists():
        mark_private_file(request)


@hooks.register("insert_global_admin_css")
def admin_accessibility_css():
    """A focus ring that contrasts 3:1 with the admin's light backgrounds."""
    return format_html('<link rel="stylesheet" href="{}">', static("cms/admin.css"))


@hooks.register("insert_global_admin_js")
def admin_accessibility_js():
    """Names for Draftail's editable area and the tag field (see the script)."""
    return format_html('<script src="{}" defer></script>', static("cms/admin-a11y.js"))
