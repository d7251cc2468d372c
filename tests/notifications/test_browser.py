"""A parent is told of a new grade and opens it from the bell, on a phone."""

import pytest

from django.urls import reverse

from gradebook.models import Grade
from gradebook.selectors import sheet_day
from gradebook.services import CellInput, sheet_save
from notifications.models import Notification
from tests.browser.test_sign_in_flows import CHROMIUM, browser, sign_in  # noqa: F401
from tests.factories.gradebook import AssessmentFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(), reason="no Chromium"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def graded(world):
    """The teacher enters a grade through the grade sheet's service; the
    notification is made and delivered after the commit (immediate tasks).
    Built before the browser starts (see tests/browser/test_sign_in_flows.py)."""
    a = world.a
    assessment = AssessmentFactory(assignment=a.assignment, name="Kartkówka z ułamków")
    sheet_save(
        assignment=a.assignment,
        user=a.teacher,
        cells=[CellInput(assessment.pk, a.pupil.pk, "5", "")],
        day=sheet_day(assessment.term),
    )
    grade = Grade.objects.get(pupil=a.pupil)
    item = Notification.objects.get(recipient=a.guardian)
    return world, grade, item


@pytest.fixture(autouse=True)
def _no_push(monkeypatch):
    import sys
    import types

    module = types.ModuleType("webpush.services")
    module.push_to_user = lambda *, user_id, payload: 0
    monkeypatch.setitem(sys.modules, "webpush.services", module)


def test_a_parent_opens_a_new_grade_from_the_bell(live_server, graded, browser):  # noqa: F811
    world, grade, item = graded
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server.url, world.a.guardian.email)
    bell = page.locator('a[data-counter="notifications"]')
    assert bell.is_visible(), "the bell is in the header on a phone, outside the menu"
    assert bell.locator(".header-count").inner_text() == "1"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    bell.click()
    page.wait_for_load_state()
    assert page.url.endswith(reverse("notifications:list"))
    link = page.get_by_role("link", name=item.title)
    assert link.is_visible()
    link.click()
    page.wait_for_load_state()
    assert f"/dziennik/uczen/{world.a.pupil.pk}/" in page.url
    assert page.url.endswith(f"#ocena-{grade.pk}")
    chip = page.locator(f"#ocena-{grade.pk}")
    chip.wait_for()
    assert chip.get_attribute("open") is not None, "the grade's details are open"
    assert "Kartkówka z ułamków" in chip.inner_text()
    item.refresh_from_db()
    assert item.read_at is not None
    assert page.locator('a[data-counter="notifications"] .header-count').count() == 0
    context.close()
