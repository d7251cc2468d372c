"""Behind the documented nginx every request comes from 127.0.0.1. Rate limits must
key on the client as told by a proxy we trust, and a guesser must not be able to
lock out other clients or the account's owner (portal.clientip, portal.lockout)."""

import logging

import pytest
from allauth.account.models import EmailAddress

from django.core import mail
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from portal.clientip import client_ip
from portal.lockout import DEVICE_COOKIE
from portal.models import AuditEvent

PASSWORD = "secret-pass-123"
PROXY = "127.0.0.1"


@pytest.fixture(autouse=True)
def _clean_cache(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "::1"]
    cache.clear()
    yield
    cache.clear()


def via_proxy(client_address: str, *, forwarded: str | None = None) -> Client:
    """A browser at `client_address` reaching Django through nginx on 127.0.0.1."""
    chain = forwarded if forwarded is not None else client_address
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=chain)


def attempt(client: Client, login: str, password: str):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("portal:dashboard")


def refused_for_limits(response) -> bool:
    text = response.content.decode().lower()
    return response.status_code == 429 or "zbyt wiele" in text


# --- the client's address ------------------------------------------------------------


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        # No proxy in front: the header is the client's own words, ignored.
        ("203.0.113.7", "198.51.100.1", "203.0.113.7"),
        # nginx appended the address it saw; the client's forged entry is left of it.
        (PROXY, "6.6.6.6, 198.51.100.1", "198.51.100.1"),
        # Two trusted hops (a load balancer in 10/8 behind nginx).
        (PROXY, "198.51.100.2, 10.1.2.3", "198.51.100.2"),
        # IPv6 and ports.
        (PROXY, "[2001:db8::1]:4711", "2001:db8::1"),
        (PROXY, "198.51.100.3:55000", "198.51.100.3"),
        # A trusted proxy without the header: the proxy itself.
        (PROXY, "", PROXY),
        # Garbage in the chain stops the walk at the last address we trust.
        (PROXY, "198.51.100.4, not-an-ip", PROXY),
    ],
)
def test_client_address_is_read_through_trusted_proxies_only(settings, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "::1", "10.0.0.0/8"]
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert client_ip(request) == PROXY


# --- failed sign-ins -----------------------------------------------------------------


def test_twenty_failures_from_one_client_stop_neither_others_nor_the_owner(world):
    victim = world.a.guardian
    attacker = via_proxy("198.51.100.66")
    for _ in range(20):
        response = attempt(attacker, victim.username, "wrong-guess")
    assert refused_for_limits(response)

    # Another family at another address signs in.
    other = world.b.guardian
    assert signed_in(attempt(via_proxy("198.51.100.10"), other.username, PASSWORD))
    # The account's owner, at home, signs in although their login was the target.
    assert signed_in(attempt(via_proxy("192.0.2.55"), victim.username, PASSWORD))


def test_without_the_proxy_setting_one_guesser_locks_out_everyone_behind_nginx(settings, world):
    """The finding, reproduced: with the proxy not trusted every client is 127.0.0.1."""
    settings.TRUSTED_PROXIES = []
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "10/m/ip"}
    attacker = via_proxy("198.51.100.66")
    for _ in range(10):
        attempt(attacker, world.a.pupil.username, "wrong-guess")
    assert refused_for_limits(
        attempt(via_proxy("198.51.100.10"), world.b.guardian.username, PASSWORD)
    )


def test_an_untrusted_client_cannot_escape_the_limit_by_forging_the_header(settings, world):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "10/m/ip"}
    statuses = []
    for n in range(12):
        forged = Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        statuses.append(refused_for_limits(attempt(forged, world.a.pupil.username, "x")))
    assert statuses[:10] == [False] * 10
    assert statuses[10:] == [True, True]


def test_a_guesser_rotating_addresses_locks_the_account_but_not_its_owners_device(
    settings, world, caplog
):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed_account": "6/h/key",
    }
    victim = world.a.guardian
    owner = via_proxy("192.0.2.55")
    assert signed_in(attempt(owner, victim.username, PASSWORD))
    assert owner.cookies.get(DEVICE_COOKIE)
    owner.post(reverse("account_logout"))

    caplog.set_level(logging.WARNING, logger="portal.security")
    for n in range(8):
        attempt(via_proxy(f"198.51.100.{n + 1}"), victim.email, "wrong-guess")

    # A new device, even with the right password, is refused with a way out...
    response = attempt(via_proxy("192.0.2.200"), victim.username, PASSWORD)
    assert not signed_in(response)
    assert "z różnych miejsc" in response.content.decode()
    # ...the owner's own browser is not.
    assert signed_in(attempt(owner, victim.username, PASSWORD))

    # The lock is logged, and recorded once in the audit trail.
    assert any("account" in record.getMessage() for record in caplog.records)
    events = AuditEvent.objects.filter(action="login.locked", person=victim)
    assert events.count() == 1
    assert events.get().after["scope"] == "account"


def test_a_password_reset_by_email_link_lifts_the_account_lock(settings, world):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed_account": "3/h/key",
    }
    victim = world.a.guardian
    for n in range(5):
        attempt(via_proxy(f"198.51.100.{n + 1}"), victim.username, "wrong-guess")
    new_device = via_proxy("192.0.2.201")
    assert not signed_in(attempt(new_device, victim.username, PASSWORD))

    EmailAddress.objects.create(user=victim, email=victim.email, verified=True, primary=True)
    new_device.post(reverse("account_reset_password"), {"email": victim.email})
    link = next(
        line for line in mail.outbox[-1].body.splitlines() if "/konto/password/reset/key/" in line
    ).strip()
    path = link[link.index("/konto/") :]
    form_url = new_device.get(path)["Location"]
    new_password = "a-new-pass-4711"
    response = new_device.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    assert signed_in(attempt(new_device, victim.username, new_password))


def test_successful_sign_ins_of_a_school_behind_one_address_are_not_capped_at_30(world):
    """A class signs in at the start of a lesson from one public address."""
    school_nat = "198.51.100.200"
    results = []
    for _ in range(35):
        client = via_proxy(school_nat)
        results.append(signed_in(attempt(client, world.a.guardian.username, PASSWORD)))
    assert all(results)


# --- the contact form's limit ----------------------------------------------------------


def test_contact_form_limit_counts_per_client_behind_the_proxy(rf, settings):
    from cms.spam import rate_limited

    settings.CMS_FORM_RATE_LIMIT = (2, 600)

    def post_from(address):
        return rf.post("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)

    assert [rate_limited(post_from("198.51.100.1"), "form") for _ in range(3)] == [
        False,
        False,
        True,
    ]
    assert rate_limited(post_from("198.51.100.2"), "form") is False
