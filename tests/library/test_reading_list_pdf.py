"""The reading-list PDF is rendered once per version of the list, not per request
(issue 11: an anonymous request rendered 2,000 records for 25 s, every time)."""

import io
import sys
from types import SimpleNamespace

import pytest

from django.core.cache import cache
from django.urls import reverse

from library import editor, marc, pdfs
from library.importing import import_stream
from library.models import ReadingList
from library.services import reading_list_add, record_save_marc
from portal.files import private_storage
from tests.factories.library import reading_list_create, record_create
from tests.library.conftest import make_marc


class CountingPDF:
    """Stands in for weasyprint.HTML and counts the renders."""

    renders = 0

    def __init__(self, *, string, base_url):
        self.html = string

    def write_pdf(self):
        CountingPDF.renders += 1
        return f"%PDF-1.4 render {CountingPDF.renders}".encode()


@pytest.fixture(autouse=True)
def weasyprint(monkeypatch):
    CountingPDF.renders = 0
    monkeypatch.setitem(sys.modules, "weasyprint", SimpleNamespace(HTML=CountingPDF))
    cache.clear()
    yield CountingPDF
    cache.clear()


@pytest.fixture
def reading_list(world):
    reading_list = reading_list_create(world.a.school, title="Lektury 4")
    record = record_create("Mały Książę", school=world.a.school, control="mk-1")
    reading_list_add(user=world.a.librarian, reading_list=reading_list, record=record)
    return reading_list


def _pdf(client, reading_list):
    response = client.get(reverse("library:list_pdf", args=[reading_list.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{reading_list.slug}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    return b"".join(response.streaming_content)


def test_two_anonymous_requests_render_once(client, reading_list, weasyprint):
    first = _pdf(client, reading_list)
    second = _pdf(client, reading_list)
    assert weasyprint.renders == 1
    assert first == second == b"%PDF-1.4 render 1"


def test_a_change_of_the_list_renders_a_new_version(client, login, world, reading_list):
    librarian = login(world.a.librarian)
    assert _pdf(client, reading_list) == b"%PDF-1.4 render 1"
    added = record_create("Akademia pana Kleksa", school=world.a.school, control="ak-1")
    librarian.post(reverse("library:record_to_list", args=[added.pk]), {"target": reading_list.pk})
    assert _pdf(client, reading_list) == b"%PDF-1.4 render 2"
    librarian.post(
        reverse("library:list_remove", args=[reading_list.slug, added.pk]), {"confirm": "1"}
    )
    assert _pdf(client, reading_list) == b"%PDF-1.4 render 3"
    assert _pdf(client, reading_list) == b"%PDF-1.4 render 3"
    # only the current version is kept
    _dirs, files = private_storage().listdir(f"library/reading-lists/{reading_list.pk}")
    assert len(files) == 1


def test_editing_a_record_of_the_list_renders_a_new_version(client, world, reading_list):
    assert _pdf(client, reading_list) == b"%PDF-1.4 render 1"
    record = reading_list.items.get().record
    text = editor.to_text(marc.from_stored(record.marc))
    record_save_marc(
        user=world.a.librarian,
        record=record,
        text=text.replace("Mały Książę", "Mały Książę (wydanie nowe)"),
    )
    assert _pdf(client, reading_list) == b"%PDF-1.4 render 2"


def test_reimporting_a_record_of_the_list_renders_a_new_version(client, world, reading_list):
    """The importer's bulk update now sets the records' change time too."""
    before = pdfs.reading_list_version(reading_list)
    assert _pdf(client, reading_list) == b"%PDF-1.4 render 1"
    changed = make_marc("Mały Książę. Wyd. 2", control="mk-1")
    import_stream(io.BytesIO(marc.to_binary([changed])), "marc", school=world.a.school)
    assert reading_list.items.get().record.title.startswith("Mały Książę. Wyd. 2")
    assert pdfs.reading_list_version(reading_list) != before
    assert _pdf(client, reading_list) == b"%PDF-1.4 render 2"


def test_editing_the_list_and_each_language_have_their_own_version(client, reading_list, settings):
    assert _pdf(client, reading_list) == b"%PDF-1.4 render 1"
    reading_list.description = "Na wakacje"
    reading_list.save()
    reading_list = ReadingList.objects.get(pk=reading_list.pk)
    assert _pdf(client, reading_list) == b"%PDF-1.4 render 2"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert _pdf(client, reading_list) == b"%PDF-1.4 render 3"
    assert _pdf(client, reading_list) == b"%PDF-1.4 render 3"


def _lock_of(reading_list, language="pl"):
    version = pdfs.reading_list_version(reading_list)
    name = f"library/reading-lists/{reading_list.pk}/{version}-{language}.pdf"
    return name, f"library:reading-list-pdf:{name}"


def test_a_request_waits_for_the_one_that_is_rendering(client, reading_list, monkeypatch):
    """Another worker holds the lock and saves the PDF while this request waits:
    this one serves that file and renders nothing."""
    name, lock = _lock_of(reading_list)
    assert cache.add(lock, "rendering", 60)

    def other_worker_finishes(seconds):
        private_storage().save(name, io.BytesIO(b"%PDF-1.4 by the other worker"))

    monkeypatch.setattr(pdfs.time, "sleep", other_worker_finishes)
    assert _pdf(client, reading_list) == b"%PDF-1.4 by the other worker"
    assert CountingPDF.renders == 0


def test_a_request_that_waits_too_long_is_told_to_retry(client, reading_list, settings):
    settings.LIBRARY_PDF_WAIT_SECONDS = 0
    _name, lock = _lock_of(reading_list)
    assert cache.add(lock, "rendering", 60)
    response = client.get(reverse("library:list_pdf", args=[reading_list.slug]))
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "przygotowywany" in response.content.decode()
    assert CountingPDF.renders == 0
    cache.delete(lock)
    assert _pdf(client, reading_list) == b"%PDF-1.4 render 1"


def test_an_unpublished_list_has_no_pdf_for_others(client, world, login):
    hidden = reading_list_create(world.a.school, published=False)
    assert client.get(reverse("library:list_pdf", args=[hidden.slug])).status_code == 404
    login(world.a.librarian)
    assert _pdf(client, hidden) == b"%PDF-1.4 render 1"
