"""Wagtail hooks of the public portal."""

from wagtail import hooks

from portal.files import mark_private_file


@hooks.register("before_serve_document")
def restricted_documents_are_not_cached(document, request):
    """A document of a collection with a view restriction (sign-in or password) is
    sent with `Cache-Control: private, no-store` (portal.files.sendfile); Wagtail's
    own hook decides whether the request may have it."""
    if document.collection.get_view_restrictions().exists():
        mark_private_file(request)
