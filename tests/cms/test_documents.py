"""CMS documents go through Wagtail's serve view, which applies the collection's
view restrictions; the raw files under MEDIA_ROOT/documents/ are not served."""

import pytest

from django.core.files.base import ContentFile

from wagtail.documents.models import Document
from wagtail.models import Collection, CollectionViewRestriction


@pytest.fixture
def media(disk):
    """Wagtail hands a document with a local path to SENDFILE_BACKEND, which finds the
    storage the file belongs to by its path."""
    return disk / "media"


def _document(title, content, name, collection=None):
    return Document.objects.create(
        title=title,
        file=ContentFile(content, name=name),
        collection=collection or Collection.get_first_root_node(),
    )


@pytest.fixture
def documents(db, media):
    staff_only = Collection.get_first_root_node().add_child(name="Dla nauczycieli")
    CollectionViewRestriction.objects.create(
        collection=staff_only, restriction_type=CollectionViewRestriction.LOGIN
    )
    secret = Collection.get_first_root_node().add_child(name="Rada rodziców")
    CollectionViewRestriction.objects.create(
        collection=secret, restriction_type=CollectionViewRestriction.PASSWORD, password="tajne"
    )
    return {
        "public": _document("Statut", b"%PDF-1.4 statut", "statut.pdf"),
        "login": _document("Plan zebrań", b"%PDF-1.4 plan", "plan.pdf", staff_only),
        "password": _document("Protokół", b"%PDF-1.4 protokol", "protokol.pdf", secret),
    }


def test_document_links_go_through_the_serve_view(documents, media):
    for document in documents.values():
        assert document.url == f"/documents/{document.pk}/{document.filename}"
        assert (media / "documents" / document.filename).is_file()


def test_public_document_is_served_to_everyone(client, documents):
    response = client.get(documents["public"].url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 statut"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" not in response.get("Cache-Control", "")


def test_private_collection_document_needs_sign_in(client, documents, world):
    url = documents["login"].url
    response = client.get(url)
    assert response.status_code == 302 and "/konto/login/" in response["Location"]
    client.force_login(world.a.pupil)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 plan"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_password_collection_document_needs_the_password(client, documents):
    url = documents["password"].url
    response = client.get(url)
    assert response.status_code == 200 and b"%PDF" not in response.content
    assert "no-cache" in response["Cache-Control"]


def test_nginx_serves_documents_through_the_internal_location(client, documents, settings):
    settings.PROTECTED_FILES_SERVER = "nginx"
    response = client.get(documents["public"].url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/media/documents/statut.pdf"
    assert response.content == b""
    assert response["Content-Disposition"].endswith('filename="statut.pdf"')
    assert client.get(documents["login"].url).status_code == 302


def test_apache_serves_documents_by_x_sendfile(client, documents, settings, media):
    settings.PROTECTED_FILES_SERVER = "apache"
    response = client.get(documents["public"].url)
    assert response["X-Sendfile"] == str(media / "documents" / "statut.pdf")
    assert response.content == b""
