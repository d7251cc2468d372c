"""Web Push: storing the browsers that agreed to receive notifications and
sending to them (pywebpush: the payload encrypted for the browser with
aes128gcm, RFC 8291, signed with the portal's VAPID key, RFC 8292).

`push_to_user` is what the notification centre calls; it never raises."""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.errors import ServiceError
from portal.models import AuditEvent

from .models import PushSubscription

logger = logging.getLogger(__name__)

# Seconds to wait for a push service before counting a failure.
PUSH_TIMEOUT = 10
# A user with more browsers than this loses the oldest when adding one.
MAX_DEVICES_PER_USER = 20
# What a message carries (the service worker reads these), cut to lengths that
# keep the encrypted body well under the push services' 4 kB.
PAYLOAD_LIMITS = {"title": 200, "body": 600, "url": 300, "tag": 100}


class PushError(ServiceError):
    """A refused Web Push operation (portal.errors.ServiceError)."""


# --- Configuration ----------------------------------------------------------------------


def push_enabled() -> bool:
    """Push is on when the operator set all three VAPID settings."""
    return bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY and settings.VAPID_SUBJECT)


def application_server_key() -> str:
    """The public VAPID key browsers subscribe with (base64url, uncompressed point)."""
    return settings.VAPID_PUBLIC_KEY if push_enabled() else ""


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def vapid_key_pair() -> tuple[str, str]:
    """A new VAPID key pair as (public, private), both base64url: the public key as
    the uncompressed P-256 point browsers take, the private one as its raw 32 bytes
    (the format of the web-push tools of other languages too)."""
    vapid = Vapid()
    vapid.generate_keys()
    private = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
    return public_key_of(vapid), _b64url(private)


def public_key_of(vapid: Vapid) -> str:
    return _b64url(
        vapid.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )


def configured_vapid() -> Vapid | None:
    """The signing key from the settings, or None (logged) when it cannot be read."""
    try:
        return Vapid.from_string(private_key=settings.VAPID_PRIVATE_KEY)
    except Exception:  # any malformed key: push is then off, the portal works on
        logger.error("VAPID_PRIVATE_KEY cannot be read; push notifications are not sent")
        return None


# --- Subscriptions ----------------------------------------------------------------------


def _allowed_host(host: str) -> bool:
    return any(host == h or host.endswith("." + h) for h in settings.WEBPUSH_ALLOWED_HOSTS)


def _check_subscription(endpoint: str, p256dh: str, auth: str) -> None:
    """The server will POST to `endpoint`: only an https address of a known push
    service is taken, and keys of the right shape (P-256 point, 16-byte secret)."""
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    if (
        len(endpoint) > 1000
        or parts.scheme != "https"
        or parts.username
        or parts.password
        or parts.port not in (None, 443)
        or not _allowed_host(host)
    ):
        raise PushError(
            "endpoint", _("This browser's push service is not supported by the portal.")
        )
    try:
        receiver = _b64url_decode(p256dh)
        secret = _b64url_decode(auth)
    except (binascii.Error, ValueError) as exc:
        raise PushError("keys", _("The browser sent invalid notification keys.")) from exc
    if len(receiver) != 65 or receiver[0] != 4 or len(secret) != 16:
        raise PushError("keys", _("The browser sent invalid notification keys."))


_SYSTEMS = (
    (r"Android", "Android"),
    (r"iPhone|iPod", "iPhone"),
    (r"iPad", "iPad"),
    (r"CrOS", "ChromeOS"),
    (r"Windows", "Windows"),
    (r"Mac OS X|Macintosh", "macOS"),
    (r"Linux", "Linux"),
)
_BROWSERS = (
    (r"Edg(A|iOS)?/", "Edge"),
    (r"OPR/|Opera", "Opera"),
    (r"SamsungBrowser/", "Samsung Internet"),
    (r"Firefox/|FxiOS/", "Firefox"),
    (r"Chrome/|CriOS/", "Chrome"),
    (r"Safari/", "Safari"),
)


def device_label(user_agent: str) -> str:
    """A short name of the browser and system ("Chrome, Android") for the list of
    devices; the full User-Agent string is not kept."""

    def first(table):
        return next((name for pattern, name in table if re.search(pattern, user_agent)), "")

    return ", ".join(part for part in (first(_BROWSERS), first(_SYSTEMS)) if part)[:200]


def subscription_save(
    *, user, endpoint: str, p256dh: str, auth: str, user_agent: str = ""
) -> PushSubscription:
    """Store (or refresh) the browser's subscription for `user`. A browser's
    endpoint is unique: when another user subscribed it before (a shared
    computer), it moves to `user`, so the earlier user's notifications stop
    appearing on it; only the browser itself (the same keys) may move it."""
    if not push_enabled():
        raise PushError("push_off", _("Push notifications are not switched on in this portal."))
    endpoint, p256dh, auth = endpoint.strip(), p256dh.strip(), auth.strip()
    _check_subscription(endpoint, p256dh, auth)
    label = device_label(user_agent)
    with transaction.atomic():
        existing = PushSubscription.objects.select_for_update().filter(endpoint=endpoint).first()
        if (
            existing is not None
            and existing.user_id != user.pk
            and (existing.p256dh, existing.auth) != (p256dh, auth)
        ):
            # the browser that moves to another user presents its own keys; someone
            # who only learnt the address cannot take another person's device
            raise PushError("taken", _("This device is subscribed by another account."))
        before = {"user": existing.user_id, "device": existing.user_agent} if existing else None
        subscription, _created = PushSubscription.objects.update_or_create(
            endpoint=endpoint,
            defaults={
                "user": user,
                "p256dh": p256dh,
                "auth": auth,
                "user_agent": label,
                "failure_count": 0,
            },
        )
        stale = list(
            PushSubscription.objects.filter(user=user)
            .order_by("-created_at", "-pk")
            .values_list("pk", flat=True)[MAX_DEVICES_PER_USER:]
        )
        if stale:
            PushSubscription.objects.filter(pk__in=stale).delete()
        audit_record(
            actor=user,
            category=AuditEvent.Category.ACCOUNT,
            action="push_subscription.update" if existing else "push_subscription.create",
            target=subscription,
            person=user,
            before=before,
            after={"user": user.pk, "device": label},
        )
    return subscription


def subscription_delete(*, user, subscription: PushSubscription) -> None:
    """Remove one of the user's own subscriptions (the view looked it up among them)."""
    if subscription.user_id != user.pk:
        raise PushError("not_owner", _("This device is not yours."))
    with transaction.atomic():
        audit_record(
            actor=user,
            category=AuditEvent.Category.ACCOUNT,
            action="push_subscription.delete",
            target=subscription,
            person=user,
            before={"user": subscription.user_id, "device": subscription.user_agent},
            after=None,
        )
        subscription.delete()


def subscriptions_delete_endpoints(*, user, endpoints) -> int:
    """Remove the user's subscriptions with these endpoints (the browser turned
    push off, or the user signed out on it); returns how many went."""
    count = 0
    for subscription in PushSubscription.objects.filter(user=user, endpoint__in=list(endpoints)):
        subscription_delete(user=user, subscription=subscription)
        count += 1
    return count


# --- Sending ----------------------------------------------------------------------------


def _payload_json(payload: dict) -> str:
    clean = {key: str(payload.get(key) or "")[:limit] for key, limit in PAYLOAD_LIMITS.items()}
    return json.dumps(clean, ensure_ascii=False, separators=(",", ":"))


def push_to_user(*, user_id: int, payload: dict) -> int:
    """Send `payload` ({"title", "body", "url", "tag"}) to every browser of the
    user and return how many accepted it. A subscription its push service says
    is gone (404, 410) is deleted; any other failure is counted on the
    subscription and logged, never raised: the caller's work goes on."""
    if not push_enabled():
        return 0
    subscriptions = list(PushSubscription.objects.filter(user_id=user_id).order_by("pk"))
    if not subscriptions:
        return 0
    vapid = configured_vapid()
    if vapid is None:
        return 0
    data = _payload_json(payload)
    reached = 0
    for subscription in subscriptions:
        try:
            webpush(
                subscription_info=subscription.subscription_info(),
                data=data,
                vapid_private_key=vapid,
                # a fresh dict each time: pywebpush fills in the endpoint's audience
                vapid_claims={"sub": settings.VAPID_SUBJECT},
                content_encoding="aes128gcm",
                ttl=settings.WEBPUSH_TTL,
                headers={"Urgency": settings.WEBPUSH_URGENCY},
                timeout=PUSH_TIMEOUT,
            )
        except WebPushException as exc:
            status = exc.status_code
            if status in (404, 410):
                logger.info(
                    "Push subscription %s is gone (HTTP %s); deleted", subscription.pk, status
                )
                subscription.delete()
            else:
                _count_failure(subscription, f"HTTP {status}" if status else exc.message)
            continue
        except Exception as exc:  # network errors, a malformed key: never the caller's
            _count_failure(subscription, repr(exc))
            continue
        PushSubscription.objects.filter(pk=subscription.pk).update(
            last_success_at=timezone.now(), failure_count=0
        )
        reached += 1
    return reached


def _count_failure(subscription: PushSubscription, reason: str) -> None:
    PushSubscription.objects.filter(pk=subscription.pk).update(failure_count=F("failure_count") + 1)
    logger.warning("Push to subscription %s failed: %s", subscription.pk, reason[:300])
