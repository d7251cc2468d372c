"""An e-mail backend that refuses some addresses, as an SMTP server does."""

from __future__ import annotations

import contextlib
import smtplib

from django.core.mail.backends.locmem import EmailBackend
from django.test import override_settings

REFUSED: set[str] = set()


class RefusingBackend(EmailBackend):
    def send_messages(self, messages):
        for message in messages:
            refused = [address for address in message.recipients() if address in REFUSED]
            if refused:
                raise smtplib.SMTPRecipientsRefused(
                    dict.fromkeys(refused, (550, b"5.1.1 Mailbox unavailable"))
                )
        return super().send_messages(messages)


@contextlib.contextmanager
def refusing(*addresses: str):
    """The SMTP server refuses `addresses` (the others go to mail.outbox)."""
    REFUSED.update(addresses)
    try:
        with override_settings(EMAIL_BACKEND="tests.mailfail.RefusingBackend"):
            yield
    finally:
        REFUSED.difference_update(addresses)
