"""Reads of the notification centre."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Subquery

from .models import Notification


def notifications_for(user, *, kind: str = "", unread_only: bool = False):
    """The user's own notifications, newest first."""
    qs = Notification.objects.filter(recipient=user)
    if kind:
        qs = qs.filter(kind=kind)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.select_related("pupil").order_by("-updated_at", "-id")


def unread_count_subquery(user) -> Subquery:
    """The user's unread count as one integer expression (the header's bell;
    `portal.header.HeaderCounts` adds it to its single query)."""
    unread = (
        Notification.objects.filter(recipient_id=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("recipient_id")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Subquery(unread)


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
