"""The cataloguing form writes MARC for a book, an e-book and an article in a host
item; editing through it changes only the fields it manages and keeps the rest;
only the record's librarians reach it."""

import pytest

from django.urls import reverse

from library import marc
from library.models import Record
from tests.factories.library import record_create

pytestmark = pytest.mark.django_db

BOOK = {
    "kind": "book",
    "title": "Akademia pana Kleksa",
    "responsibility": "Jan Brzechwa ; il. Jan Marcin Szancer",
    "author": "Brzechwa, Jan",
    "other_authors": "Szancer, Jan Marcin",
    "place": "Warszawa",
    "publisher": "Nasza Księgarnia",
    "year": "2019",
    "extent": "180 s. : il. ; 24 cm",
    "isbn": "83-04-04663-6",
    "language": "pol",
    "subjects": "Literatura dziecięca polska\nBaśnie",
    "ukd": "821.162.1-93",
}


def post_new(client, world, **changes):
    data = {**BOOK, "school": world.a.school.pk, **changes}
    return client.post(reverse("library:record_form_new"), data)


def test_a_book_from_the_form_is_marc_the_catalogue_reads(world, login):
    client = login(world.a.librarian)
    assert client.get(reverse("library:record_form_new")).status_code == 200
    response = post_new(client, world)
    assert response.status_code == 302
    record = Record.objects.get()
    assert record.school == world.a.school
    assert (record.title, record.main_author, record.year) == (
        "Akademia pana Kleksa",
        "Brzechwa, Jan",
        2019,
    )
    assert record.isbns == ["9788304046634"] and record.material == "book"
    assert record.subjects == ["Literatura dziecięca polska", "Baśnie"]
    parsed = marc.from_stored(record.marc)
    assert parsed["245"].get("c") == "Jan Brzechwa ; il. Jan Marcin Szancer"
    assert parsed["264"].get("b").startswith("Nasza Księgarnia")
    assert len(parsed["008"].data) == 40 and parsed["008"].data[35:38] == "pol"
    assert record.changes.get().action == "created"
    found = client.get(reverse("library:search"), {"q": "kleksa"}).context["total"]
    assert found == 1


def test_an_ebook_needs_its_address_and_is_marked_online(world, login):
    client = login(world.a.librarian)
    refused = post_new(client, world, kind="ebook")
    assert refused.status_code == 200 and "wymaga adresu" in refused.text
    post_new(client, world, kind="ebook", url="https://wolnelektury.pl/katalog/lektura/x/")
    parsed = marc.from_stored(Record.objects.get().marc)
    assert parsed["856"].get("u") == "https://wolnelektury.pl/katalog/lektura/x/"
    assert parsed["008"].data[23] == "o"


def test_an_article_is_linked_to_its_host_from_the_host_page(world, login):
    host = record_create("Świerszczyk 2024", school=world.a.school)
    client = login(world.a.librarian)
    page = client.get(host.get_absolute_url()).text
    link = reverse("library:record_form_new") + f"?host={host.pk}"
    assert link in page
    form = client.get(link).context["form"]
    assert form.initial["kind"] == "article" and form.initial["host_title"] == host.title
    post_new(
        client,
        world,
        kind="article",
        title="Jeż w ogrodzie",
        host=str(host.pk),
        host_related="2024, nr 3, s. 12–15",
        isbn="",
    )
    article = Record.objects.get(title="Jeż w ogrodzie")
    assert article.host == host and article.material == "article"
    assert article.host_related == "2024, nr 3, s. 12–15"
    assert str(marc.from_stored(article.marc).leader)[7] == "a"
    for junk in ("abc", "99999999999999999999", "²", str(host.pk + 999)):
        response = post_new(client, world, kind="article", title="X", host=junk)
        assert response.status_code == 200 and "Nie ma takiego rekordu" in response.text


def test_editing_in_the_form_keeps_the_fields_it_does_not_show(world, login):
    client = login(world.a.librarian)
    post_new(client, world)
    record = Record.objects.get()
    parsed = marc.from_stored(record.marc)
    parsed.add_field(marc.Field(tag="001", data="SP1-000123"))
    parsed.add_field(
        marc.Field(
            tag="500",
            indicators=marc.Indicators(" ", " "),
            subfields=[marc.Subfield("a", "Egzemplarz z dedykacją autora.")],
        )
    )
    Record.objects.filter(pk=record.pk).update(marc=marc.to_dict(parsed))
    url = reverse("library:record_form_edit", args=[record.pk])
    initial = client.get(url).context["form"].initial
    assert initial["title"] == "Akademia pana Kleksa" and initial["author"] == "Brzechwa, Jan"
    assert initial["subjects"] == "Literatura dziecięca polska\nBaśnie"
    data = {k: ("" if v is None else v) for k, v in initial.items()}
    data.update(title="Akademia pana Kleksa. Wydanie szkolne", edition="Wyd. 5")
    assert client.post(url, data).status_code == 302
    record.refresh_from_db()
    after = marc.from_stored(record.marc)
    assert record.title == "Akademia pana Kleksa. Wydanie szkolne" and record.edition == "Wyd. 5"
    assert after["001"].data == "SP1-000123"
    assert after["500"].get("a") == "Egzemplarz z dedykacją autora."
    assert len(after.get_fields("650")) == 2 and len(after.get_fields("245")) == 1
    assert record.changes.filter(action="edited").count() == 1


def test_only_the_records_librarians_use_the_form(world, login, client):
    record = record_create("Cudza książka", school=world.a.school)
    url = reverse("library:record_form_edit", args=[record.pk])
    for user in (world.b.librarian, world.a.teacher, world.a.pupil):
        assert login(user).get(url).status_code == 404
    assert login(world.a.pupil).get(reverse("library:record_form_new")).status_code == 404
    other = login(world.b.librarian)
    response = post_new(other, world)  # world.a's library is not theirs to choose
    assert response.status_code == 200 and not Record.objects.filter(title=BOOK["title"]).exists()


def test_a_wrong_isbn_check_digit_is_a_warning_after_saving(world, login):
    response = post_new(login(world.a.librarian), world, isbn="83-01-00000-2")
    assert response.status_code == 302
    page = login(world.a.librarian).get(response.url).text
    assert "ISBN 8301000002 ma błędną cyfrę kontrolną" in page
