"""The teacher's grade sheet in Chromium (issue 14): no page-wide horizontal scroll
at 320 px (the table scrolls inside its wrapper), the grid is one Tab stop with the
arrow keys between cells, Enter saves, and on a 1366 px screen the average,
proposed and final columns stay in view at the right."""

import os
from pathlib import Path

import pytest

from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from gradebook.models import Assessment, Grade
from gradebook.selectors import current_term
from tests.conftest import enable_mfa
from tests.factories import make_pupil
from tests.factories.gradebook import AssessmentFactory

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]


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


def page_of(browser, base, user, width, height=800):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": width, "height": height})
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": base,
            }
        ]
    )
    return context.new_page()


@pytest.fixture
def big_sheet(world):
    """World A's maths sheet with 6 pupils and 24 columns (wider than any screen)."""
    a = world.a
    a.term = current_term(a.year)
    for i in range(5):
        make_pupil(a.class_a, username=f"a-sheet-{i}")
    first = AssessmentFactory(assignment=a.assignment, name="Sprawdzian 1")
    Assessment.objects.bulk_create(
        Assessment(
            assignment=a.assignment,
            term=first.term,
            category=first.category,
            name=f"Kartkówka {i}",
            weight=1,
            date=first.date,
        )
        for i in range(23)
    )
    enable_mfa(a.teacher)
    return world


def page_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


def test_no_page_wide_scroll_at_320_px(live_server, big_sheet, browser):
    a = big_sheet.a
    enable_mfa(a.admin)
    pk = a.assignment.pk
    column = Assessment.objects.filter(assignment=a.assignment).first()
    teacher_urls = [
        reverse("gradebook:sheet", args=[pk]),
        reverse("gradebook:sheet", args=[pk]) + f"?pupil={a.pupil.pk}",
        reverse("gradebook:sheet", args=[pk]) + f"?column={column.pk}",
        reverse("gradebook:term_grades", args=[pk]),
        reverse("gradebook:assessment_add", args=[pk]),
        reverse("gradebook:assessment_edit", args=[pk, column.pk]),
    ]
    page = page_of(browser, live_server.url, a.teacher, 320)
    for url in teacher_urls:
        assert page.goto(live_server.url + url).status == 200, url
        assert page_width(page) <= 320, url
    # The table scrolls inside its own wrapper instead.
    page.goto(live_server.url + teacher_urls[0])
    assert page.evaluate(
        "(() => { const w = document.querySelector('.table-wrap');"
        " return w.scrollWidth > w.clientWidth; })()"
    )
    admin = page_of(browser, live_server.url, a.admin, 320)
    url = reverse("gradebook:settings", args=[a.school.pk])
    assert admin.goto(live_server.url + url).status == 200
    assert page_width(admin) <= 320


def test_the_grid_is_one_tab_stop_arrows_move_and_enter_saves(live_server, big_sheet, browser):
    a = big_sheet.a
    page = page_of(browser, live_server.url, a.teacher, 1024)
    page.goto(live_server.url + reverse("gradebook:sheet", args=[a.assignment.pk]))
    cells = page.locator("input.grade-input")
    first = cells.first
    first.focus()
    # Arrow keys move like a spreadsheet.
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.id") == cells.nth(1).get_attribute("id")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.id") == cells.nth(24 + 1).get_attribute("id")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("document.activeElement.id") == first.get_attribute("id")
    # Tab leaves the grid: the save button is a few stops away, not hundreds.
    tabs = 0
    while tabs < 50:
        page.keyboard.press("Tab")
        tabs += 1
        if page.evaluate("document.activeElement.textContent.trim()") == "Zapisz oceny":
            break
    assert tabs < 10
    # Shift+Tab returns to the cell last used.
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == first.get_attribute("id")
    # Enter in a cell saves the form; a refused cell gets the focus back, also
    # when the page was opened through the skip link (#main).
    page.goto(page.url.split("#")[0] + "#main")
    first.fill("9")
    with page.expect_navigation():
        first.press("Enter")
    assert "#" not in page.url
    assert page.evaluate("document.activeElement.getAttribute('aria-invalid')") == "true"
    assert page.evaluate("document.activeElement.id") == first.get_attribute("id")
    assert not Grade.objects.exists()
    page.keyboard.type("5")  # the refused text is selected: typing replaces it
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert Grade.objects.get().symbol == "5"
    assert page.locator("input.grade-input").first.input_value() == "5"


def test_end_columns_stay_in_view_at_1366_px(live_server, big_sheet, browser):
    a = big_sheet.a
    page = page_of(browser, live_server.url, a.teacher, 1366, 768)
    page.goto(live_server.url + reverse("gradebook:sheet", args=[a.assignment.pk]))
    assert page_width(page) <= 1366
    wrap = page.locator(".table-wrap").bounding_box()
    assert page.evaluate(
        "(() => { const w = document.querySelector('.table-wrap');"
        " return w.scrollWidth > w.clientWidth; })()"
    )
    for name in ("col-average", "col-suggested", "col-proposed", "col-final"):
        cell = page.locator(f"tbody td.{name}").first
        box = cell.bounding_box()
        assert wrap["x"] <= box["x"] and box["x"] + box["width"] <= wrap["x"] + wrap["width"] + 1
        # Opaque and on top: the point at its centre belongs to the cell.
        assert page.evaluate(
            "([x, y, cls]) => document.elementFromPoint(x, y).closest('td')"
            "?.classList.contains(cls)",
            [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, name],
        ), name
    page.locator(".table-wrap").evaluate("w => { w.scrollLeft = w.scrollWidth; }")
    page.locator(".table-wrap").evaluate("w => { w.scrollLeft = 300; }")
    name_cell = page.locator("tbody th.col-pupil").first.bounding_box()
    assert abs(name_cell["x"] - wrap["x"]) < 2  # the pupil's name stays at the left


def test_saving_posts_only_the_changed_cells(live_server, big_sheet, browser):
    """A 6 × 24 sheet has 144 cells; changing two posts those two cells and their
    originals, not the other 142, and both are saved. The cells get their names back
    when the page is shown again from the browser's cache."""
    from urllib.parse import parse_qsl

    a = big_sheet.a
    page = page_of(browser, live_server.url, a.teacher, 1024)
    page.goto(live_server.url + reverse("gradebook:sheet", args=[a.assignment.pk]))
    cells = page.locator("input.grade-input")
    assert cells.count() == 6 * 24
    changed = [cells.nth(0), cells.nth(24 + 3)]
    names = [cell.get_attribute("name") for cell in changed]
    changed[0].fill("5")
    changed[1].fill("3+")
    with page.expect_request(lambda r: r.method == "POST") as posted, page.expect_navigation():
        page.get_by_role("button", name="Zapisz oceny").click()
    fields = dict(parse_qsl(posted.value.post_data, keep_blank_values=True))
    cell_fields = sorted(k for k in fields if k.startswith(("g-", "o-")))
    assert cell_fields == sorted([*names, *(n.replace("g-", "o-", 1) for n in names)])
    assert (fields[names[0]], fields[names[1]]) == ("5", "3+")
    assert sorted(Grade.objects.values_list("symbol", flat=True)) == ["3+", "5"]
    # Back from the saved page: every cell is named again (ready to post).
    page.go_back()
    page.wait_for_load_state()
    assert page.locator("input.grade-input:not([name])").count() == 0
    assert page.locator("[data-unsent]").count() == 0
