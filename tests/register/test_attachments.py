"""Homework attachments are private files: stored outside MEDIA_ROOT, served only by
`register:homework_file` to the people who see the homework (issue 11)."""

import importlib

import pytest

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.views.static import serve

from gradebook.register import services
from gradebook.register.models import Homework
from portal.files import private_storage

PDF = b"%PDF-1.4 zadanie"


@pytest.fixture
def homework(world):
    return services.homework_create(
        assignment=world.a.assignment,
        due_date=timezone.localdate() + timezone.timedelta(days=3),
        description="Zadania 1–5",
        user=world.a.teacher,
        attachment=SimpleUploadedFile("Zadanie 1.pdf", PDF, content_type="application/pdf"),
    )


def test_attachment_is_not_under_media_root(disk, homework):
    """The finding: /media/register/homework/<name> was served to anyone."""
    name = homework.attachment.name
    assert (disk / "private" / name).read_bytes() == PDF
    assert not (disk / "media" / name).exists()
    assert not default_storage.exists(name)
    # what the web server (or DEBUG's static()) does for /media/<name>
    with pytest.raises(Http404):
        serve(RequestFactory().get(f"/media/{name}"), name, document_root=disk / "media")


def test_only_people_who_see_the_homework_get_the_file(world, login, homework, client):
    a, b = world.a, world.b
    url = reverse("register:homework_file", args=[homework.pk])
    for user in (a.teacher, a.homeroom, a.admin, a.pupil, a.guardian, world.superuser):
        login(user)
        response = client.get(url)
        assert response.status_code == 200, user
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Disposition"] == 'attachment; filename="Zadanie 1.pdf"'
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "private, no-store"
    for user in (a.other_pupil, a.librarian, world.officer, b.teacher, b.guardian, b.admin):
        login(user)
        assert client.get(url).status_code == 404, user
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "/konto/login/" in response["Location"]


def test_nginx_sends_the_file_by_internal_redirect(world, login, homework, settings):
    settings.PROTECTED_FILES_SERVER = "nginx"
    response = login(world.a.guardian).get(reverse("register:homework_file", args=[homework.pk]))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/private-files/{homework.attachment.name}"
    assert response.content == b""
    assert response["Content-Disposition"] == 'attachment; filename="Zadanie 1.pdf"'


def test_apache_sends_the_file_by_x_sendfile(disk, world, login, homework, settings):
    settings.PROTECTED_FILES_SERVER = "apache"
    response = login(world.a.pupil).get(reverse("register:homework_file", args=[homework.pk]))
    assert response.status_code == 200
    assert response["X-Sendfile"] == str(disk / "private" / homework.attachment.name)
    assert response.content == b""


def test_migration_moves_existing_attachments_out_of_media_root(disk, world):
    """Files uploaded before the private storage sit under MEDIA_ROOT; the data
    migration moves them (and back when reversed), and may run twice."""
    migration = importlib.import_module(
        "gradebook.register.migrations.0003_homework_private_attachment"
    )
    old = default_storage.save("register/homework/old.pdf", ContentFile(PDF))
    homework = Homework.objects.create(
        assignment=world.a.assignment,
        due_date=timezone.localdate(),
        description="x",
        created_by=world.a.teacher,
    )
    Homework.objects.filter(pk=homework.pk).update(attachment=old)
    migration.to_private(apps, None)
    migration.to_private(apps, None)
    assert not (disk / "media" / old).exists()
    assert (disk / "private" / old).read_bytes() == PDF
    homework.refresh_from_db()
    assert homework.attachment.name == old and homework.attachment.read() == PDF
    migration.to_public(apps, None)
    assert (disk / "media" / old).read_bytes() == PDF
    assert not private_storage().exists(old)
