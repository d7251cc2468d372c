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
    group_title=None,
) -> list[int]:
    """Put one notification per recipient for the event `key` (idempotent: a
    recipient already told about `key` is skipped) and return the ids of the rows
    made or grown. Their e-mail and push are queued (`tasks.deliver`) when the
    caller's transaction commits.

    With `group_key`, a recipient's unread item with the same group key grows by
    one instead (`count`), and takes `group_title` (formatted with `count`) as
    its title: one "5 new grades" item rather than five. `group_title` may be
    a callable of the count (for plural forms)."""
    pupil_id = _user_id(pupil) if pupil is not None else None
    now = timezone.now()
    recipient_ids = list(dict.fromkeys(_user_id(r) for r in recipients))
    if group_key:
        touched = _notify_grouped(
            recipient_ids, kind, title, key, body, url, pupil_id, group_key, group_title, now
        )
    else:
        touched = _notify_many(recipient_ids, kind, title, key, body, url, pupil_id, now)
    if touched:
        # e-mail and push by each recipient's preferences, once the rows are committed
        transaction.on_commit(lambda: _queue_delivery(sorted(set(touched))))
    return touched


def _notify_many(recipient_ids, kind, title, key, body, url, pupil_id, now) -> list[int]:
    """One new item per recipient not yet told about `key`, in a fixed number of
    queries whatever the number of recipients (a class's guardians, a school's
    staff). A row another run made first is skipped by the unique constraint."""
    key = key[:200]
    with transaction.atomic():
        told = set(
            Notification.objects.filter(recipient_id__in=recipient_ids, key=key).values_list(
                "recipient_id", flat=True
            )
        ) | set(
            GroupedEvent.objects.filter(recipient_id__in=recipient_ids, key=key).values_list(
                "recipient_id", flat=True
            )
        )
        fresh = [recipient_id for recipient_id in recipient_ids if recipient_id not in told]
        if not fresh:
            return []
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=recipient_id,
                    kind=kind,
                    pupil_id=pupil_id,
                    title=title[:200],
                    body=body[:500],
                    url=url[:300],
                    key=key,
                    created_at=now,
                    updated_at=now,
                )
                for recipient_id in fresh
            ],
            batch_size=500,
            ignore_conflicts=True,
        )
        # ids are not returned with ignore_conflicts; ours are the rows made now
        return list(
            Notification.objects.filter(
                recipient_id__in=fresh, key=key, created_at=now
            ).values_list("pk", flat=True)
        )


def _notify_grouped(
    recipient_ids, kind, title, key, body, url, pupil_id, group_key, group_title, now
) -> list[int]:
    """Per recipient: grow their unread item of the group, or start one."""
    touched: list[int] = []
    for recipient_id in recipient_ids:
        with transaction.atomic():
            if _already_told(recipient_id, key):
                continue
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
                    title=_group_title(group_title, count, title)[:200],
                    body=body,
                    updated_at=now,
                    # the grown item is a new event for e-mail and push
                    mail_status="",
                    push_status="",
                    mail_due_at=None,
                    push_due_at=None,
                    for_digest=False,
                    digest=None,
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


def _queue_delivery(ids: list[int]) -> None:
    from .tasks import deliver

    deliver.enqueue(ids)


def _already_told(recipient_id: int, key: str) -> bool:
    key = key[:200]
    return (
        Notification.objects.filter(recipient_id=recipient_id, key=key).exists()
        or GroupedEvent.objects.filter(recipient_id=recipient_id, key=key).exists()
    )


def _group_title(group_title, count: int, title: str) -> str:
    if callable(group_title):
        return str(group_title(count))
    return (group_title % {"count": count}) if group_title else title


# --- Reading and settings ----------------------------------------------------------------


def notification_open(*, notification: Notification, user) -> str:
    """Mark the user's own notification read and return where it leads (the
    list when it has no link). The caller checks `is_recipient` first."""
    if notification.recipient_id != user.pk:
        raise PermissionError("not the recipient")
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
    return notification.url


def notifications_mark_all_read(*, user, kind: str = "") -> int:
    """Mark all of the user's unread notifications (of one kind) read."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.update(read_at=timezone.now())


PREFERENCE_FIELDS = [
    "email_kinds",
    "push_kinds",
    "email_mode",
    "digest_time",
    "quiet_start",
    "quiet_end",
]


def preferences_save(*, preferences, user):
    """Save a user's own notification preferences; the change is audited."""
    from portal.audit import audited_save
    from portal.models import AuditEvent

    if preferences.user_id != user.pk:
        raise PermissionError("only one's own preferences")
    preferences.email_kinds = sorted(set(preferences.email_kinds or []))
    preferences.push_kinds = sorted(set(preferences.push_kinds or []))
    preferences.full_clean()
    return audited_save(
        preferences,
        actor=user,
        category=AuditEvent.Category.SETTINGS,
        name="notification_preferences",
        school=None,
        fields=PREFERENCE_FIELDS,
    )


def school_settings_save(*, school_settings, user):
    """Save a school's notification rule (do guardians get pupils'
    notifications); the change is audited."""
    from portal.audit import audited_save
    from portal.models import AuditEvent

    from .permissions import can_edit_school_notification_settings

    if not can_edit_school_notification_settings(user, school_settings.school):
        raise PermissionError("not this school's administrator")
    school_settings.full_clean()
    return audited_save(
        school_settings,
        actor=user,
        category=AuditEvent.Category.SETTINGS,
        name="notification_settings",
        school=school_settings.school_id,
        fields=["tell_guardians"],
    )
