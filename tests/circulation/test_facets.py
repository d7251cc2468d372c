"""The catalogue's facets that come from copies: which libraries hold a record and
whether a copy is on the shelf. Same results on SQLite and PostgreSQL."""

from django.urls import reverse

from library.circulation.models import Copy
from library.search import Query, search
from tests.factories.circulation import copy_create
from tests.factories.library import record_create


def test_holding_and_availability_facets_count_and_narrow(world, client):
    on_shelf = record_create(title="Żółw w kosmosie")
    lent = record_create(title="Żółw i zając")
    nowhere = record_create(title="Żółw morski")
    copy_create(on_shelf, world.a.school)
    copy_create(lent, world.a.school, status=Copy.Status.ON_LOAN)
    copy_create(lent, world.b.school)
    copy_create(nowhere, world.b.school, status=Copy.Status.WITHDRAWN)

    facets = dict(search(Query(q="zolw")).facets())
    assert sorted(facets["holding"]) == sorted(
        [(world.a.school.short_name, 2), (world.b.school.short_name, 1)]
    )
    assert facets["availability"] == [("available", 2)]

    at_b = search(Query(q="zolw", selected={"holding": [world.b.school.short_name]}))
    assert [r.title for r in at_b[0:10]] == ["Żółw i zając"]
    available = search(Query(q="zolw", selected={"availability": ["available"]}))
    assert {r.title for r in available[0:10]} == {"Żółw w kosmosie", "Żółw i zając"}

    page = client.get(reverse("library:search"), {"q": "zolw", "f_availability": "available"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Żółw morski" not in html and "Żółw w kosmosie" in html
    assert "Dostępność" in html and "na półce teraz" in html
