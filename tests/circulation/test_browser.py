"""Clicked through in headless Chromium: a pupil places a hold from the record
page and finds it on their account; the kiosk signs an idle reader out."""

import pytest

from library.circulation import services
from tests.browser.test_sign_in_flows import CHROMIUM, browser, sign_in  # noqa: F401
from tests.factories.circulation import card

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(), reason="no Chromium"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def all_lent(world, library):
    for copy, reader in ((library["copy"], world.a.teacher), (library["copy2"], world.a.admin)):
        services.loan_checkout(
            user=world.a.librarian,
            school=world.a.school,
            card_number=card(reader),
            barcode=copy.barcode,
        )
    return library


# Data fixtures first, then the browser (see tests/browser/test_sign_in_flows.py).
def test_pupil_places_a_hold_from_the_record_page(live_server, world, all_lent, browser):  # noqa: F811
    page = browser.new_page()
    sign_in(page, live_server.url, world.a.pupil.username)
    page.goto(f"{live_server.url}{all_lent['record'].get_absolute_url()}")
    assert "wszystkie wypożyczone, pierwszy zwrot" in page.content()
    page.click("text=Zarezerwuj w:")
    page.wait_for_load_state()
    assert "Rezerwacja przyjęta" in page.content()
    page.goto(f"{live_server.url}/biblioteka/konto/")
    assert "pozycja 1 w kolejce" in page.content()


def test_kiosk_signs_an_idle_reader_out(live_server, world, settings, browser):  # noqa: F811
    settings.CIRCULATION_KIOSK_IDLE_SECONDS = 2
    page = browser.new_page()
    sign_in(page, live_server.url, world.a.pupil.username)
    page.goto(f"{live_server.url}/biblioteka/kiosk/")
    assert page.locator("#kiosk-q").is_visible()
    assert "Wyloguj się" in page.content()
    # The idle notice sends the page back to the kiosk after the limit (+2 s).
    page.wait_for_url("**/biblioteka/kiosk/**", timeout=15000)
    page.wait_for_timeout(5000)
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/biblioteka/konto/")
    assert "/konto/login/" in page.url
