"""Re-encrypt every stored TOTP secret and recovery-code seed with the first key
of MFA_ENCRYPTION_KEY, after a key rotation (`MFA_ENCRYPTION_KEY=new,old`): once
it has run, the old key can be removed from the setting."""

from allauth.mfa.models import Authenticator

from django.core.management.base import BaseCommand
from django.db import transaction

from portal.adapters import authenticator_secrets_rewrite, reencrypt_mfa_secret


class Command(BaseCommand):
    help = "Re-encrypt MFA secrets with the current MFA_ENCRYPTION_KEY (after a rotation)."

    def handle(self, *args, **options):
        with transaction.atomic():
            rows = Authenticator.objects.filter(
                type__in=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]
            ).select_for_update()
            changed = authenticator_secrets_rewrite(rows, reencrypt_mfa_secret)
        self.stdout.write(f"{changed} authenticator(s) re-encrypted.")
