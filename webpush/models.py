import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PushSubscription(models.Model):
    """One browser (phone, tablet, computer) that agreed to receive the user's
    push notifications: the push service's address and the keys the payload is
    encrypted with (RFC 8291). The endpoint identifies the browser, so it is
    unique: a browser subscribed again by another user moves to that user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="push_subscriptions",
        verbose_name=_("user"),
    )
    endpoint = models.URLField(_("push service address"), max_length=1000, unique=True)
    p256dh = models.CharField(_("public key of the browser"), max_length=200)
    auth = models.CharField(_("authentication secret"), max_length=100)
    user_agent = models.CharField(_("device"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("enabled"), auto_now_add=True)
    last_success_at = models.DateTimeField(_("last delivered"), null=True, blank=True)
    # Failures since the last delivery (reset by a success).
    failure_count = models.PositiveIntegerField(_("failed deliveries"), default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")

    def __str__(self) -> str:
        # not the endpoint: it is the key to send to the device (audit rows show this)
        return self.user_agent or f"#{self.pk}"

    @property
    def endpoint_hash(self) -> str:
        """What the devices page shows instead of the endpoint: its script marks
        "this device" by hashing the browser's own endpoint."""
        return hashlib.sha256(self.endpoint.encode()).hexdigest()

    def subscription_info(self) -> dict:
        """What pywebpush needs to encrypt and send a message."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}
