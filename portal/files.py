"""Files that only some people may download.

Uploads of the register (homework attachments, later message attachments) and
generated files (reading-list PDFs) live in the *private* storage
(`STORAGES["private"]`, root `PRIVATE_MEDIA_ROOT`), which is outside `MEDIA_ROOT`:
the web server never serves it by URL. A view checks the named permission rule and
answers with `serve_protected_file`, which either streams the file from Django or,
in production, hands it to the web server by an internal redirect
(`PROTECTED_FILES_SERVER`: "nginx" -> `X-Accel-Redirect`, "apache" -> `X-Sendfile`).

Wagtail documents go through Wagtail's own serve view, which applies the collection
view restrictions; `sendfile` below is its backend (`SENDFILE_BACKEND`), so the
same headers and the same web-server hand-off apply to them.
"""

from __future__ import annotations

import logging
import mimetypes
import os
import posixpath
import unicodedata
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import FileResponse, Http404, HttpResponse
from django.utils.functional import LazyObject, empty
from django.utils.http import content_disposition_header
from django.views.static import serve

logger = logging.getLogger(__name__)

PRIVATE_STORAGE = "private"
SERVERS = ("", "nginx", "apache")
# Folders of MEDIA_ROOT that are not public: Wagtail serves documents through its
# own view, which checks the collection's view restrictions.
NON_PUBLIC_MEDIA_DIRS = ("documents",)


class _PrivateStorage(LazyObject):
    def _setup(self):
        self._wrapped = storages[PRIVATE_STORAGE]


_private_storage = _PrivateStorage()


def private_storage() -> Storage:
    """The storage of files that only a permission-checking view serves. A callable
    for `FileField(storage=...)`: migrations record the function, not a path."""
    return _private_storage


@receiver(setting_changed)
def _storages_changed(*, setting, **kwargs):
    if setting == "STORAGES":
        _private_storage._wrapped = empty


def safe_filename(name: str, fallback: str = "file") -> str:
    """The last path component of `name` without control characters or quotes,
    at most 150 characters (the extension kept): a name for Content-Disposition."""
    name = PurePosixPath((name or "").replace("\\", "/")).name
    name = unicodedata.normalize("NFC", name)
    name = "".join(c for c in name if unicodedata.category(c)[0] not in "CZ" or c == " ")
    name = name.replace('"', "'").strip(" .")
    stem, suffix = os.path.splitext(name)
    if len(name) > 150:
        name = stem[: 150 - len(suffix)] + suffix
    return name or fallback


def _server() -> str:
    server = getattr(settings, "PROTECTED_FILES_SERVER", "")
    if server not in SERVERS:
        raise ImproperlyConfigured(f"PROTECTED_FILES_SERVER must be one of {SERVERS}.")
    return server


def _internal_url(storage_name: str, name: str) -> str:
    """The nginx-internal URI of a stored file (escaped, as nginx expects)."""
    prefix = getattr(settings, "PROTECTED_FILES_INTERNAL_URLS", {}).get(storage_name)
    if not prefix:
        raise ImproperlyConfigured(
            f"PROTECTED_FILES_INTERNAL_URLS has no internal location for storage {storage_name!r}."
        )
    return prefix.rstrip("/") + "/" + quote(name.lstrip("/"))


def _protect(response, *, private: bool = True):
    response["X-Content-Type-Options"] = "nosniff"
    if private:
        response["Cache-Control"] = "private, no-store"
    return response


def serve_protected_file(
    request, storage_name: str, path: str, filename: str, as_attachment: bool = True
):
    """Answer with the file `path` of storage `storage_name`, named `filename` for
    the browser. Call it only after the view has checked the permission.

    Always `Cache-Control: private, no-store` and `X-Content-Type-Options: nosniff`;
    a missing file is a 404."""
    storage = storages[storage_name]
    if not path or not storage.exists(path):
        raise Http404
    filename = safe_filename(filename, fallback=safe_filename(path))
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    server = _server()
    local_path = None
    if server == "apache":
        try:
            local_path = storage.path(path)
        except NotImplementedError:
            local_path = None  # a remote storage: Django streams it
    if server == "nginx":
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = _internal_url(storage_name, path)
    elif local_path:
        response = HttpResponse(content_type=content_type)
        response["X-Sendfile"] = quote(local_path)
    else:
        response = FileResponse(storage.open(path, "rb"), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    return _protect(response)


# --- Wagtail documents ---------------------------------------------------------------------


def mark_private_file(request) -> None:
    """Say that the file this request is about to receive is not public (a document
    of a restricted collection): `sendfile` then forbids caching it."""
    request.portal_private_file = True


def _storage_of(local_path: str) -> tuple[str, str]:
    """(storage name, name inside it) of a file by its absolute path, among the
    storages that have an internal location."""
    target = Path(local_path).resolve()
    found = []
    for storage_name in getattr(settings, "PROTECTED_FILES_INTERNAL_URLS", {}):
        try:
            root = Path(storages[storage_name].path("")).resolve()
        except NotImplementedError:
            continue
        if target.is_relative_to(root):
            found.append((len(root.parts), storage_name, target.relative_to(root).as_posix()))
    if not found:
        raise ImproperlyConfigured(f"No internal location serves {local_path}.")
    _depth, storage_name, name = max(found)  # the innermost root
    return storage_name, name


def sendfile(request, filename, **kwargs):
    """Wagtail's SENDFILE_BACKEND: `filename` is the absolute path of a document that
    Wagtail's serve view has already allowed. Wagtail adds Content-Disposition,
    Content-Type and Content-Length to what this returns."""
    server = _server()
    if server == "nginx":
        response = HttpResponse()
        response["X-Accel-Redirect"] = _internal_url(*_storage_of(filename))
    elif server == "apache":
        response = HttpResponse()
        response["X-Sendfile"] = quote(os.fspath(filename))
    else:
        from wagtail.utils.sendfile_streaming_backend import sendfile as stream

        response = stream(request, filename, **kwargs)
    return _protect(response, private=getattr(request, "portal_private_file", False))


# --- Development server --------------------------------------------------------------------


def serve_public_media(request, path: str):
    """DEBUG only: MEDIA_ROOT as the documented nginx serves it, without the
    folders that are served through views (documents)."""
    normalized = posixpath.normpath(path).lstrip("/")
    if normalized.split("/", 1)[0] in NON_PUBLIC_MEDIA_DIRS:
        raise Http404
    return serve(request, path, document_root=settings.MEDIA_ROOT)


# --- Moving files between storages ---------------------------------------------------------


def move_files(names, *, source: Storage, target: Storage) -> dict[str, str]:
    """Move the stored files `names` from `source` to `target`, keeping their names
    where the target allows. Idempotent: a file already in the target is only
    removed from the source. Returns {old name: new name} for names that changed;
    a file missing in both is logged and skipped."""
    renamed = {}
    for name in names:
        if not name:
            continue
        if target.exists(name):
            if source.exists(name):
                source.delete(name)
            continue
        if not source.exists(name):
            logger.warning("Stored file %s is missing; nothing to move.", name)
            continue
        with source.open(name, "rb") as handle:
            saved = target.save(name, handle)
        source.delete(name)
        if saved != name:
            renamed[name] = saved
    return renamed
