"""The attendance grid with the keyboard, in headless Chromium (one key per change)."""

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
def teacher_session(world, client):
    a = world.a
    # register order: the world's pupil gets a low number, these come after
    second = make_pupil(a.class_a, username="a-pupil-2")
    third = make_pupil(a.class_a, username="a-pupil-3")
    enable_mfa(a.teacher)
    client.force_login(a.teacher)
    return client.cookies[settings.SESSION_COOKIE_NAME].value, [a.pupil, second, third]


def test_teacher_marks_attendance_with_single_keys(
    live_server,
    world,
    teacher_session,
    day,
    browser,  # noqa: F811
):
    from gradebook.register.models import Attendance

    session, pupils = teacher_session
    context = browser.new_context()
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    page = context.new_page()
    url = reverse("register:lesson", args=[world.a.assignment.pk, day.isoformat(), 1])
    page.goto(live_server.url + url)
    page.fill("#id_topic", "Ułamki na osi")
    rows = page.locator(".pupil-row")
    assert rows.count() == 3
    first = rows.nth(0).locator("input.status:checked")
    first_id = first.get_attribute("name")
    first.focus()
    page.keyboard.press("n")  # first pupil: unexcused, focus moves on
    page.keyboard.press("s")  # second pupil: late, focus goes to the minutes
    page.keyboard.type("5")
    rows.nth(2).locator("label.status-n").click()  # third pupil: one tap
    page.click("#attendance-form button[type=submit]")
    page.wait_for_load_state()
    assert "Ułamki na osi" in page.content()
    context.close()
    try:
        marks = {a.pupil_id: (a.status, a.minutes_late) for a in Attendance.objects.all()}
    finally:
        # Inside Playwright's loop the ORM used a connection of its own: close it, or
        # PostgreSQL cannot drop the test database afterwards.
        connections.close_all()
    assert marks[int(first_id[2:])] == ("n", None)
    statuses = sorted(m for m in marks.values())
    assert statuses == [("n", None), ("n", None), ("s", 5)]
