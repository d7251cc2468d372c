"""Account security (issue 10): e-mail and password changes need the current
password, new addresses are verified before password resets use them, an
anonymous reset request cannot block TOTP enrolment, CMS editors need MFA, and
MFA secrets are encrypted at rest."""

import importlib
import io
import re
import runpy
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from cryptography.fernet import Fernet

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import call_command
from django.urls import reverse

from portal import permissions as p
from portal.accounts import email_set_by_school
from portal.adapters import ENCRYPTED_PREFIX, decrypt_mfa_secret, encrypt_mfa_secret
from portal.models import AuditEvent, Role
from tests.factories import RoleFactory, UserFactory

PASSWORD = "secret-pass-123"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
migration = importlib.import_module("portal.migrations.0003_account_security")

RESET_LINK = re.compile(r"/konto/password/reset/key/\S+")
CONFIRM_LINK = re.compile(r"/konto/confirm-email/\S+/")


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


def sign_in(client, user):
    response = client.post(reverse("account_login"), {"login": user.username, "password": PASSWORD})
    assert response.status_code == 302, response
    return response


def verified(user, email=None):
    """The state the migration leaves a school-set address in."""
    return EmailAddress.objects.create(
        user=user, email=(email or user.email).lower(), verified=True, primary=True
    )


def code_for(secret, at=None):
    return format_hotp_value(hotp_value(secret, int(at or time.time()) // 30))


def reset_links_to(address):
    return [m for m in mail.outbox if address in m.to and RESET_LINK.search(m.body) is not None]


# --- Anonymous reset requests and TOTP enrolment --------------------------------------


def enrol_totp(client):
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200, response.get("Location")
    secret = response.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": code_for(secret)})
    return response, secret


@pytest.mark.parametrize("address", ["set by the school", "verified"])
def test_an_anonymous_reset_request_cannot_block_totp_enrolment(client, world, address):
    teacher = world.a.teacher
    if address == "verified":
        verified(teacher)
    # Someone who knows the teacher's address asks for a reset.
    client.post(reverse("account_reset_password"), {"email": teacher.email})
    client.logout()
    sign_in(client, teacher)
    # The portal sends the teacher to enrol TOTP; enrolling must work.
    assert client.get(reverse("portal:dashboard"))["Location"] == reverse("mfa_activate_totp")
    response, _secret = enrol_totp(client)
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=teacher, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("portal:dashboard")).status_code == 200


def test_an_unconfirmed_address_blocks_enrolment_without_the_setting(client, world, settings):
    """Negative control: allauth's own rule (no MFA while an address is
    unverified) is what locked staff out; the portal switches it off."""
    settings.MFA_ALLOW_UNVERIFIED_EMAIL = False
    teacher = world.a.teacher
    EmailAddress.objects.create(user=teacher, email=teacher.email, verified=False, primary=True)
    sign_in(client, teacher)
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=teacher).exists()


def test_staff_with_an_address_awaiting_confirmation_can_enrol(client, world):
    teacher = world.a.teacher
    email_set_by_school(user=teacher, email="nowy.adres@example.org", actor=world.a.admin)
    sign_in(client, teacher)
    response, _secret = enrol_totp(client)
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=teacher, type=Authenticator.Type.TOTP).exists()


# --- Changing the address and the password ---------------------------------------------


def add_address(client, email):
    return client.post(reverse("account_email"), {"email": email, "action_add": ""})


def test_changing_the_address_asks_for_the_current_password(client, world):
    guardian = world.a.guardian
    verified(guardian)
    sign_in(client, guardian)
    response = add_address(client, "przejety@example.org")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not EmailAddress.objects.filter(email="przejety@example.org").exists()
    # a wrong password does not let the change through
    client.post(response["Location"], {"password": "wrong-password"})
    assert not EmailAddress.objects.filter(email="przejety@example.org").exists()
    # the right one does, and the suspended change is carried out
    client.post(response["Location"], {"password": PASSWORD})
    new = EmailAddress.objects.get(email="przejety@example.org")
    assert new.user == guardian and not new.verified
    guardian.refresh_from_db()
    assert guardian.email == "a-parent@example.org"  # unchanged until confirmed


def test_a_new_address_gets_no_reset_link_until_it_is_confirmed(client, world):
    guardian = world.a.guardian
    verified(guardian)
    sign_in(client, guardian)
    location = add_address(client, "nowy@example.org")["Location"]
    client.post(location, {"password": PASSWORD})
    confirmation = [m for m in mail.outbox if "nowy@example.org" in m.to]
    assert confirmation and CONFIRM_LINK.search(confirmation[-1].body)
    client.logout()
    mail.outbox.clear()

    client.post(reverse("account_reset_password"), {"email": "nowy@example.org"})
    assert reset_links_to("nowy@example.org") == []
    client.post(reverse("account_reset_password"), {"email": guardian.email})
    assert len(reset_links_to(guardian.email)) == 1

    # The owner of the new address confirms it: it replaces the old one.
    link = CONFIRM_LINK.search(confirmation[-1].body).group(0)
    client.post(link)
    guardian.refresh_from_db()
    assert guardian.email == "nowy@example.org"
    assert list(EmailAddress.objects.filter(user=guardian).values_list("email", "verified")) == [
        ("nowy@example.org", True)
    ]
    mail.outbox.clear()
    client.post(reverse("account_reset_password"), {"email": "nowy@example.org"})
    assert len(reset_links_to("nowy@example.org")) == 1
    assert AuditEvent.objects.filter(
        person=guardian, category=AuditEvent.Category.ACCOUNT, action="email_changed"
    ).exists()


def test_reset_goes_only_to_verified_addresses(client, world):
    guardian = world.a.guardian
    client.post(reverse("account_reset_password"), {"email": guardian.email})
    assert reset_links_to(guardian.email) == []
    verified(guardian)
    client.post(reverse("account_reset_password"), {"email": guardian.email})
    assert len(reset_links_to(guardian.email)) == 1


def test_changing_the_password_needs_the_old_one(client, world):
    guardian = world.a.guardian
    verified(guardian)
    sign_in(client, guardian)
    url = reverse("account_change_password")
    new = "Nowe-haslo-2026!x"
    response = client.post(url, {"oldpassword": "wrong", "password1": new, "password2": new})
    assert response.status_code == 200
    guardian.refresh_from_db()
    assert guardian.check_password(PASSWORD)
    response = client.post(url, {"oldpassword": PASSWORD, "password1": new, "password2": new})
    assert response.status_code == 302
    guardian.refresh_from_db()
    assert guardian.check_password(new)
    assert AuditEvent.objects.filter(person=guardian, action="password_changed").exists()
    # the owner is told at their address
    assert any(guardian.email in m.to for m in mail.outbox)


# --- Addresses set by the school --------------------------------------------------------


def test_school_sets_an_address_as_unverified_and_asks_to_confirm_it(client, world):
    pupil = world.a.pupil
    verified(pupil)
    old = pupil.email
    address = email_set_by_school(
        user=pupil, email=" Nowy.Uczen@Example.org ", actor=world.a.admin, school=world.a.school
    )
    pupil.refresh_from_db()
    assert pupil.email == "nowy.uczen@example.org"
    assert address.email == "nowy.uczen@example.org"
    assert not address.verified and address.primary
    assert list(EmailAddress.objects.filter(user=pupil)) == [address]
    sent_to_new = [m for m in mail.outbox if "nowy.uczen@example.org" in m.to]
    assert len(sent_to_new) == 1 and CONFIRM_LINK.search(sent_to_new[0].body)
    assert any(old in m.to for m in mail.outbox), "the old address is told of the change"
    event = AuditEvent.objects.get(person=pupil, action="email.set_by_school")
    assert event.category == AuditEvent.Category.ACCOUNT
    assert event.actor == world.a.admin and event.school == world.a.school
    assert event.before == {"email": old, "verified": True}
    assert event.after == {"email": "nowy.uczen@example.org", "verified": False}

    # No reset link until the owner confirms, then it works.
    mail.outbox.clear()
    client.post(reverse("account_reset_password"), {"email": "nowy.uczen@example.org"})
    assert reset_links_to("nowy.uczen@example.org") == []
    client.post(CONFIRM_LINK.search(sent_to_new[0].body).group(0))
    assert EmailAddress.objects.get(user=pupil).verified
    client.post(reverse("account_reset_password"), {"email": "nowy.uczen@example.org"})
    assert len(reset_links_to("nowy.uczen@example.org")) == 1


def test_school_cannot_give_an_address_another_account_uses(world):
    with pytest.raises(ValidationError) as error:
        email_set_by_school(user=world.a.pupil, email=world.a.guardian.email, actor=world.a.admin)
    assert "email" in error.value.message_dict
    with pytest.raises(ValidationError):
        email_set_by_school(user=world.a.pupil, email="not an address", actor=world.a.admin)
    assert not AuditEvent.objects.filter(action="email.set_by_school").exists()


def test_school_setting_the_same_verified_address_changes_nothing(world):
    pupil = world.a.pupil
    address = verified(pupil)
    assert email_set_by_school(user=pupil, email=pupil.email, actor=world.a.admin) == address
    address.refresh_from_db()
    assert address.verified
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action="email.set_by_school").exists()


def test_school_can_clear_an_address(world):
    pupil = world.a.pupil
    verified(pupil)
    assert email_set_by_school(user=pupil, email="", actor=world.a.admin) is None
    pupil.refresh_from_db()
    assert pupil.email == ""
    assert not EmailAddress.objects.filter(user=pupil).exists()


# --- The data migration of existing addresses ------------------------------------------


def test_migration_marks_school_set_addresses_verified(world):
    pupil, guardian, teacher = world.a.pupil, world.a.guardian, world.a.teacher
    # left unverified by allauth's sync (the reset bug), plus an address the
    # guardian typed and never confirmed
    EmailAddress.objects.create(user=teacher, email=teacher.email, verified=False, primary=True)
    EmailAddress.objects.create(user=guardian, email="typed@example.org", verified=False)
    migration.verify_school_set_addresses(apps, None)
    assert EmailAddress.objects.get(user=pupil).verified
    assert EmailAddress.objects.get(user=teacher).verified
    assert EmailAddress.objects.get(user=guardian, email=guardian.email).primary
    assert not EmailAddress.objects.get(user=guardian, email="typed@example.org").verified
    migration.verify_school_set_addresses(apps, None)  # idempotent
    assert EmailAddress.objects.filter(user=pupil).count() == 1


# --- MFA for CMS editors and moderators -------------------------------------------------


def test_editors_moderators_and_wagtail_admins_require_mfa(world):
    editor = RoleFactory(role=Role.EDITOR, school=world.a.school).user
    moderator = RoleFactory(role=Role.MODERATOR, school=None).user
    wagtail_user = UserFactory()
    group = Group.objects.create(name="Wagtail users")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    wagtail_user.groups.add(group)
    for user in (editor, moderator, wagtail_user):
        assert p.requires_mfa(user), user
    for user in (world.a.guardian, world.a.pupil, UserFactory()):
        assert not p.requires_mfa(user), user


def test_an_editor_without_mfa_is_sent_to_set_it_up(client, world, settings):
    editor = RoleFactory(role=Role.EDITOR, school=world.a.school).user
    sign_in(client, editor)
    for url in (reverse("portal:dashboard"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_activate_totp")
    # demo editors may click around while DEBUG is on
    editor.is_demo = True
    editor.save()
    settings.DEBUG = True
    assert client.get(reverse("portal:dashboard")).status_code == 200


# --- MFA secrets encrypted at rest ------------------------------------------------------


def test_totp_secret_is_stored_encrypted_and_still_verifies(client, world):
    teacher = world.a.teacher
    verified(teacher)
    sign_in(client, teacher)
    _response, secret = enrol_totp(client)
    stored = Authenticator.objects.get(user=teacher, type=Authenticator.Type.TOTP).data["secret"]
    assert stored.startswith(ENCRYPTED_PREFIX) and secret not in stored
    assert decrypt_mfa_secret(stored) == secret
    client.logout()
    cache.clear()
    # Signing in again with a code from the app works.
    response = sign_in(client, teacher)
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": code_for(secret)})
    assert response.status_code == 302
    assert client.get(reverse("portal:dashboard")).status_code == 200


def test_recovery_code_seed_is_stored_encrypted_and_codes_work(world):
    teacher = world.a.teacher
    TOTP.activate(teacher, SECRET)
    codes = RecoveryCodes.activate(teacher)
    seed = codes.instance.data["seed"]
    assert seed.startswith(ENCRYPTED_PREFIX)
    fresh = RecoveryCodes(Authenticator.objects.get(pk=codes.instance.pk))
    assert fresh.generate_codes() == codes.generate_codes()
    assert fresh.validate_code(codes.generate_codes()[0])


def test_secrets_stored_in_the_clear_are_encrypted_by_the_migration(world):
    teacher = world.a.teacher
    plain = Authenticator.objects.create(
        user=teacher, type=Authenticator.Type.TOTP, data={"secret": SECRET}
    )
    # still readable before the migration ...
    assert TOTP(plain).validate_code(code_for(SECRET))
    migration.encrypt_mfa_secrets(apps, None)
    plain.refresh_from_db()
    assert plain.data["secret"].startswith(ENCRYPTED_PREFIX)
    assert SECRET not in plain.data["secret"]
    # ... and after it; a second run leaves the value alone
    cache.clear()
    assert TOTP(plain).validate_code(code_for(SECRET))
    before = plain.data["secret"]
    migration.encrypt_mfa_secrets(apps, None)
    plain.refresh_from_db()
    assert plain.data["secret"] == before
    migration.decrypt_mfa_secrets(apps, None)
    plain.refresh_from_db()
    assert plain.data["secret"] == SECRET


def test_keys_can_be_rotated_and_a_wrong_key_fails_clearly(world, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.MFA_ENCRYPTION_KEY = old
    totp = TOTP.activate(world.a.teacher, SECRET).instance
    settings.MFA_ENCRYPTION_KEY = new
    with pytest.raises(ImproperlyConfigured, match="MFA_ENCRYPTION_KEY"):
        TOTP(totp).validate_code(code_for(SECRET))
    # new key first, old one still listed: old values read, then re-encrypted
    settings.MFA_ENCRYPTION_KEY = f"{new},{old}"
    assert decrypt_mfa_secret(totp.data["secret"]) == SECRET
    out = io.StringIO()
    call_command("mfa_reencrypt", stdout=out)
    assert "1 " in out.getvalue()
    settings.MFA_ENCRYPTION_KEY = new
    totp.refresh_from_db()
    assert TOTP(totp).validate_code(code_for(SECRET))
    settings.MFA_ENCRYPTION_KEY = "not-a-key"
    with pytest.raises(ImproperlyConfigured, match="MFA_ENCRYPTION_KEY"):
        encrypt_mfa_secret(SECRET)


def test_production_settings_require_the_key(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    monkeypatch.delenv("MFA_ENCRYPTION_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match="MFA_ENCRYPTION_KEY"):
        runpy.run_module("portal.settings.production")
    monkeypatch.setenv("MFA_ENCRYPTION_KEY", "too-short")
    with pytest.raises(ImproperlyConfigured, match="not a valid Fernet key"):
        runpy.run_module("portal.settings.production")
    monkeypatch.setenv("MFA_ENCRYPTION_KEY", Fernet.generate_key().decode())
    assert runpy.run_module("portal.settings.production")["MFA_ENCRYPTION_KEY"]
