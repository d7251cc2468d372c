"""Every circulation page for every role: librarian pages are the own school's
librarian's only (404 otherwise), accounts need a sign-in."""

import datetime

import pytest

from django.urls import reverse
from django.utils import timezone

from library.circulation import services
from tests.factories.circulation import card


def librarian_urls(world, library):
    school = world.a.school.pk
    take = services.stocktake_start(user=world.a.librarian, school=world.a.school, name="S")
    return [
        reverse("circulation:desk", args=[school]),
        reverse("circulation:overdue", args=[school]),
        reverse("circulation:rules", args=[school]),
        reverse("circulation:readers", args=[school]),
        reverse("circulation:stocktakes", args=[school]),
        reverse("circulation:stocktake", args=[take.pk]),
        reverse("circulation:copy", args=[library["copy"].pk]),
        reverse("circulation:reader_card", args=[school, world.a.pupil.pk]),
    ]


@pytest.mark.parametrize(
    "who,expected",
    [
        ("a.librarian", 200),
        ("b.librarian", 404),
        ("a.teacher", 404),
        ("a.admin", 404),
        ("a.pupil", 404),
        ("a.guardian", 404),
        ("officer", 404),
    ],
)
def test_librarian_pages_per_role(world, library, login, who, expected):
    urls = librarian_urls(world, library)
    user = world
    for part in who.split("."):
        user = getattr(user, part)
    client = login(user)
    for url in urls:
        assert client.get(url).status_code == expected, url


def test_anonymous_is_sent_to_sign_in(world, library, client):
    for url in [*librarian_urls(world, library), reverse("circulation:account")]:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response.url, url
    assert client.get(reverse("circulation:kiosk")).status_code == 200


def test_overdue_return_is_flagged_at_the_desk(world, library, login):
    services.loan_checkout(
        user=world.a.librarian,
        school=world.a.school,
        card_number=card(world.a.pupil),
        barcode=library["copy"].barcode,
        today=timezone.localdate() - datetime.timedelta(days=60),
    )
    client = login(world.a.librarian)
    response = client.post(
        reverse("circulation:desk", args=[world.a.school.pk]),
        {"action": "return", "back-barcode": library["copy"].barcode},
    )
    body = response.content.decode()
    assert "PO TERMINIE" in body and "Zwrócono po terminie" in body
