"""A parent's grades on a 390 px phone (issue 14): the page is no wider than the
screen, and a grade chip opens its details from the keyboard and closes again."""

import os
from pathlib import Path

import pytest

from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from portal.models import Subject, TeachingAssignment
from tests.factories.gradebook import AssessmentFactory, grade_put

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]
PHONE = {"width": 390, "height": 844}
SYMBOLS = ["5", "4+", "3-", "np", "6", "2", "+", "5-", "4", "1", "3", "nb"]


@pytest.fixture
def browser():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        yield instance
        instance.close()


def phone_of(browser, base, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=PHONE, locale="pl-PL")
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": base,
            }
        ]
    )
    return context


def test_a_parent_reads_grades_on_a_phone_and_opens_one_by_keyboard(live_server, world, browser):
    a = world.a
    # Long subject names and a dozen grades each: what makes a phone table overflow.
    assignments = [a.assignment]
    for name in ("Wychowanie fizyczne", "Edukacja dla bezpieczeństwa", "Język angielski"):
        subject = Subject.objects.create(school=a.school, name=name)
        assignments.append(
            TeachingAssignment.objects.create(
                school_class=a.class_a, subject=subject, teacher=a.teacher
            )
        )
    for assignment in assignments:
        for i, symbol in enumerate(
            ["5", "4+", "3-", "np", "6", "2", "+", "5-", "4", "1", "3", "nb"]
        ):
            column = AssessmentFactory(assignment=assignment, name=f"Kartkówka {i}")
            grade_put(assessment=column, pupil=a.pupil, user=a.teacher, text=symbol)

    context = phone_of(browser, live_server.url, a.guardian)
    page = context.new_page()
    page.goto(live_server.url + reverse("gradebook:pupil", args=[a.pupil.pk]))
    assert page.locator("table.grades-table").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    first = page.locator("details.chip").first
    face = first.locator("summary")
    detail = first.locator(".chip-detail")
    assert not detail.is_visible()
    face.focus()
    page.keyboard.press("Enter")
    assert first.evaluate("d => d.open")
    assert detail.is_visible()
    assert "Waga" in detail.inner_text() and "Kartkówka 0" in detail.inner_text()
    box = detail.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Escape closes it and leaves the focus on the chip.
    page.keyboard.press("Escape")
    assert not first.evaluate("d => d.open")
    assert face.evaluate("el => el === document.activeElement")

    # Space opens another; opening it closes the first (one open at a time).
    first.evaluate("d => { d.open = true; }")
    second = page.locator("details.chip").nth(1)
    second.locator("summary").focus()
    page.keyboard.press(" ")
    assert second.evaluate("d => d.open")
    assert not first.evaluate("d => d.open")
    # The close button closes it and gives the focus back too.
    second.locator("[data-chip-close]").click()
    assert not second.evaluate("d => d.open")
    assert second.locator("summary").evaluate("el => el === document.activeElement")

    # The cards are one link away and stay at the phone's width too.
    page.get_by_role("link", name="Karty").click()
    page.wait_for_load_state()
    assert page.locator(".subject-card").count() == len(assignments)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
