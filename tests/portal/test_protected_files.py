"""portal.files: the private storage, the protected-file response and its headers,
the development media server, moving stored files, and the settings checks."""

from urllib.parse import quote

import pytest

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.http import Http404
from django.test import RequestFactory

from portal.checks import check_protected_files
from portal.files import (
    move_files,
    private_storage,
    safe_filename,
    serve_protected_file,
    serve_public_media,
)


def _get():
    return RequestFactory().get("/plik/")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Zadanie 1.pdf", "Zadanie 1.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ja\\ćwiczenia.odt", "ćwiczenia.odt"),
        ('a"b\r\nSet-Cookie: x=1.txt', "a'bSet-Cookie: x=1.txt"),
        ("\u202egpj.exe", "gpj.exe"),
        ("...", "file"),
        ("", "file"),
        ("x" * 300 + ".pdf", "x" * 146 + ".pdf"),
    ],
)
def test_safe_filename(given, expected):
    assert safe_filename(given) == expected


def test_streamed_by_django_with_the_protective_headers():
    name = storages["private"].save("register/homework/abc.pdf", ContentFile(b"%PDF-1.4 x"))
    response = serve_protected_file(_get(), "private", name, 'Zad"anie\n1.pdf', as_attachment=True)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 x"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Zad\'anie1.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert "X-Accel-Redirect" not in response and "X-Sendfile" not in response


def test_a_non_ascii_name_is_sent_encoded():
    name = storages["private"].save("a.txt", ContentFile(b"x"))
    response = serve_protected_file(_get(), "private", name, "Żółw.txt", as_attachment=False)
    assert response["Content-Disposition"] == "inline; filename*=utf-8''%C5%BB%C3%B3%C5%82w.txt"


def test_a_missing_file_is_not_found():
    with pytest.raises(Http404):
        serve_protected_file(_get(), "private", "nie/ma.pdf", "x.pdf")
    with pytest.raises(Http404):
        serve_protected_file(_get(), "private", "", "x.pdf")


def test_nginx_gets_an_internal_redirect_and_no_body(settings):
    settings.PROTECTED_FILES_SERVER = "nginx"
    name = storages["private"].save("register/homework/abc.pdf", ContentFile(b"%PDF-1.4 x"))
    response = serve_protected_file(_get(), "private", name, "Zadanie.pdf")
    assert name.startswith("register/homework/abc")
    assert response["X-Accel-Redirect"] == f"/private-files/{name}"
    assert response.content == b""
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Zadanie.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_apache_gets_x_sendfile_with_the_absolute_path(settings, disk):
    settings.PROTECTED_FILES_SERVER = "apache"
    name = private_storage().save("register/homework/zadanie ą.pdf", ContentFile(b"%PDF-1.4"))
    response = serve_protected_file(_get(), "private", name, "Zadanie.pdf")
    assert response["X-Sendfile"] == quote(str(disk / "private" / name))
    assert response.content == b""
    assert response["Cache-Control"] == "private, no-store"


def test_private_storage_follows_the_settings(disk):
    name = private_storage().save("register/homework/a.txt", ContentFile(b"x"))
    assert (disk / "private" / name).is_file()
    assert not (disk / "media" / name).exists()


def test_development_media_server_does_not_serve_documents(disk):
    (disk / "media" / "documents").mkdir(parents=True)
    (disk / "media" / "documents" / "uchwala.pdf").write_bytes(b"%PDF-1.4")
    (disk / "media" / "original_images").mkdir()
    (disk / "media" / "original_images" / "szkola.png").write_bytes(b"\x89PNG")
    request = RequestFactory().get("/media/")
    assert serve_public_media(request, "original_images/szkola.png").status_code == 200
    for path in ("documents/uchwala.pdf", "original_images/../documents/uchwala.pdf"):
        with pytest.raises(Http404):
            serve_public_media(request, path)


def test_move_files_is_idempotent(tmp_path):
    source = FileSystemStorage(location=tmp_path / "media")
    target = FileSystemStorage(location=tmp_path / "private")
    source.save("register/homework/a.pdf", ContentFile(b"a"))
    source.save("register/homework/b.pdf", ContentFile(b"b"))
    target.save("register/homework/b.pdf", ContentFile(b"b"))  # moved by an earlier run
    names = ["register/homework/a.pdf", "register/homework/b.pdf", "register/homework/gone.pdf"]
    assert move_files(names, source=source, target=target) == {}
    assert not source.exists("register/homework/a.pdf")
    assert not source.exists("register/homework/b.pdf")
    assert target.open("register/homework/a.pdf").read() == b"a"
    assert move_files(names, source=source, target=target) == {}
    assert target.open("register/homework/b.pdf").read() == b"b"


def test_checks_refuse_a_private_root_inside_media_root_and_unknown_servers(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media" / "private"},
        },
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PROTECTED_FILES_SERVER = "lighttpd"
    assert sorted(e.id for e in check_protected_files(None)) == ["portal.E101", "portal.E103"]
    settings.STORAGES["private"]["OPTIONS"]["location"] = tmp_path / "private"
    settings.PROTECTED_FILES_SERVER = "nginx"
    settings.PROTECTED_FILES_INTERNAL_URLS = {}
    assert [e.id for e in check_protected_files(None)] == ["portal.E104"]
    settings.PROTECTED_FILES_INTERNAL_URLS = {"private": "/private-files/"}
    assert check_protected_files(None) == []
