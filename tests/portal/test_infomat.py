"""Infomat mode (portal/terminal.py): turned on and off by a signed link, large
targets, the idle reset on the server's side, no sign-in persistence, and the
"sign in on your own phone" QR code. The browser's side of the reset is
tests/browser/test_infomat_idle.py."""

import time

import pytest

from django.urls import reverse

from portal.models import AuditEvent
from portal.terminal import INFOMAT_COOKIE, SEEN_KEY, infomat_token

PASSWORD = "secret-pass-123"


def on_link(name="Urząd gminy – hol"):
    return reverse("portal:infomat_on", args=[infomat_token(name)])


@pytest.fixture
def infomat(client, db):
    response = client.get(on_link())
    assert response.status_code == 302
    return client


def test_the_signed_link_turns_a_browser_into_an_infomat(client, db):
    response = client.get(on_link())
    assert response["Location"] == reverse("cms:infomat")
    assert response.cookies[INFOMAT_COOKIE]["httponly"]
    page = client.get(reverse("cms:infomat"))
    html = page.content.decode()
    assert 'class=" infomat"' in html and "data-infomat" in html
    assert 'data-idle-end-url="/infomat/nowa-sesja/"' in html
    assert "no-store" in page["Cache-Control"]
    event = AuditEvent.objects.get(action="infomat.on")
    assert event.reason == "Urząd gminy – hol"


def test_a_forged_or_missing_marker_is_no_infomat(client, db):
    assert client.get("/infomat/wlacz/nie-podpisany/").status_code == 404
    client.cookies[INFOMAT_COOKIE] = "Urzad gminy"  # not signed
    html = client.get(reverse("cms:infomat")).content.decode()
    assert "data-infomat" not in html and "data-idle-timeout" not in html
    assert client.get(reverse("portal:infomat_reset")).status_code == 404


def test_the_off_link_ends_infomat_mode(infomat):
    token = infomat_token("Urząd gminy – hol")
    response = infomat.get(reverse("portal:infomat_off", args=[token]))
    assert response.cookies[INFOMAT_COOKIE].value == ""
    assert "data-infomat" not in infomat.get("/infomat/").content.decode()
    assert AuditEvent.objects.filter(action="infomat.off").count() == 1


def test_the_idle_warning_counts_down_for_anonymous_visitors_too(infomat, settings):
    settings.CIRCULATION_KIOSK_IDLE_SECONDS = 90
    html = infomat.get("/infomat/").content.decode()
    assert 'data-idle-timeout="90"' in html
    assert "data-idle-countdown" in html and 'role="alertdialog"' in html
    # The page's activity pings count for an anonymous visitor at an infomat ...
    assert infomat.post(reverse("portal:keepalive")).status_code == 204


def test_keepalive_still_needs_a_sign_in_elsewhere(client, db):
    response = client.post(reverse("portal:keepalive"))
    assert response.status_code == 302 and "/konto/login/" in response["Location"]


def test_the_server_clears_an_idle_anonymous_session(infomat, settings):
    settings.CIRCULATION_KIOSK_IDLE_SECONDS = 60
    session = infomat.session
    session["typed"] = "something of the previous person's"
    session[SEEN_KEY] = int(time.time()) - 120
    session.save()
    infomat.get("/infomat/")
    assert "typed" not in infomat.session
    assert infomat.session["kiosk"] is True  # still a terminal


def test_the_reset_signs_out_and_deletes_every_cookie_but_the_marker(infomat, world):
    user = world.a.pupil
    infomat.post("/konto/login/", {"login": user.username, "password": PASSWORD})
    assert infomat.get("/panel/").status_code == 200
    infomat.cookies["django_language"] = "en"
    infomat.cookies["anything"] = "x"
    response = infomat.get(reverse("portal:infomat_reset"))
    assert response["Location"] == "/infomat/?wyczyszczono=1"
    assert response.cookies["django_language"].value == ""
    assert response.cookies["anything"].value == ""
    assert INFOMAT_COOKIE not in response.cookies  # kept as it was
    assert infomat.get("/panel/").status_code == 302  # signed out
    assert "data-infomat-cleared" in infomat.get(response["Location"]).content.decode()


def test_no_remember_me_and_a_qr_code_on_the_sign_in_page(infomat, world):
    html = infomat.get("/konto/login/").content.decode()
    assert 'name="remember"' not in html
    assert '<svg role="img" aria-label="Kod QR: adres strony logowania do portalu"' in html
    assert "http://testserver/konto/login/" in html
    # Even a hand-made "remember me" ends the session with the browser.
    infomat.post(
        "/konto/login/",
        {"login": world.a.pupil.username, "password": PASSWORD, "remember": "on"},
    )
    assert infomat.session.get_expire_at_browser_close()


def test_elsewhere_the_sign_in_page_keeps_remember_me_and_has_no_qr(client, db):
    html = client.get("/konto/login/").content.decode()
    assert 'name="remember"' in html
    assert '<svg role="img"' not in html
