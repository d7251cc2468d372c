"""An infomat in Chromium: large touch targets, the phone's QR code on the sign-in
page, and the idle reset: a warning with a countdown that Escape dismisses, then
everything of the previous person cleared (sign-in, session, cookies but the
marker, browser storage, form contents) and Back shows none of their pages."""

import pytest

from django.urls import reverse

from portal.terminal import INFOMAT_COOKIE, infomat_token
from tests.browser.test_sign_in_flows import CHROMIUM, browser, sign_in  # noqa: F401
from tests.factories.cms import build_access_points, build_site

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(), reason="no Chromium"),
    pytest.mark.django_db(transaction=True),
]

# Every link, button and field the person can touch, with its size.
TARGETS = """[...document.querySelectorAll(
  'main a, main button, main input:not([type=hidden]), header a, header button'
)].filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
 .map(e => { const r = e.getBoundingClientRect();
   return [e.tagName + ' ' + (e.textContent || e.name || '').trim().slice(0, 30),
           Math.round(r.width), Math.round(r.height)]; })"""


@pytest.fixture
def infomat_world(world):
    # Data before the browser starts (see test_sign_in_flows.browser).
    site = build_site(world)
    build_access_points(site["home"])
    return world


@pytest.mark.parametrize("width", [390, 1366])
def test_targets_are_large_and_sign_in_offers_the_phone(live_server, infomat_world, browser, width):  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    on = reverse("portal:infomat_on", args=[infomat_token("Test")])
    page.goto(f"{live_server.url}{on}")
    assert page.url.endswith("/infomat/")
    assert "infomat" in page.evaluate("document.body.className").split()
    targets = page.evaluate(TARGETS)
    assert len(targets) > 10
    small = [t for t in targets if t[1] < 44 or t[2] < 44]
    assert small == []
    page.goto(f"{live_server.url}/konto/login/")
    qr = page.locator("svg.qr-code[role=img]")
    assert qr.get_attribute("aria-label") == "Kod QR: adres strony logowania do portalu"
    assert qr.bounding_box()["width"] >= 150  # big enough to scan from the screen
    assert page.locator("input[name=remember]").count() == 0
    context.close()


def test_idle_reset_clears_everything_of_the_previous_person(
    live_server,
    infomat_world,
    settings,
    browser,  # noqa: F811
):
    settings.CIRCULATION_KIOSK_IDLE_SECONDS = 9  # warned 3 s before the end
    pupil = infomat_world.a.pupil
    context = browser.new_context()
    page = context.new_page()
    on = reverse("portal:infomat_on", args=[infomat_token("Test")])
    page.goto(f"{live_server.url}{on}")
    sign_in(page, live_server.url, pupil.username)
    assert pupil.get_full_name() in page.content()
    session_before = {c["name"]: c["value"] for c in context.cookies()}["sessionid"]
    context.add_cookies([{"name": "someone-elses", "value": "1", "url": live_server.url}])
    page.goto(f"{live_server.url}/infomat/")
    page.evaluate("localStorage.setItem('mine', 'x'); sessionStorage.setItem('mine', 'x')")
    page.fill("#infomat-q", "moje tajne wyszukiwanie")

    # The warning counts down, takes the focus, and Escape dismisses it.
    warning = page.locator("#idle-warning")
    warning.wait_for(state="visible", timeout=15000)
    assert "Ekran zostanie wyczyszczony" in warning.inner_text()
    assert page.evaluate("document.activeElement.hasAttribute('data-idle-stay')")
    seconds = int(page.locator("[data-idle-countdown]").inner_text())
    assert 1 <= seconds <= 5
    page.keyboard.press("Escape")
    assert warning.is_hidden()

    # Nobody answers the second warning: the screen is cleared.
    warning.wait_for(state="visible", timeout=15000)
    page.locator("body[data-infomat-cleared]").wait_for(state="attached", timeout=15000)
    assert page.url == f"{live_server.url}/infomat/"
    assert page.input_value("#infomat-q") == ""
    cookies = {c["name"]: c["value"] for c in context.cookies()}
    assert INFOMAT_COOKIE in cookies and "someone-elses" not in cookies
    assert cookies.get("sessionid") != session_before
    assert page.evaluate("localStorage.getItem('mine') || sessionStorage.getItem('mine')") is None

    # Back: the previous person's dashboard is gone (signed out), and the sign-in
    # form before it comes back empty.
    page.go_back()
    page.wait_for_load_state()
    assert pupil.get_full_name() not in page.content()
    assert "/konto/login/" in page.url
    page.go_back()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/konto/login/"
    assert page.input_value("input[name=login]") == ""
    page.goto(f"{live_server.url}/panel/")
    assert "/konto/login/" in page.url
    context.close()
