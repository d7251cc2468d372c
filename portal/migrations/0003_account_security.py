"""Account security (issue 10), data only:

1. Every address a school had set (User.email) becomes a verified allauth
   EmailAddress, so that password resets, which now go to verified addresses
   only, keep reaching the people they reached before.
2. TOTP secrets and recovery-code seeds stored in the clear are encrypted with
   MFA_ENCRYPTION_KEY (see portal.adapters.PortalMFAAdapter)."""

from django.db import migrations


def verify_school_set_addresses(apps, schema_editor):
    User = apps.get_model("portal", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    # An address is verified for one account at most (allauth's constraint).
    taken = {
        email.lower()
        for email in EmailAddress.objects.filter(verified=True).values_list("email", flat=True)
    }
    for user in User.objects.exclude(email="").only("pk", "email").iterator(2000):
        email = user.email.strip().lower()
        if email in taken:
            continue
        # User.email is the primary address (allauth keeps the two in step).
        EmailAddress.objects.filter(user_id=user.pk, primary=True).exclude(
            email__iexact=email
        ).update(primary=False)
        address = EmailAddress.objects.filter(user_id=user.pk, email__iexact=email).first()
        if address is None:
            EmailAddress.objects.create(user_id=user.pk, email=email, verified=True, primary=True)
        else:
            address.verified = True
            address.primary = True
            address.save(update_fields=["verified", "primary"])
        taken.add(email)


def _authenticators(apps):
    Authenticator = apps.get_model("mfa", "Authenticator")
    return Authenticator.objects.filter(type__in=["totp", "recovery_codes"]).iterator(500)


def encrypt_mfa_secrets(apps, schema_editor):
    from portal.adapters import authenticator_secrets_rewrite, encrypt_mfa_secret

    authenticator_secrets_rewrite(_authenticators(apps), encrypt_mfa_secret)


def decrypt_mfa_secrets(apps, schema_editor):
    from portal.adapters import authenticator_secrets_rewrite, decrypt_mfa_secret

    authenticator_secrets_rewrite(_authenticators(apps), decrypt_mfa_secret)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_audit_trail_roles"),
        ("account", "0009_emailaddress_unique_primary_email"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [
        migrations.RunPython(verify_school_set_addresses, migrations.RunPython.noop),
        migrations.RunPython(encrypt_mfa_secrets, decrypt_mfa_secrets),
    ]
