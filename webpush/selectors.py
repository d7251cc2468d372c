"""Reads of Web Push."""

from __future__ import annotations

from .permissions import own_subscriptions


def devices_of(user):
    """The user's browsers receiving push, newest first (at most
    services.MAX_DEVICES_PER_USER, so the page needs no pagination)."""
    return own_subscriptions(user).order_by("-created_at", "-pk")
