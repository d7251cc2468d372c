"""Making notifications. Services that change register, library or message data
call `notify` from a background task after their transaction commits."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import GroupedEvent, Notification


def _user_id(who) -> int:
    return who if isinstance(who, int) else who.pk


def notify(
    *,
    recipients: Iterable,
    kind: str,
    title: str,
    key: str,
    body: str = "",
    url: str = "",
    pupil=None,
    group_key: str = "",
    group_title: str = "",
) -> list[int]:
    """Put one notification per recipient for the event `key` (idempotent: a
    recipient already told about `key` is skipped) and return the ids of the rows
    made or grown.

    With `group_key`, a recipient's unread item with the same group key grows by
    one instead (`count`), and takes `group_title` (formatted with `count`) as
    its title: one "5 new grades" item rather than five."""
    pupil_id = _user_id(pupil) if pupil is not None else None
    touched: list[int] = []
    now = timezone.now()
    for recipient_id in dict.fromkeys(_user_id(r) for r in recipients):
        with transaction.atomic():
            if _already_told(recipient_id, key):
                continue
            if group_key:
                open_item = (
                    Notification.objects.select_for_update()
                    .filter(recipient_id=recipient_id, group_key=group_key, read_at__isnull=True)
                    .first()
                )
                if open_item is not None:
                    try:
                        with transaction.atomic():
                            GroupedEvent.objects.create(
                                recipient_id=recipient_id, key=key[:200], item=open_item
                            )
                    except IntegrityError:  # another run folded it first
                        continue
                    count = open_item.count + 1
                    Notification.objects.filter(pk=open_item.pk).update(
                        count=F("count") + 1,
                        title=(group_title % {"count": count}) if group_title else title,
                        body=body,
                        updated_at=now,
                        # the grown item is a new event for e-mail and push
                        mail_status="",
                        push_status="",
                    )
                    touched.append(open_item.pk)
                    continue
            try:
                with transaction.atomic():
                    row = Notification.objects.create(
                        recipient_id=recipient_id,
                        kind=kind,
                        pupil_id=pupil_id,
                        title=title[:200],
                        body=body[:500],
                        url=url[:300],
                        key=key[:200],
                        group_key=group_key[:200],
                        created_at=now,
                        updated_at=now,
                    )
            except IntegrityError:  # another run made it first
                continue
            touched.append(row.pk)
    return touched


def _already_told(recipient_id: int, key: str) -> bool:
    key = key[:200]
    return (
        Notification.objects.filter(recipient_id=recipient_id, key=key).exists()
        or GroupedEvent.objects.filter(recipient_id=recipient_id, key=key).exists()
    )
