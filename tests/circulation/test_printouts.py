"""The library's printouts: the overdue loans of a class and the stocktake
protocol, as PDFs read back with pypdf, for the librarians of that library only."""

import datetime
import io

import pytest
import time_machine
from pypdf import PdfReader

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from library.circulation import printouts, services
from tests.factories import make_pupil
from tests.factories.circulation import card, copy_create, record_create

from .conftest import MONDAY


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def monday():
    with time_machine.travel("2026-10-05 10:00:00+02:00", tick=False):
        yield


def lend(side, reader, copy, today):
    return services.loan_checkout(
        user=side.librarian,
        school=side.school,
        card_number=card(reader),
        barcode=copy.barcode,
        today=today,
    )


@pytest.fixture
def overdue(monday, world):
    """Two pupils of 4a with overdue loans, a pupil of 5a with one, and a loan not yet due."""
    a = world.a
    a.pupil.first_name, a.pupil.last_name = "Anna", "Adamska"
    a.pupil.save()
    a.second = make_pupil(a.class_a, first_name="Bartosz", last_name="Bąk")
    a.other_pupil.first_name, a.other_pupil.last_name = "Celina", "Cis"
    a.other_pupil.save()
    record = record_create("Pan Tadeusz")
    other = record_create("Quo vadis")
    a.copies = [copy_create(record, a.school, inventory_number=f"INW/{n}") for n in (7, 8, 9, 10)]
    lend(a, a.pupil, copy_create(other, a.school, inventory_number="INW/11"), MONDAY)
    lend(a, a.pupil, a.copies[0], MONDAY - datetime.timedelta(days=33))
    lend(a, a.second, a.copies[1], MONDAY - datetime.timedelta(days=20))
    lend(a, a.other_pupil, a.copies[2], MONDAY - datetime.timedelta(days=30))
    return a


def test_overdue_pdf_of_a_class(overdue):
    a = overdue
    text = pdf_text(printouts.overdue_pdf(school=a.school, school_class=a.class_a))
    assert "Przetrzymane wypożyczenia – Klasa 4a" in text
    assert "Adamska Anna Pan Tadeusz INW/7" in text
    assert "Bąk Bartosz Pan Tadeusz INW/8" in text
    assert "stan na 05.10.2026" in text
    # the due dates and the days overdue (a loan of 40 days with the rule's 14-day period)
    loans = {loan.copy.inventory_number: loan for loan in a.pupil.library_loans.all()}
    first = loans["INW/7"]
    assert f"{first.due_on:%d.%m.%Y} {(MONDAY - first.due_on).days}" in text
    # other classes and loans not yet due are not on it
    assert "Cis Celina" not in text and "Quo vadis" not in text
    assert "strona 1 / 1" in text


def test_overdue_pdf_of_every_class_has_a_page_per_class(overdue):
    data = printouts.overdue_pdf(school=overdue.school)
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]
    assert len(pages) == 2
    assert "Klasa 4a" in pages[0] and "Klasa 5a" in pages[1]
    assert "Cis Celina" in pages[1]


def test_overdue_pdf_query_count_does_not_grow(overdue, fake_pdf):
    a = overdue

    def count():
        with CaptureQueriesContext(connection) as ctx:
            printouts.overdue_pdf(school=a.school, school_class=a.class_a)
        return len(ctx.captured_queries)

    before = count()
    record = record_create("Lalka")
    for _n in range(5):
        pupil = make_pupil(a.class_a)
        lend(a, pupil, copy_create(record, a.school), MONDAY - datetime.timedelta(days=30))
    assert count() == before


@pytest.fixture
def stocktake(monday, world):
    """A stocktake of school A: two copies on the shelf, a lost copy found again,
    one copy missing and still recorded as available, one written off during it."""
    a = world.a
    record = record_create("W pustyni i w puszczy")
    a.on_shelf = copy_create(record, a.school, inventory_number="12", shelf_mark="82-3")
    a.on_shelf2 = copy_create(record, a.school, inventory_number="13", shelf_mark="82-3")
    a.found = copy_create(record, a.school, inventory_number="14", shelf_mark="82-3", status="lost")
    a.missing = copy_create(record_create("Lalka"), a.school, inventory_number="9")
    a.written_off = copy_create(record_create("Potop"), a.school, inventory_number="100")
    take = services.stocktake_start(user=a.librarian, school=a.school, name="Skontrum 2026")
    services.stocktake_scan(
        user=a.librarian,
        stocktake=take,
        shelf="82-3",
        barcodes=[a.on_shelf.barcode, a.on_shelf2.barcode, a.found.barcode, "NIEZNANY"],
    )
    services.copy_mark(user=a.librarian, copy=a.written_off, kind="lost", note=str(take))
    a.take = take
    return a


def test_stocktake_protocol(stocktake):
    a = stocktake
    protocol = printouts.stocktake_protocol(a.take)
    assert protocol.checked == 3 and protocol.found == 1 and protocol.scanned == 4
    assert [m.copy.inventory_number for m in protocol.missing] == ["9", "100"]
    assert [m.written_off for m in protocol.missing] == ["", "lost"]
    services.stocktake_close(user=a.librarian, stocktake=a.take)
    text = pdf_text(printouts.stocktake_protocol_pdf(a.take))
    for expected in (
        "Protokół skontrum",
        "Skontrum 2026",
        a.school.name,
        "rozpoczęto 05.10.2026 i zakończono 05.10.2026.",
        "Egzemplarze sprawdzone na półkach 3",
        "Egzemplarze brakujące 2",
        "Egzemplarze odnalezione (zapisane jako zagubione) 1",
        "1 9",
        "Lalka brak",
        "2 100",
        "Potop oznaczony jako zagubiony",
        "przewodniczący komisji",
        "członek komisji",
    ):
        assert expected in text, expected


def test_stocktake_protocol_reads_in_fixed_queries(stocktake):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            printouts.stocktake_protocol(stocktake.take)
        return len(ctx.captured_queries)

    before = count()
    record = record_create("Faraon")
    for n in range(5):
        copy = copy_create(record, stocktake.school, inventory_number=f"F{n}")
        services.copy_mark(user=stocktake.librarian, copy=copy, kind="lost", note="Skontrum 2026")
        copy_create(record, stocktake.school, inventory_number=f"G{n}")
    assert count() == before


# --- Views ---------------------------------------------------------------------------------


def view_urls(side):
    return {
        "overdue": reverse("circulation:overdue_pdf", args=[side.school.pk])
        + f"?klasa={side.class_a.pk}",
        "overdue_all": reverse("circulation:overdue_pdf", args=[side.school.pk]),
        "protocol": reverse("circulation:stocktake_protocol", args=[side.take.pk]),
    }


@pytest.mark.parametrize("who", ["admin", "teacher", "homeroom", "guardian", "pupil"])
def test_only_the_librarian_prints(stocktake, world, login, fake_pdf, who):
    b = world.b
    b.take = services.stocktake_start(user=b.librarian, school=b.school, name="B")
    client = login(getattr(stocktake, who))
    for url in view_urls(stocktake).values():
        assert client.get(url).status_code == 404, url
    # and a librarian of another school gets 404 for A's lists
    client = login(b.librarian)
    for url in view_urls(stocktake).values():
        assert client.get(url).status_code == 404, url


def test_the_librarian_prints_and_the_screens_link_the_pdfs(stocktake, login):
    a = stocktake
    client = login(a.librarian)
    urls = view_urls(a)
    for url in urls.values():
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "Protokół skontrum" in pdf_text(client.get(urls["protocol"]).content)
    html = client.get(reverse("circulation:stocktake", args=[a.take.pk])).content.decode()
    assert urls["protocol"] in html and "Protokół skontrum (PDF)" in html
    html = client.get(reverse("circulation:overdue", args=[a.school.pk])).content.decode()
    assert urls["overdue_all"] in html
    page = reverse("circulation:overdue", args=[a.school.pk]) + f"?klasa={a.class_a.pk}"
    html = client.get(page).content.decode()
    assert urls["overdue"].replace("&", "&amp;") in html and "PDF klasy 4a" in html


def test_a_class_of_another_school_is_404(stocktake, world, login):
    client = login(stocktake.librarian)
    url = reverse("circulation:overdue_pdf", args=[stocktake.school.pk])
    assert client.get(f"{url}?klasa={world.b.class_a.pk}").status_code == 404
    assert client.get(f"{url}?klasa=abc").status_code in (400, 404)
