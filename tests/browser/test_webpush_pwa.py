"""In Chromium: every page links the manifest and registers the service worker
at /sw.js for the whole site; offline, a page shows the stored offline page; the
devices page explains what this browser can do. No real push service is used
(headless Chromium may not grant push)."""

import pytest

from django.urls import reverse

from tests.browser.test_csp_and_idle import (  # noqa: F401
    CHROMIUM,
    WATCH_VIOLATIONS,
    browser,
    signed_in_context,
)
from tests.factories.webpush import vapid_settings

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(), reason="no Chromium"),
    pytest.mark.django_db(transaction=True),
]

WORKER_READY = """() => navigator.serviceWorker.ready.then((r) => ({
  script: r.active && r.active.scriptURL, scope: r.scope
}))"""
VISIBLE_MESSAGE = """() => Array.from(document.querySelectorAll("[data-push-message]"))
  .filter((p) => !p.hidden).map((p) => p.getAttribute("data-push-message"))"""


def test_worker_registers_for_the_whole_site_and_serves_the_offline_page(
    live_server,
    world,
    settings,
    browser,  # noqa: F811
):
    vapid_settings(settings)
    base = live_server.url
    context = signed_in_context(browser, base, world.a.guardian)
    page = context.new_page()
    page.goto(base + reverse("webpush:devices"))
    assert page.locator("link[rel=manifest]").get_attribute("href") == "/manifest.webmanifest"
    assert page.locator("meta[name=theme-color]").get_attribute("content") == "#0b4f8a"
    manifest = page.evaluate("() => fetch('/manifest.webmanifest').then((r) => r.json())")
    assert manifest["name"] == "Portal Oświatowy"
    worker = page.evaluate(WORKER_READY)
    assert worker == {"script": base + "/sw.js", "scope": base + "/"}
    # the page says what this browser can do (whatever headless Chromium allows)
    page.wait_for_function(
        """() => document.querySelector("[data-push-message='checking']").hidden"""
    )
    shown = page.evaluate(VISIBLE_MESSAGE)
    assert len(shown) == 1 and shown[0] in {"ready", "denied", "unsupported", "error"}
    if shown == ["ready"]:
        assert page.locator("[data-push-enable]").is_visible()
    # the worker controls the next page; offline, navigation falls back to /offline/
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    context.set_offline(True)
    page.goto(base + reverse("portal:dashboard"))
    assert page.locator("h1").inner_text() == "Brak połączenia"
    assert world.a.guardian.username not in page.content()
    context.set_offline(False)
    assert page.evaluate("window.__cspViolations") == []
    context.close()


def test_on_an_iphone_without_push_the_page_says_to_install_the_portal(
    live_server,
    world,
    settings,
    browser,  # noqa: F811
):
    vapid_settings(settings)
    base = live_server.url
    context = signed_in_context(browser, base, world.a.guardian)
    # Safari outside an installed web app has no PushManager
    context.add_init_script(
        "Object.defineProperty(navigator, 'userAgent', {get: () => "
        "'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1'});"
        "delete window.PushManager;"
    )
    page = context.new_page()
    page.goto(base + reverse("webpush:devices"))
    page.wait_for_function(
        """() => document.querySelector("[data-push-message='checking']").hidden"""
    )
    assert page.evaluate(VISIBLE_MESSAGE) == ["apple"]
    assert "ekranu początkowego" in page.locator("[data-push-message='apple']").inner_text()
    assert not page.locator("[data-push-enable]").is_visible()
    context.close()
