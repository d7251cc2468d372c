"""Sign-in through allauth: username or e-mail, no sign-up, MFA for staff,
password reset, session list, admin login through allauth, rate limits."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator

from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from tests.conftest import enable_mfa

PASSWORD = "secret-pass-123"


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


def sign_in(client, login):
    return client.post(reverse("account_login"), {"login": login, "password": PASSWORD})


def test_pupil_signs_in_with_username_case_insensitively(client, world):
    world.a.pupil.email = ""
    world.a.pupil.save()
    response = sign_in(client, world.a.pupil.username.upper())
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard")


def test_guardian_signs_in_with_email(client, world):
    response = sign_in(client, world.a.guardian.email.upper())
    assert response.status_code == 302
    assert client.get(reverse("portal:dashboard")).status_code == 200


def test_wrong_password_gets_a_polish_message(client, world):
    response = client.post(
        reverse("account_login"), {"login": world.a.pupil.username, "password": "nope"}
    )
    assert response.status_code == 200
    assert (
        "niepoprawne" in response.content.decode().lower()
        or "nieprawidłow" in response.content.decode().lower()
    )


def test_there_is_no_open_sign_up(client, db):
    response = client.get(reverse("account_signup"))
    html = response.content.decode()
    assert 'name="password1"' not in html
    assert reverse("account_signup") not in client.get(reverse("account_login")).content.decode()
    response = client.post(
        reverse("account_signup"),
        {
            "username": "intruder",
            "password1": "Very-long-pass-987",
            "password2": "Very-long-pass-987",
        },
    )
    from portal.models import User

    assert not User.objects.filter(username="intruder").exists()


def test_staff_without_mfa_are_sent_to_set_it_up(client, world, settings):
    settings.PORTAL_MFA_REQUIRED_FOR_STAFF = True
    sign_in(client, world.a.teacher.username)
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # the MFA set-up page itself and signing out stay reachable
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


def test_staff_with_mfa_reach_their_tools_after_the_second_factor(client, world):
    enable_mfa(world.a.admin)
    response = sign_in(client, world.a.admin.username)
    # allauth asks for the code before the session is authenticated
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("portal:dashboard")).status_code == 302


def test_families_are_not_forced_to_use_mfa(client, world):
    sign_in(client, world.a.guardian.username)
    assert client.get(reverse("portal:dashboard")).status_code == 200
    assert not Authenticator.objects.filter(user=world.a.guardian).exists()


def test_demo_staff_accounts_skip_mfa_only_while_debug(client, world, settings):
    world.a.teacher.is_demo = True
    world.a.teacher.save()
    settings.DEBUG = True
    sign_in(client, world.a.teacher.username)
    assert client.get(reverse("portal:dashboard")).status_code == 200
    settings.DEBUG = False
    assert client.get(reverse("portal:dashboard")).status_code == 302


def test_password_reset_sends_a_link(client, world):
    # Reset links go to verified addresses (see test_account_security.py).
    EmailAddress.objects.create(
        user=world.a.guardian, email=world.a.guardian.email, verified=True, primary=True
    )
    response = client.post(reverse("account_reset_password"), {"email": world.a.guardian.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert world.a.guardian.email in mail.outbox[0].to
    assert "/konto/password/reset/key/" in mail.outbox[0].body


def test_session_list_is_available(world, login):
    client = login(world.a.guardian, mfa=False)
    assert client.get(reverse("usersessions_list")).status_code == 200


def test_django_admin_login_goes_through_allauth(client, db):
    response = client.get("/django-admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_failed_logins_are_rate_limited(client, world):
    statuses = []
    for _ in range(12):
        response = client.post(
            reverse("account_login"), {"login": world.a.pupil.username, "password": "wrong"}
        )
        statuses.append(response.status_code)
    assert 429 in statuses or any(
        "zbyt wiele"
        in client.post(
            reverse("account_login"), {"login": world.a.pupil.username, "password": "wrong"}
        )
        .content.decode()
        .lower()
        for _ in range(1)
    )
