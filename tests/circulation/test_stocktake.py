"""Stocktaking (skontrum): missing, misplaced and unexpected copies."""

from django.urls import reverse

from library.circulation import services
from library.circulation.models import Copy, CopyEvent
from library.circulation.selectors import stocktake_report
from library.circulation.services import CirculationError
from tests.factories.circulation import card, copy_create


def test_report_and_mark_lost(world, library, login):
    record = library["record"]
    school = world.a.school
    right = copy_create(record, school, shelf_mark="82-3 MIC")
    wrong = copy_create(record, school, shelf_mark="94(438) DAV")
    missing = copy_create(record, school, shelf_mark="82-3 SIE")
    lent = copy_create(record, school, shelf_mark="82-3 KOC")
    services.loan_checkout(
        user=world.a.librarian, school=school, card_number=card(world.a.pupil), barcode=lent.barcode
    )
    take = services.stocktake_start(user=world.a.librarian, school=school, name="2026")
    try:
        services.stocktake_start(user=world.a.librarian, school=school, name="again")
        raise AssertionError("a second open stocktake was allowed")
    except CirculationError as error:
        assert error.code == "stocktake_open"
    client = login(world.a.librarian)
    url = reverse("circulation:stocktake", args=[take.pk])
    barcodes = [
        right.barcode,
        wrong.barcode,
        lent.barcode,
        "NIEZNANY",
        library["other_copy"].barcode,
    ]
    client.post(url, {"action": "scan", "shelf": "82-3", "barcodes": "\n".join(barcodes)})
    # Scanning again on another shelf does not count twice.
    client.post(url, {"action": "scan", "shelf": "5", "barcodes": right.barcode})
    report = stocktake_report(take)
    assert report["scanned"] == 5
    missing_ids = {c.pk for c in report["missing"]}
    assert missing.pk in missing_ids and library["copy"].pk in missing_ids
    assert right.pk not in missing_ids
    assert [s.copy_id for s in report["misplaced"]] == [wrong.pk]
    assert {s.barcode for s in report["unexpected"]} == {
        "NIEZNANY",
        lent.barcode,
        library["other_copy"].barcode,
    }
    body = client.get(url).content.decode()
    assert "NIEZNANY" in body and "egzemplarz innej biblioteki" in body
    client.post(url, {"action": "lost", "copy": [missing.pk, library["other_copy"].pk]})
    assert Copy.objects.get(pk=missing.pk).status == "lost"
    assert Copy.objects.get(pk=library["other_copy"].pk).status == "available"
    assert CopyEvent.objects.filter(copy=missing, kind="lost", note="2026").exists()


def test_stocktake_of_another_school_is_404(world, login):
    take = services.stocktake_start(user=world.b.librarian, school=world.b.school, name="B")
    client = login(world.a.librarian)
    assert client.get(reverse("circulation:stocktake", args=[take.pk])).status_code == 404
    assert (
        client.get(reverse("circulation:stocktakes", args=[world.b.school.pk])).status_code == 404
    )
