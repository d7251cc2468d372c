"""Delivery of notifications by e-mail and push, by each user's preferences.

`deliver(ids)` plans each new item once (what a retried task finds planned or
sent it leaves alone) and sends what is due now; `flush()` — the periodic job —
sends what waited for the end of quiet hours, retries failed e-mails and sends
the daily digests. Every send claims its row first (`mail_status` "" ->
"sending", `push_status` "waiting" -> "sending"), so nothing leaves twice."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from portal.background.mail import mail_claim_retry, mail_retryable, mail_send
from portal.models import User

from .models import Digest, Notification, Preferences

logger = logging.getLogger("portal.notifications")
MailStatus = Notification.MailStatus
PushStatus = Notification.PushStatus
BATCH = 500


# --- Quiet hours -------------------------------------------------------------------------


def in_quiet_hours(prefs: Preferences, moment: datetime.datetime) -> bool:
    """Whether `moment` (aware) falls in the user's quiet hours; they may span
    midnight (22:00–07:00)."""
    start, end = prefs.quiet_start, prefs.quiet_end
    if start is None or end is None or start == end:
        return False
    t = timezone.localtime(moment).time()
    if start < end:
        return start <= t < end
    return t >= start or t < end


def quiet_hours_end(prefs: Preferences, moment: datetime.datetime) -> datetime.datetime:
    """When the quiet hours `moment` falls in end (the next `quiet_end`)."""
    local = timezone.localtime(moment)
    end = datetime.datetime.combine(local.date(), prefs.quiet_end)
    end = timezone.make_aware(end, local.tzinfo)
    if end <= local:
        end = timezone.make_aware(
            datetime.datetime.combine(local.date() + datetime.timedelta(days=1), prefs.quiet_end),
            local.tzinfo,
        )
    return end


def due_time(prefs: Preferences, moment: datetime.datetime) -> datetime.datetime:
    return quiet_hours_end(prefs, moment) if in_quiet_hours(prefs, moment) else moment


# --- Planning and sending ----------------------------------------------------------------


def deliver(ids: list[int], now: datetime.datetime | None = None) -> dict:
    """Plan the e-mail and push of these notifications by their recipients'
    preferences, then send what is due now. Idempotent."""
    now = now or timezone.now()
    rows = list(Notification.objects.filter(pk__in=ids).select_related("recipient"))
    prefs = _preferences({r.recipient_id for r in rows})
    with_devices = _users_with_devices({r.recipient_id for r in rows})
    for row in rows:
        p = prefs.get(row.recipient_id) or Preferences.default_for(row.recipient_id)
        due = due_time(p, now)
        user = row.recipient
        unplanned_mail = Notification.objects.filter(
            pk=row.pk,
            mail_status=MailStatus.NONE,
            mail_due_at__isnull=True,
            for_digest=False,
            digest__isnull=True,
        )
        if p.wants(row.kind, "email") and user.email and user.is_active:
            if p.email_mode == Preferences.EmailMode.DIGEST:
                unplanned_mail.update(for_digest=True)
            else:
                unplanned_mail.update(mail_due_at=due)
        # no device subscribed: nothing to push (the item is not a failed push)
        if p.wants(row.kind, "push") and user.is_active and row.recipient_id in with_devices:
            Notification.objects.filter(pk=row.pk, push_status=PushStatus.NONE).update(
                push_status=PushStatus.WAITING, push_due_at=due
            )
    mailed, mail_failed = send_due_mail(now, Q(pk__in=ids))
    pushed, push_failed = send_due_push(now, Q(pk__in=ids))
    return {
        "mailed": mailed,
        "mail_failed": mail_failed,
        "pushed": pushed,
        "push_failed": push_failed,
    }


def _users_with_devices(user_ids) -> set[int]:
    """Who of these has a browser subscribed to Web Push (one query)."""
    try:
        from webpush.models import PushSubscription
    except ImportError:  # the Web Push app is not installed
        return set()
    return set(
        PushSubscription.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True)
    )


def _preferences(user_ids) -> dict[int, Preferences]:
    return {p.user_id: p for p in Preferences.objects.filter(user_id__in=user_ids)}


def _absolute(url: str) -> str:
    if url.startswith("/"):
        return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + url
    return url


def _mail_body(row: Notification) -> str:
    parts = [row.title]
    if row.body:
        parts.append(row.body)
    parts.append(_absolute(row.open_url()))
    parts.append(_("You can choose what reaches you by e-mail in your notification settings."))
    return "\n\n".join(parts)


def send_due_mail(now: datetime.datetime, where: Q | None = None) -> tuple[int, int]:
    """Send the immediate e-mails whose time has come: (sent, failed)."""
    sent = failed = 0
    due = (
        Notification.objects.filter(where or Q())
        .filter(mail_status=MailStatus.NONE, mail_due_at__lte=now, for_digest=False)
        .select_related("recipient")
        .order_by("pk")
    )
    with override(settings.LANGUAGE_CODE):
        for row in due[:BATCH]:
            claimed = Notification.objects.filter(
                pk=row.pk, mail_status=MailStatus.NONE, mail_due_at__lte=now
            ).update(mail_status=MailStatus.SENDING)
            if not claimed or not row.recipient.email:
                continue
            row.mail_status = MailStatus.SENDING
            if mail_send(row, subject=row.title, body=_mail_body(row), to=row.recipient.email):
                sent += 1
            else:
                failed += 1
    return sent, failed


def retry_failed_mail() -> tuple[int, int]:
    """Send again the e-mails (items and digests) that failed before."""
    sent = failed = 0
    with override(settings.LANGUAGE_CODE):
        items = mail_retryable(Notification.objects.select_related("recipient")).order_by("pk")
        for row in items[:BATCH]:
            if not row.recipient.email or not mail_claim_retry(row):
                continue
            ok = mail_send(row, subject=row.title, body=_mail_body(row), to=row.recipient.email)
            sent, failed = sent + ok, failed + (not ok)
        digests = mail_retryable(Digest.objects.select_related("recipient")).order_by("pk")
        for digest in digests[:BATCH]:
            if not digest.recipient.email or not mail_claim_retry(digest):
                continue
            ok = _send_digest(digest)
            sent, failed = sent + ok, failed + (not ok)
    return sent, failed


def _push_to_user(user_id: int, payload: dict) -> int:
    """The Web Push app's sender, looked up when needed (it may not be installed)."""
    from webpush.services import push_to_user

    return push_to_user(user_id=user_id, payload=payload)


def push_payload(row: Notification) -> dict:
    return {
        "title": row.title,
        "body": row.body,
        "url": row.open_url(),
        "tag": f"notification-{row.pk}",
    }


def send_due_push(now: datetime.datetime, where: Q | None = None) -> tuple[int, int]:
    """Push the waiting items whose time has come (quiet hours over): (sent, failed).
    An item whose user has no device reached is marked failed too (nothing left)."""
    sent = failed = 0
    due = (
        Notification.objects.filter(where or Q())
        .filter(push_status=PushStatus.WAITING, push_due_at__lte=now)
        .order_by("pk")
    )
    for row in due[:BATCH]:
        claimed = Notification.objects.filter(pk=row.pk, push_status=PushStatus.WAITING).update(
            push_status=PushStatus.SENDING
        )
        if not claimed:
            continue
        try:
            reached = _push_to_user(row.recipient_id, push_payload(row))
        except ImportError:  # the Web Push app is not installed: no push at all
            Notification.objects.filter(pk=row.pk).update(push_status=PushStatus.NONE)
            continue
        except Exception as exc:  # a broken subscription store...
            logger.warning("Push of notification #%s failed: %s", row.pk, exc)
            reached = 0
        status = PushStatus.SENT if reached else PushStatus.FAILED
        Notification.objects.filter(pk=row.pk).update(push_status=status)
        if reached:
            sent += 1
        else:
            failed += 1
    return sent, failed


# --- Daily digest ------------------------------------------------------------------------


def _send_digest(digest: Digest) -> bool:
    items = list(digest.items.order_by("created_at", "pk"))
    lines = [_("Your notifications since the previous digest:"), ""]
    for item in items:
        lines.append(f"- {item.title}")
        if item.body:
            lines.append(f"  {item.body}")
        lines.append(f"  {_absolute(item.open_url())}")
    lines += ["", _("You can choose what reaches you by e-mail in your notification settings.")]
    subject = _("Daily digest of notifications (%(count)s)") % {"count": len(items)}
    return mail_send(digest, subject=subject, body="\n".join(lines), to=digest.recipient.email)


def send_digests(now: datetime.datetime | None = None) -> tuple[int, int]:
    """Make and send today's digest of each user whose chosen time has passed:
    one per user and day (made even when empty), listing the items collected
    since the previous one. Returns (sent, failed)."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    today = local.date()
    users = (
        User.objects.filter(
            notification_preferences__email_mode=Preferences.EmailMode.DIGEST,
            notification_preferences__digest_time__lte=local.time(),
            is_active=True,
        )
        .exclude(pk__in=Digest.objects.filter(day=today).values("recipient_id"))
        .order_by("pk")
    )
    sent = failed = 0
    with override(settings.LANGUAGE_CODE):
        for user in users[:BATCH]:
            try:
                with transaction.atomic():
                    digest = Digest.objects.create(recipient=user, day=today, created_at=now)
                    count = Notification.objects.filter(
                        recipient=user, for_digest=True, digest__isnull=True
                    ).update(digest=digest)
                    if count and user.email:
                        Digest.objects.filter(pk=digest.pk).update(mail_status=MailStatus.SENDING)
                        digest.mail_status = MailStatus.SENDING
            except IntegrityError:  # another run made today's digest
                continue
            if digest.mail_status != MailStatus.SENDING:
                continue
            if _send_digest(digest):
                sent += 1
            else:
                failed += 1
    return sent, failed


def flush(now: datetime.datetime | None = None) -> dict:
    """The periodic run: e-mails and pushes held by quiet hours, failed e-mails
    again, and the daily digests."""
    now = now or timezone.now()
    retried, retry_failed = retry_failed_mail()
    mailed, mail_failed = send_due_mail(now)
    pushed, push_failed = send_due_push(now)
    digests, digest_failed = send_digests(now)
    return {
        "mailed": mailed + retried,
        "mail_failed": mail_failed + retry_failed,
        "pushed": pushed,
        "push_failed": push_failed,
        "digests": digests,
        "digest_failed": digest_failed,
    }
