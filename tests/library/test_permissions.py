import pytest

from django.urls import reverse

from tests.factories.library import reading_list_create, record_create, topic_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(world):
    record = record_create("Rekord A", school=world.a.school)
    return {
        "record": record,
        "list": reading_list_create(world.a.school, published=False),
        "topic": topic_create(world.a.school),
    }


def librarian_urls(objects):
    record = objects["record"]
    return [
        reverse("library:import"),
        reverse("library:record_new"),
        reverse("library:record_edit", args=[record.pk]),
        reverse("library:record_history", args=[record.pk]),
        reverse("library:list_new"),
        reverse("library:topic_new"),
    ]


def public_urls(objects):
    record = objects["record"]
    return [
        reverse("library:search"),
        reverse("library:search") + "?q=rekord",
        reverse("library:record", args=[record.pk]),
        reverse("library:record_export", args=[record.pk, "ris"]),
        reverse("library:subjects"),
        reverse("library:topics"),
        objects["topic"].get_absolute_url(),
        reverse("library:lists"),
        reverse("library:new_rss"),
    ]


def test_public_pages_need_no_sign_in(client, objects):
    for url in public_urls(objects):
        assert client.get(url).status_code == 200, url


def test_librarian_pages_by_role(world, login, client, objects):
    urls = librarian_urls(objects)
    for url in urls:
        assert client.get(url).status_code == 302, url  # to sign-in
    for user in (world.a.pupil, world.a.guardian, world.a.teacher, world.a.admin, world.officer):
        login(user)
        for url in urls:
            assert client.get(url).status_code in (403, 404), (user.username, url)
    login(world.a.librarian)
    for url in urls:
        assert client.get(url).status_code == 200, url
    login(world.b.librarian)
    own_record_pages = urls[2:4]
    for url in own_record_pages:
        assert client.get(url).status_code == 404, url
    login(world.superuser)
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_unpublished_list_only_for_its_librarians(world, login, client, objects):
    url = objects["list"].get_absolute_url()
    assert client.get(url).status_code == 404
    assert login(world.b.librarian).get(url).status_code == 404
    assert login(world.a.librarian).get(url).status_code == 200


def test_crafted_remove_on_foreign_list_is_404(world, login, objects):
    reading_list = objects["list"]
    reading_list.items.create(record=objects["record"])
    client = login(world.b.librarian)
    url = reverse("library:list_remove", args=[reading_list.slug, objects["record"].pk])
    assert client.post(url).status_code == 404
    assert reading_list.items.count() == 1
