"""Messages on a parent's phone, in headless Chromium: the inbox, a thread and
the compose form fit 390 and 320 px without sideways scrolling, and the picker
shows matching teachers as the name is typed."""

from pathlib import Path

import pytest

from django.conf import settings
from django.urls import reverse

from tests.browser.test_sign_in_flows import CHROMIUM, browser  # noqa: F401  (fixture)
from tests.factories.messaging import send

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def phone(world, client, live_server, browser):  # noqa: F811
    a = world.a
    thread = send(
        a.teacher,
        a.guardian,
        school=a.school,
        subject="Bardzo długi temat wiadomości o wycieczce klasowej do Krakowa i Wieliczki",
        body="Szczegóły: https://example.org/bardzo/dlugi/adres/strony/z/programem/wycieczki "
        + "tekst " * 80,
    )
    client.force_login(a.guardian)
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
    yield page, live_server.url, thread, world
    context.close()


def test_inbox_thread_and_compose_fit_a_phone(phone):
    page, base, thread, world = phone
    for url in (
        reverse("messaging:inbox"),
        reverse("messaging:thread", args=[thread.pk]),
        reverse("messaging:compose"),
    ):
        for width in (390, 320):
            page.set_viewport_size({"width": width, "height": 700})
            page.goto(base + url)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (url, width)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base + reverse("messaging:compose"))
    page.fill("#msg-find-q", world.a.teacher.last_name)
    option = page.locator(
        f'#msg-found input[value="user:{world.a.school.pk}:{world.a.teacher.pk}"]'
    )
    option.wait_for(timeout=5000)
    option.check()
    page.fill("#id_subject", "Pytanie")
    page.fill("#id_body", "Dzień dobry")
    page.click(".msg-compose .actions button[type=submit]")
    page.wait_for_url("**/wiadomosci/watek/**")
    assert "Wiadomość została wysłana" in page.content()
