"""Push subscriptions with real receiver keys, so a test can decrypt what the
portal sends (the browser's side of RFC 8291)."""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from webpush.models import PushSubscription
from webpush.services import vapid_key_pair


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass
class Receiver:
    """A browser's key pair and authentication secret."""

    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes

    @classmethod
    def new(cls) -> Receiver:
        return cls(ec.generate_private_key(ec.SECP256R1()), os.urandom(16))

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)


def subscription_create(user, endpoint: str, receiver: Receiver | None = None, **fields):
    receiver = receiver or Receiver.new()
    subscription = PushSubscription.objects.create(
        user=user,
        endpoint=endpoint,
        p256dh=receiver.p256dh,
        auth=receiver.auth,
        user_agent=fields.pop("user_agent", "Firefox, Android"),
        **fields,
    )
    subscription.receiver = receiver
    return subscription


def vapid_settings(settings) -> dict:
    """Turn push on with a fresh test key pair (pytest-django `settings`)."""
    public, private = vapid_key_pair()
    settings.VAPID_PUBLIC_KEY = public
    settings.VAPID_PRIVATE_KEY = private
    settings.VAPID_SUBJECT = "mailto:oswiata@example.org"
    return {"public": public, "private": private}
