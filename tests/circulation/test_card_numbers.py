"""Library card numbers (issue 10): random and unguessable, printed on the card,
and looked up at the desk only among the readers of the librarian's library."""

import base64
import importlib
import re

import pytest

from django.apps import apps
from django.urls import reverse

from library.circulation import cards, services
from library.circulation.models import Hold, Loan, ReaderProfile
from library.circulation.services import CARD_ALPHABET, CARD_LENGTH, CirculationError
from tests.factories.circulation import card

migration = importlib.import_module("library.circulation.migrations.0002_random_card_numbers")
CARD_FORMAT = re.compile(f"^[{CARD_ALPHABET}]{{{CARD_LENGTH}}}$")


def test_card_numbers_are_random_and_do_not_reveal_the_account(world):
    numbers = [card(u) for u in (world.a.pupil, world.a.other_pupil, world.a.teacher)]
    assert len(set(numbers)) == 3
    for user, number in zip(
        (world.a.pupil, world.a.other_pupil, world.a.teacher), numbers, strict=True
    ):
        assert CARD_FORMAT.match(number), number
        assert number != f"C{user.pk:08d}"
    # the number is kept: the same card every time
    world.a.pupil.__dict__.pop("_circulation_profile", None)
    assert card(world.a.pupil) == numbers[0]
    draws = {services.card_number_new() for _ in range(200)}
    assert len(draws) == 200


def test_printed_card_and_account_show_the_random_number(world, login, monkeypatch):
    rendered = []
    real = cards.render_to_string

    def spy(template, context):
        html = real(template, context)
        rendered.append(html)
        return html

    monkeypatch.setattr(cards, "render_to_string", spy)
    number = card(world.a.pupil)
    client = login(world.a.pupil, mfa=False)
    response = client.get(reverse("circulation:card"))
    assert response["Content-Type"] == "application/pdf"
    assert f"karta-{number}.pdf" in response["Content-Disposition"]
    html = rendered[-1]
    assert number in html and f"C{world.a.pupil.pk:08d}" not in html
    svg = base64.b64decode(re.search(r"data:image/svg\+xml;base64,([^\"]+)", html).group(1))
    assert number.encode() in svg  # the barcode's human-readable line
    account = client.get(reverse("circulation:account")).content.decode()
    assert number in account and f"C{world.a.pupil.pk:08d}" not in account


def test_desk_finds_only_its_own_readers_by_card(world):
    own = services.reader_by_card(card(world.a.pupil).lower(), school=world.a.school)
    assert own.user == world.a.pupil
    with pytest.raises(CirculationError) as foreign:
        services.reader_by_card(card(world.b.pupil), school=world.a.school)
    with pytest.raises(CirculationError) as unknown:
        services.reader_by_card("0000000000", school=world.a.school)
    assert foreign.value.code == unknown.value.code == "unknown_card"
    assert world.b.pupil.get_full_name() not in foreign.value.message
    assert world.b.pupil.last_name not in foreign.value.message


def result(html):
    """The desk's result section (the rest of the page carries a fresh CSRF token)."""
    return re.search(r'aria-labelledby="res-h".*?</section>', html, re.S).group(0)


def test_desk_answers_another_schools_card_like_an_unknown_one(world, library, login):
    client = login(world.a.librarian)
    url = reverse("circulation:desk", args=[world.a.school.pk])

    def lend(number):
        return client.post(
            url,
            {"action": "checkout", "out-card": number, "out-barcodes": library["copy"].barcode},
        ).content.decode()

    foreign = lend(card(world.b.pupil))
    unknown = lend("0000000000")
    assert not Loan.objects.exists()
    for name in (world.b.pupil.first_name + " " + world.b.pupil.last_name, world.b.pupil.username):
        assert name not in foreign
    assert "Żaden czytelnik nie ma karty" in foreign or "No reader has the card" in foreign
    assert result(foreign).replace(card(world.b.pupil), "X") == result(unknown).replace(
        "0000000000", "X"
    )
    # the own library's reader is found and named
    assert world.a.pupil.last_name in lend(card(world.a.pupil))


def test_hold_for_another_schools_card_discloses_no_name(world, library, login):
    client = login(world.a.librarian)
    url = reverse("circulation:hold_place", args=[library["record"].pk])
    response = client.post(
        url, {"school": world.a.school.pk, "card": card(world.b.pupil)}, follow=True
    )
    assert not Hold.objects.exists()
    assert world.b.pupil.last_name not in response.content.decode()


def test_migration_renumbers_existing_cards(world):
    old = [
        ReaderProfile.objects.create(user=user, card_number=f"C{user.pk:08d}")
        for user in (world.a.pupil, world.b.pupil, world.a.teacher)
    ]
    migration.renumber_cards(apps, None)
    numbers = []
    for profile in old:
        profile.refresh_from_db()
        assert CARD_FORMAT.match(profile.card_number)
        numbers.append(profile.card_number)
    assert len(set(numbers)) == 3
