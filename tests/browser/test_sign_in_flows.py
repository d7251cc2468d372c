"""Flows people click through, in headless Chromium (Playwright, system browser)."""

import os
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]
PASSWORD = "secret-pass-123"


@pytest.fixture
def browser():
    # Playwright's sync API runs an event loop in this thread, and Django then gives
    # ORM calls made inside it a connection of their own: build data (the `world`
    # fixture) before this fixture, never while it is running.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield instance
        instance.close()


def sign_in(page, base, login):
    page.goto(f"{base}/konto/login/")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    # Wait for the sign-in's own navigation: a page opened before its answer
    # arrives would race it for the session cookie.
    with page.expect_navigation():
        page.click("form.login button[type=submit]")
    page.wait_for_load_state()


def test_parent_on_a_phone_signs_in_by_email_and_sees_children(live_server, world, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server.url, world.a.guardian.email)
    assert page.url.endswith("/panel/")
    assert page.locator("html").get_attribute("lang") == "pl"
    assert world.a.pupil.get_full_name() in page.content()
    # the menu is collapsed on a phone and opens with its button
    nav = page.locator("#site-nav")
    assert not nav.is_visible()
    page.click(".menu-toggle")
    assert nav.is_visible()
    assert page.locator(".menu-toggle").get_attribute("aria-expanded") == "true"
    # switching to English keeps the page
    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "My children" in page.content()
    context.close()


def test_teacher_is_made_to_set_up_mfa_and_then_reaches_the_dashboard(live_server, world, browser):
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    page = browser.new_page()
    sign_in(page, live_server.url, world.a.teacher.username)
    assert "/konto/2fa/totp/activate/" in page.url
    secret = page.locator("#authenticator_secret").input_value()
    # A code typed in the last seconds of its 30 s step may reach the server in the
    # next step: wait for a fresh step rather than fail on the boundary.
    if time.time() % 30 > 25:
        time.sleep(30 - time.time() % 30 + 0.5)
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    page.fill("input[name=code]", code)
    # wait for the answer to the form before leaving the page, or the activation
    # is aborted by the next navigation on a slow machine
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/konto/2fa/totp/activate/" not in page.url, page.content()[:2000]
    page.goto(f"{live_server.url}/panel/")
    assert page.url.endswith("/panel/")
    assert "Matematyka" in page.content()
