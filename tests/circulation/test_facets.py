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


def test_every_way_of_writing_copies_bumps_the_catalogue_version(
    world, django_capture_on_commit_callbacks
):
    """Copy and CopyQuerySet bump the version themselves (one place), so cached
    counts and facets cannot outlive a change made by any caller."""
    from library.catalogue_version import catalogue_version

    record = record_create(title="Żółw w kosmosie")
    copy = copy_create(record, world.a.school)
    writes = [
        lambda: Copy.objects.filter(pk=copy.pk).update(status=Copy.Status.ON_LOAN),
        lambda: Copy.objects.bulk_update([copy], ["shelf_mark"]),
        lambda: copy.save(update_fields=["status"]),
        lambda: Copy.objects.bulk_create(
            [Copy(record=record, school=world.b.school, barcode="B-1", inventory_number="1")]
        ),
        lambda: Copy.objects.get(barcode="B-1").delete(),
        lambda: Copy.objects.filter(barcode="nothing").delete(),
    ]
    for write in writes:
        before = catalogue_version()
        with django_capture_on_commit_callbacks(execute=True):
            write()
        assert catalogue_version() > before


def test_a_cached_facet_follows_a_status_change(world):
    record = record_create(title="Żółw w kosmosie")
    copy = copy_create(record, world.a.school)
    assert dict(search(Query(q="zolw")).facets())["availability"] == [("available", 1)]
    Copy.objects.filter(pk=copy.pk).update(status=Copy.Status.ON_LOAN)
    assert dict(search(Query(q="zolw")).facets())["availability"] == []
