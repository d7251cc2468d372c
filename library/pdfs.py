"""Reading-list PDFs, rendered once per version of the list.

WeasyPrint needs tens of seconds for a long list, and the PDF of a published list
is open to everyone: rendering it per request would let anyone keep the web workers
busy. The PDF is kept in the private storage under a name made of the list's
version and the language. A request renders it only when that file is missing, and
concurrent first requests wait for the one holding the lock (`cache.add`) instead
of rendering it again.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.files import private_storage
from portal.pdfs import render_pdf

from .errors import LibraryError
from .models import ReadingList
from .services import reading_list_records

PDF_RECORD_LIMIT = 2000
# Longer than any render (gunicorn kills a worker long before): a lock left by a
# killed worker expires by itself.
LOCK_SECONDS = 2 * 60
POLL_SECONDS = 0.5


def _records(reading_list: ReadingList):
    return reading_list_records(reading_list)[:PDF_RECORD_LIMIT]


def reading_list_version(reading_list: ReadingList) -> str:
    """A digest of what the PDF shows: the list's own fields (its last change), its
    school, its entries (record, note, position) and the ids and last change times
    of its records. Adding, removing or editing a record of the list gives a new one."""
    entries = reading_list.items.order_by("pk").values_list("record_id", "note", "position")
    records = _records(reading_list).values_list("pk", "updated_at")
    state = (
        reading_list.pk,
        reading_list.updated_at.isoformat(),
        str(reading_list.school),
        list(entries),
        [(pk, changed.isoformat()) for pk, changed in records],
    )
    return hashlib.sha256(repr(state).encode()).hexdigest()[:32]


def _folder(reading_list: ReadingList) -> str:
    return f"library/reading-lists/{reading_list.pk}"


def _render(reading_list: ReadingList, base_url: str) -> bytes:
    return render_pdf(
        "library/list_pdf.html",
        {
            "list": reading_list,
            "records": _records(reading_list),
            "notes": dict(reading_list.items.values_list("record_id", "note")),
            "now": timezone.now(),
        },
        base_url,
    )


def _drop_other_versions(storage, reading_list: ReadingList, version: str) -> None:
    try:
        _dirs, names = storage.listdir(_folder(reading_list))
    except FileNotFoundError:
        return
    for name in names:
        if not name.startswith(f"{version}-"):
            storage.delete(f"{_folder(reading_list)}/{name}")


def _wait_for(storage, name: str) -> str:
    deadline = time.monotonic() + settings.LIBRARY_PDF_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        if storage.exists(name):
            return name
    raise LibraryError(
        "pdf_busy", _("The PDF of this list is being prepared. Try again in a minute.")
    )


def reading_list_pdf(*, reading_list: ReadingList, base_url: str) -> str:
    """The private-storage name of the list's PDF in the current language. Renders
    it only when this version of the list has none yet; while another request
    renders it, waits for that one (LibraryError `pdf_busy` after
    LIBRARY_PDF_WAIT_SECONDS). Older versions' files are removed."""
    storage = private_storage()
    version = reading_list_version(reading_list)
    language = translation.get_language() or settings.LANGUAGE_CODE
    name = f"{_folder(reading_list)}/{version}-{language}.pdf"
    if storage.exists(name):
        return name
    lock = f"library:reading-list-pdf:{name}"
    if not cache.add(lock, "rendering", LOCK_SECONDS):
        return _wait_for(storage, name)
    try:
        if not storage.exists(name):  # finished between our check and the lock
            data = _render(reading_list, base_url)
            _drop_other_versions(storage, reading_list, version)
            storage.save(name, ContentFile(data))
    finally:
        cache.delete(lock)
    return name
