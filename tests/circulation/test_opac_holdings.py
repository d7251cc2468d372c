"""The public catalogue tells a reader where a title stands: per library how many
copies are on the shelf, their shelf marks and, when all are out, the first due
date; the record page lists each copy with its status and due date (never the
borrower). Result pages get this in a fixed number of queries."""

import datetime

import pytest

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from library.circulation import services
from library.circulation.models import Loan
from tests.factories.circulation import card, copy_create, rule_create
from tests.factories.library import record_create

pytestmark = pytest.mark.django_db


def lend(world, copy, reader, due):
    loan = services.loan_checkout(
        user=world.a.librarian,
        school=world.a.school,
        card_number=card(reader),
        barcode=copy.barcode,
    )
    Loan.objects.filter(pk=loan.pk).update(due_on=due)


def test_results_show_shelf_marks_availability_and_the_first_return(world, client):
    record = record_create("Pan Tadeusz", subjects=["Epopeja"])
    first = copy_create(record, world.a.school, shelf_mark="821.162.1-13 Mic")
    copy_create(record, world.b.school, shelf_mark="L-12")
    due = timezone.localdate() + datetime.timedelta(days=40)
    lend(world, first, world.a.pupil, due)
    page = client.get(reverse("library:search"), {"q": "tadeusz"}).content.decode()
    line = page.split("Pan Tadeusz", 1)[1].split("</ul>", 1)[0]
    expected = f"wszystkie wypożyczone, pierwszy zwrot {date_format(due, 'j E Y')}"
    assert f"{world.a.school.short_name}</abbr></strong>: {expected}" in line
    assert 'sygnatura <span class="shelf-mark">821.162.1-13 Mic</span>' in line
    assert f"{world.b.school.short_name}</abbr></strong>: 1 z 1 na półce" in line
    assert world.a.pupil.last_name not in page


def test_the_record_page_lists_copies_with_status_and_due_date_not_the_borrower(world, client):
    record = record_create("Lalka")
    out = copy_create(record, world.a.school, shelf_mark="P-7")
    copy_create(record, world.a.school, shelf_mark="P-7")
    due = timezone.localdate() + datetime.timedelta(days=20)
    lend(world, out, world.a.pupil, due)
    page = client.get(record.get_absolute_url()).content.decode()
    assert "Gdzie szukać" in page
    assert f"wypożyczony do {due:%d.%m.%Y}" in page and "dostępny" in page.lower()
    assert "1 z 2 na półce" in page and "P-7" in page
    assert world.a.pupil.last_name not in page and card(world.a.pupil) not in page


def test_holdings_on_a_result_page_take_the_same_queries_for_more_records(
    world, client, django_assert_max_num_queries
):
    def add(n):
        for i in range(n):
            record = record_create(f"Zwierzęta {i} {n}", subjects=["Zwierzęta"])
            copy = copy_create(record, world.a.school, shelf_mark=f"59-{i}")
            copy_create(record, world.b.school)
            if i % 2:
                lend(world, copy, world.a.pupil, timezone.localdate())

    rule_create(world.a.school, max_loans=50)
    add(2)
    # 17: the page with its holdings, and one for the language of the subject facets
    with django_assert_max_num_queries(17):
        client.get(reverse("library:search"), {"q": "zwierzeta"})
    add(12)
    with django_assert_max_num_queries(17):
        response = client.get(reverse("library:search"), {"q": "zwierzeta"})
    assert response.content.decode().count("holdings-line") == 14


def test_all_out_past_the_due_date_says_overdue_not_a_date_behind_us(world, client):
    record = record_create("Krzyżacy")
    copy = copy_create(record, world.a.school)
    lend(world, copy, world.a.pupil, timezone.localdate() - datetime.timedelta(days=3))
    page = client.get(reverse("library:search"), {"q": "krzyzacy"}).content.decode()
    assert "wszystkie wypożyczone, termin zwrotu minął" in page
    assert "pierwszy zwrot" not in page
