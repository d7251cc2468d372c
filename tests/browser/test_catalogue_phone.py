"""The catalogue and the reader's account on a phone (issue 14), in Chromium at 320 and
390 px: no page wider than the screen (long ISBNs, URLs and MARC fields wrap or scroll
in their own box), the results before the filters, the renew button on screen and a
44 px target. Screenshots at 390 px go to $SCREENSHOT_DIR when it is set."""

import io
import os
import re
from pathlib import Path

import pytest
from pymarc import Field, Indicators, Subfield

from django.urls import reverse

from library import marc
from library.circulation import services
from library.importing import import_stream
from library.models import Record
from tests.browser.test_csp_and_idle import CHROMIUM, browser, signed_in_context  # noqa: F401
from tests.conftest import enable_mfa
from tests.factories.circulation import card, copy_create
from tests.library.conftest import make_marc

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]

LONG_URL = "https://repozytorium.example.org/" + "dlugi-adres-bez-spacji-" * 8 + "plik.pdf"


def long_record(school) -> Record:
    """An English book with the long unbroken strings that widened the record page."""
    record = make_marc(
        "Supercalifragilisticexpialidocious-and-other-unbreakable-words-of-the-catalogue",
        lang="eng",
        author="Mattern, Joanne",
        lcsh=["Siamese cat -- Juvenile literature"],
        isbn="9780736821230",
    )
    record.add_field(
        Field(tag="020", indicators=Indicators(" ", " "), subfields=[Subfield("a", "0" * 40)])
    )
    record.add_field(
        Field(tag="856", indicators=Indicators("4", "0"), subfields=[Subfield("u", LONG_URL)])
    )
    record.add_field(
        Field(tag="500", indicators=Indicators(" ", " "), subfields=[Subfield("a", "x" * 120)])
    )
    summary = import_stream(io.BytesIO(marc.to_binary([record])), "marc", school=school)
    return Record.objects.get(pk=summary.outcomes[0].record_id)


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def shot(page, name):
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=str(Path(folder) / name), full_page=True)


@pytest.mark.parametrize("width", [320, 390])
def test_catalogue_and_account_fit_a_phone(live_server, world, browser, width):  # noqa: F811
    base = live_server.url
    school = world.a.school
    record = long_record(school)
    for i in range(3):
        other = make_marc(f"Siamese cats and kittens {i}", lang="eng", lcsh=["Cats"])
        import_stream(io.BytesIO(marc.to_binary([other])), "marc", school=school)
    copies = [copy_create(record, school), copy_create(record, school)]
    for copy in copies:
        services.loan_checkout(
            user=world.a.librarian,
            school=school,
            card_number=card(world.a.pupil),
            barcode=copy.barcode,
        )
    viewport = {"width": width, "height": 740}

    # The results page, anonymous: as wide as the screen, the results first.
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(base + reverse("library:search") + "?q=siamese")
    assert page_width(page) <= width
    first_result = page.locator(".library-results > li").first.bounding_box()
    facets = page.locator("#facets").bounding_box()
    assert first_result["y"] < facets["y"]
    skip = page.get_by_role("link", name="Przejdź do filtrów")
    assert skip.is_visible()
    skip.click()
    assert page.evaluate("document.activeElement.id") == "facets-h"
    if width == 390:
        shot(page, "catalogue-results-390.png")
    context.close()

    # The record page as its librarian sees it (with the MARC view): no wider either.
    context = signed_in_context(browser, base, enable_mfa(world.a.librarian))
    page = context.new_page()
    page.set_viewport_size(viewport)
    page.goto(base + record.get_absolute_url())
    assert page.locator(".marc-view").count() == 1
    assert page_width(page) <= width
    marc_box = page.locator(".marc-scroll").bounding_box()
    assert marc_box["x"] + marc_box["width"] <= width
    context.close()

    # The reader's account: each loan a block, its renew button on screen, 44 px.
    context = signed_in_context(browser, base, world.a.pupil)
    page = context.new_page()
    page.set_viewport_size(viewport)
    page.goto(base + reverse("circulation:account"))
    assert page_width(page) <= width
    # each button names its book for a screen reader ("Przedłuż: <title>")
    buttons = page.get_by_role("button", name=re.compile(r"^Przedłuż\W+Supercalifragilistic"))
    assert buttons.count() == 2
    for i in range(2):
        button = buttons.nth(i)
        button.scroll_into_view_if_needed()
        assert button.is_visible()
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        assert box["height"] >= 44
        assert page.evaluate(
            "([x, y]) => !!document.elementFromPoint(x, y)?.closest('button')",
            [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
        )
    if width == 390:
        shot(page, "library-account-390.png")
    context.close()
