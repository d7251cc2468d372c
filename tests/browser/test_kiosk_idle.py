"""The library kiosk (WCAG 2.2.1 Timing Adjustable): before the idle sign-out the
reader is warned, the "stay signed in" button takes the focus, and pressing it
keeps the kiosk session past the original limit."""

import pytest

from tests.browser.test_sign_in_flows import CHROMIUM, browser, sign_in  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(), reason="no Chromium"),
    pytest.mark.django_db(transaction=True),
]


def test_the_kiosk_warns_and_the_reader_can_stay(live_server, world, settings, browser):  # noqa: F811
    settings.CIRCULATION_KIOSK_IDLE_SECONDS = 9  # warned 3 s before the end
    page = browser.new_page()
    sign_in(page, live_server.url, world.a.pupil.username)
    page.goto(f"{live_server.url}/biblioteka/kiosk/")
    warning = page.locator("#idle-warning")
    assert warning.is_hidden()
    warning.wait_for(state="visible", timeout=15000)
    assert "Bez aktywności zostaniesz wylogowany" in warning.inner_text()
    assert page.evaluate("document.activeElement.hasAttribute('data-idle-stay')")
    page.keyboard.press("Enter")  # the focused "stay signed in" button
    assert warning.is_hidden()
    page.wait_for_timeout(7000)  # past the first limit (9 s + 2 s from the page load)
    assert "/biblioteka/kiosk/" in page.url
    page.goto(f"{live_server.url}/biblioteka/konto/")
    assert "/konto/login/" not in page.url
