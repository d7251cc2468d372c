"""In Chromium: the screens people use raise no Content-Security-Policy violation
(the policy is strict, so a violation means something broke), and the idle notice
warns staff before signing them out."""

import os
from pathlib import Path

import pytest

from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from tests.conftest import enable_mfa
from tests.factories.cms import build_site
from tests.factories.library import record_create
from tests.factories.register import last_school_day

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]

# Collects every violation the page reports, from the first script on.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI + " " +
    (event.sourceFile || "") + ":" + (event.lineNumber || ""));
});
"""


@pytest.fixture
def browser():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run"],
        )
        yield instance
        instance.close()


def signed_in_context(browser, base, user):
    """A browser context carrying the session of `user` (signed in by Django)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context()
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": base,
            }
        ]
    )
    context.add_init_script(WATCH_VIOLATIONS)
    return context


def violations_on(context, url):
    page = context.new_page()
    messages = []
    page.on(
        "console",
        lambda m: messages.append(m.text) if "Content Security Policy" in m.text else None,
    )
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    assert response.status < 400, url
    found = page.evaluate("window.__cspViolations") + messages
    page.close()
    return found


def test_the_screens_of_each_role_run_without_csp_violations(live_server, world, browser):
    base = live_server.url
    site = build_site(world)
    record = record_create(title="Pan Tadeusz")
    teacher = enable_mfa(world.a.teacher)
    lesson_url = reverse(
        "register:lesson",
        args=[world.a.assignment.pk, last_school_day().isoformat(), 1],
    )
    pages = {
        None: [
            site["home"].url,
            reverse("cms:search") + "?q=konkurs",
            reverse("library:search") + "?q=Pan",
            reverse("library:record", args=[record.pk]),
            "/konto/login/",
        ],
        world.a.guardian: [
            reverse("portal:dashboard"),
            reverse("gradebook:pupil", args=[world.a.pupil.pk]),
            reverse("register:week"),
        ],
        teacher: [
            reverse("portal:dashboard"),
            reverse("gradebook:sheet", args=[world.a.assignment.pk]),
            lesson_url,
        ],
    }
    found = {}
    for user, urls in pages.items():
        if user is None:
            context = browser.new_context()
            context.add_init_script(WATCH_VIOLATIONS)
        else:
            context = signed_in_context(browser, base, user)
        for url in urls:
            violations = violations_on(context, base + url)
            if violations:
                found[url] = violations
        context.close()
    assert found == {}

    # Control: the watcher does see a violation (an inline handler added to a page).
    context = browser.new_context()
    context.add_init_script(WATCH_VIOLATIONS)
    page = context.new_page()
    page.goto(base + site["home"].url)
    page.evaluate(
        "document.body.insertAdjacentHTML('beforeend', '<img src=\"/nothing\" onerror=\"1\">')"
    )
    page.wait_for_function("window.__cspViolations.length > 0", timeout=5000)
    context.close()


def test_the_idle_notice_warns_then_signs_staff_out(live_server, world, browser, settings):
    settings.STAFF_IDLE_TIMEOUT = 9  # seconds; warned 3 s before (a third)
    teacher = enable_mfa(world.a.teacher)
    context = signed_in_context(browser, live_server.url, teacher)
    page = context.new_page()
    page.goto(live_server.url + reverse("portal:dashboard"))
    notice = page.locator("#idle-warning")
    assert notice.is_hidden()
    notice.wait_for(state="visible", timeout=9000)
    # The button takes the focus so that a keyboard user can answer at once.
    assert page.evaluate("document.activeElement.hasAttribute('data-idle-stay')")
    page.keyboard.press("Enter")
    assert notice.is_hidden()
    # Left alone after that, the page goes to the sign-in screen.
    page.wait_for_url("**/konto/login/**", timeout=20000)
    assert "bez aktywności" in page.content()
    context.close()
