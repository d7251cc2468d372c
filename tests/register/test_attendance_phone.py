"""The attendance screen on a phone (issue 14), in headless Chromium: the one-tap
"nieobecny" button is on screen at 390 px, nothing scrolls sideways at 320 px,
the minutes box is there only for a late pupil, each change is spoken through the
polite live region, and the lesson saves from the sticky bar."""

from pathlib import Path

import pytest

from django.conf import settings
from django.db import connections
from django.urls import reverse

from tests.browser.test_sign_in_flows import CHROMIUM, browser  # noqa: F401  (fixture)
from tests.conftest import enable_mfa
from tests.factories import make_pupil

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def phone(world, client, live_server, day, browser):  # noqa: F811
    """A teacher's session in a 390 px wide context, on the lesson page of 3 pupils."""
    a = world.a
    pupils = [a.pupil, make_pupil(a.class_a, username="a-pupil-2")]
    pupils.append(make_pupil(a.class_a, username="a-pupil-3"))
    enable_mfa(a.teacher)
    client.force_login(a.teacher)
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    url = reverse("register:lesson", args=[a.assignment.pk, day.isoformat(), 1])
    page.goto(live_server.url + url)
    yield page
    context.close()


def _inside_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    width = page.viewport_size["width"]
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


def test_the_absent_button_is_on_screen_and_the_page_fits_320_px(phone):
    page = phone
    row = page.locator(".pupil-row").first
    absent = row.locator("label.status-n")
    assert absent.text_content().strip() == "nieobecny"
    assert _inside_viewport(page, absent)
    box = absent.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    # The save bar stays at the bottom of the screen while the list scrolls.
    bar = page.locator(".save-bar").bounding_box()
    assert bar["y"] + bar["height"] <= 844 + 1
    # Tabbing down the rows never leaves the focused button under the sticky bar
    # (a short screen, so the rows start below it and each Tab scrolls).
    page.set_viewport_size({"width": 390, "height": 420})
    page.evaluate("window.scrollTo(0, 0)")
    page.locator(".pupil-row").first.locator("input.status:checked").focus()
    for _ in range(5):
        page.keyboard.press("Tab")
        bottom = page.evaluate(
            "(document.activeElement.labels?.[0] || document.activeElement)"
            ".getBoundingClientRect().bottom"
        )
        assert bottom <= page.locator(".save-bar").bounding_box()["y"]
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert _inside_viewport(page, absent)


def test_minutes_only_for_a_late_pupil_and_every_change_is_announced(phone):
    page = phone
    live = page.locator("#attendance-live")
    assert live.get_attribute("aria-live") == "polite"
    row = page.locator(".pupil-row").nth(1)
    minutes = row.locator("input.minutes")
    assert page.locator("input.minutes:visible").count() == 0
    row.locator("label.status-s").tap()
    assert minutes.is_visible()
    assert page.locator("input.minutes:visible").count() == 1
    assert live.text_content() == f"{row.get_attribute('data-name')}: spóźniony"
    row.locator("label.status-p").tap()
    assert not minutes.is_visible()
    assert live.text_content() == f"{row.get_attribute('data-name')}: obecny"
    # Arrow keys change the status within the row; they do not leave it.
    radio = row.locator("input.status:checked")
    radio.focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.name") == radio.get_attribute("name")
    assert row.get_attribute("data-status") == "n"
    assert live.text_content() == f"{row.get_attribute('data-name')}: nieobecny"


def test_marks_saved_from_the_sticky_bar(phone, world):
    from gradebook.register.models import Attendance

    page = phone
    page.fill("#id_topic", "Ułamki na telefonie")
    rows = page.locator(".pupil-row")
    first_id = int(rows.nth(0).locator("input.status").first.get_attribute("name")[2:])
    late_id = int(rows.nth(1).locator("input.status").first.get_attribute("name")[2:])
    rows.nth(0).locator("label.status-n").tap()
    rows.nth(1).locator("label.status-s").tap()
    rows.nth(1).locator("input.minutes").fill("10")
    rows.nth(2).locator("summary").tap()
    rows.nth(2).locator("label.status-z").tap()
    assert page.locator('[data-count="absent"]').text_content() == "1"
    with page.expect_navigation():
        page.locator(".save-bar button[type=submit]").tap()
    assert "Ułamki na telefonie" in page.content()
    try:
        marks = {a.pupil_id: (a.status, a.minutes_late) for a in Attendance.objects.all()}
    finally:
        connections.close_all()
    assert marks[first_id] == ("n", None)
    assert marks[late_id] == ("s", 10)
    assert sorted(marks.values()) == [("n", None), ("s", 10), ("z", None)]
