"""The intranet's pages on a phone, in Chromium at 320 and 390 px: no page wider than
the screen (long addresses in a circular wrap, tables scroll in their own box)."""

from pathlib import Path

import pytest

from django.urls import reverse

from intranet import services
from tests.browser.test_csp_and_idle import CHROMIUM, browser, signed_in_context  # noqa: F401
from tests.conftest import enable_mfa
from tests.factories.intranet import (
    circular_create,
    document_request_create,
    form_request_create,
    form_values,
    headteacher,
    pdf,
    post_create,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]

LONG_URL = "https://kuratorium.example.org/" + "bardzo-dlugi-adres-bez-spacji-" * 6 + "a.pdf"


def test_intranet_pages_fit_a_phone(live_server, world, browser):  # noqa: F811
    head = headteacher(world.a.school, "a-head")
    circular = circular_create(
        world.officer,
        [world.a.school, world.b.school],
        subject="Harmonogram rekrutacji na rok szkolny 2026/2027 – przypomnienie",
        body=f"Szczegóły: {LONG_URL}",
        files=[pdf("harmonogram-rekrutacji-do-klas-pierwszych-szkol-podstawowych.pdf")],
    )
    req = form_request_create(world.officer, [world.a.school, world.b.school])
    services.answer_save(
        data_request=req, school_id=world.a.school.pk, user=head, values=form_values(req)
    )
    doc = document_request_create(world.officer, [world.a.school])
    post = post_create(world.officer, title="Szkolenie: bezpieczeństwo w sieci", files=[pdf()])
    pages = {
        enable_mfa(world.officer): [
            reverse("intranet:home"),
            reverse("intranet:circulars"),
            reverse("intranet:circular", args=[circular.pk]),
            reverse("intranet:circular_new"),
            reverse("intranet:requests"),
            reverse("intranet:request", args=[req.pk]),
            reverse("intranet:request", args=[doc.pk]),
            reverse("intranet:request_new"),
            reverse("intranet:posts"),
            reverse("intranet:post", args=[post.pk]),
            reverse("intranet:post_new"),
            reverse("portal:dashboard"),
        ],
        enable_mfa(head): [
            reverse("intranet:home"),
            reverse("intranet:circular", args=[circular.pk]),
            reverse("intranet:request", args=[req.pk]),
            reverse("intranet:answer", args=[req.pk, world.a.school.pk]),
            reverse("intranet:answer", args=[doc.pk, world.a.school.pk]),
            reverse("portal:dashboard"),
        ],
    }
    too_wide = []
    for user, urls in pages.items():
        context = signed_in_context(browser, live_server.url, user)
        page = context.new_page()
        for width in (320, 390):
            page.set_viewport_size({"width": width, "height": 800})
            for url in urls:
                response = page.goto(live_server.url + url)
                assert response.status == 200, url
                scroll = page.evaluate("document.documentElement.scrollWidth")
                if scroll > width:
                    too_wide.append(f"{user.username} {url} at {width}: {scroll}px")
        context.close()
    assert not too_wide, "\n".join(too_wide)
