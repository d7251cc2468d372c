"""Write-side operations of messages. Refusals raise MessagingError with a
stable `code`. Sending stores the thread and the message with its recipients
resolved (one query); the delivery rows and notifications are made by
`tasks.deliver_message` after the transaction commits."""

from __future__ import annotations

import datetime
from pathlib import PurePath

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gradebook.register.services import check_attachment
from library.analysis import fold
from notifications.models import Notification
from portal.audit import audit_record, audited_save, model_fields
from portal.errors import ServiceError, constraint_errors
from portal.models import GuardianLink, User
from portal.permissions import user_roles

from .models import Attachment, Delivery, Message, MessagingSettings, Participant, Report, Thread
from .permissions import (
    Group,
    Target,
    _current_enrolments,
    _staff_of,
    can_report,
    can_send_to_group,
    can_write_to,
    families_of,
    group_school_id,
    reply_reachable_ids,
    school_settings,
)

MAX_INDIVIDUAL_RECIPIENTS = 50
AUDIT_CATEGORY = "messaging"


class MessagingError(ServiceError):
    """A refused messaging operation (portal.errors.ServiceError)."""


def _clean_text(subject: str | None, body: str) -> tuple[str, str]:
    body = (body or "").strip()
    if not body:
        raise MessagingError("empty", _("Write the message."))
    if len(body) > 10000:
        raise MessagingError("too_long", _("The message is too long (at most 10,000 characters)."))
    if subject is not None:
        subject = " ".join(subject.split())
        if not subject:
            raise MessagingError("no_subject", _("Give the message a subject."))
        subject = subject[:200]
    return subject, body


def is_family_sender(user) -> bool:
    """Guardians and pupils who hold no staff role: their sending is rate limited."""
    roles = user_roles(user)
    return (roles.is_guardian or roles.is_pupil) and not roles.is_staff_member


def check_rate(user, school_id: int | None, *, now=None) -> None:
    """Refuse a family's message over the school's hourly limit."""
    if not is_family_sender(user):
        return
    now = now or timezone.now()
    limit = school_settings(school_id).family_hourly_limit
    sent = Message.objects.filter(
        sender=user, created_at__gte=now - datetime.timedelta(hours=1)
    ).count()
    if sent >= limit:
        raise MessagingError(
            "rate_limited",
            ngettext(
                "You can send at most %(n)d message an hour. Your text is kept below: "
                "send it a little later.",
                "You can send at most %(n)d messages an hour. Your text is kept below: "
                "send it a little later.",
                limit,
            )
            % {"n": limit},
        )


def _check_upload(upload) -> None:
    if upload is None:
        return
    try:
        check_attachment(upload)
    except ServiceError as exc:
        raise MessagingError(exc.code, exc.message) from exc


def _group_people(group: Group):
    """A subquery of the user ids of a group."""
    if group.kind == "class_guardians":
        pupils = _current_enrolments().filter(school_class_id=group.ref).values("pupil_id")
        return GuardianLink.objects.filter(pupil_id__in=pupils).values("guardian_id")
    if group.kind == "class_pupils":
        return _current_enrolments().filter(school_class_id=group.ref).values("pupil_id")
    if group.kind == "school_guardians":
        return families_of(group.ref)[1]
    if group.kind == "school_staff":
        return _staff_of(group.ref)
    if group.kind == "guardians_of":
        return GuardianLink.objects.filter(pupil_id=group.ref).values("guardian_id")
    raise ValueError(group.kind)


def resolve_recipients(*, sender, recipients) -> tuple[int | None, list[int]]:
    """Check every chosen recipient against the rules and return (the school of
    the thread, the ids of the people it goes to). The ids are read in one query
    whatever the groups."""
    if not recipients:
        raise MessagingError("no_recipients", _("Choose at least one recipient."))
    targets = [r for r in recipients if isinstance(r, Target)]
    groups = [r for r in recipients if isinstance(r, Group)]
    if len(targets) > MAX_INDIVIDUAL_RECIPIENTS:
        raise MessagingError(
            "too_many",
            _("Choose at most %(n)d people, or write to a group.")
            % {"n": MAX_INDIVIDUAL_RECIPIENTS},
        )
    schools = set()
    for target in targets:
        if not can_write_to(sender, target):
            raise MessagingError(
                "forbidden_recipient", _("You may not write to one of the chosen people.")
            )
        schools.add(target.school_id)
    for group in groups:
        if not can_send_to_group(sender, group):
            raise MessagingError(
                "forbidden_recipient", _("You may not write to one of the chosen groups.")
            )
        schools.add(group_school_id(group))
    if len(schools) > 1:
        raise MessagingError("two_schools", _("Write to the people of one school at a time."))
    condition = Q(pk__in=[t.user_id for t in targets])
    for group in groups:
        condition |= Q(pk__in=_group_people(group))
    ids = list(
        User.objects.filter(condition, is_active=True)
        .exclude(pk=sender.pk)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        raise MessagingError("nobody", _("Nobody is in the chosen group yet."))
    return schools.pop(), ids


def _enqueue_delivery(message: Message) -> None:
    from .tasks import deliver_message

    transaction.on_commit(lambda: deliver_message.enqueue(message.pk))


def _add_message(*, thread: Thread, sender, body: str, recipient_ids, attachment) -> Message:
    message = Message.objects.create(
        thread=thread,
        sender=sender,
        body=body,
        recipient_ids=list(recipient_ids),
        recipient_count=len(recipient_ids),
        search_text=fold(f"{thread.subject}\n{body}"),
    )
    if attachment is not None:
        Attachment.objects.create(
            message=message,
            file=attachment,
            name=PurePath(attachment.name).name[:200],
            size=attachment.size or 0,
        )
    _enqueue_delivery(message)
    return message


@transaction.atomic
def thread_start(
    *,
    sender,
    subject: str,
    body: str,
    recipients: list,
    reply_all: bool = False,
    attachment=None,
    audience: str = "",
) -> Thread:
    """Start a thread: check the rules for every recipient, the rate limit and
    the attachment, store the thread and its first message, and fan the
    deliveries out after commit."""
    subject, body = _clean_text(subject, body)
    school_id, ids = resolve_recipients(sender=sender, recipients=recipients)
    check_rate(sender, school_id)
    _check_upload(attachment)
    about = None
    only = recipients[0] if len(recipients) == 1 else None
    if isinstance(only, Group) and only.kind == "guardians_of":
        about = only.ref
    now = timezone.now()
    thread = Thread.objects.create(
        subject=subject,
        school_id=school_id,
        created_by=sender,
        about_pupil_id=about,
        audience=audience[:200],
        reply_all=reply_all,
        last_message_at=now,
    )
    Participant.objects.create(thread=thread, user=sender, has_sent=True)
    _add_message(thread=thread, sender=sender, body=body, recipient_ids=ids, attachment=attachment)
    return thread


def reply_choices(thread: Thread, user) -> list[User]:
    """Whom the thread's starter may answer alone: the people who wrote in it."""
    if thread.created_by_id != user.pk:
        return []
    return list(
        User.objects.filter(
            message_participations__thread=thread, message_participations__has_sent=True
        )
        .exclude(pk=user.pk)
        .order_by("last_name", "first_name")
    )


def audience_label(chosen: list[dict]) -> str:
    """What every participant sees as "To:": groups by name ("Rodzice klasy 4a"),
    one person by name, several people chosen one by one only as a number, so
    that recipients of a message to five parents do not learn who the others are
    (the sender's read receipts name them)."""
    groups = [c["name"] for c in chosen if not c["token"].startswith("user:")]
    people = [c["name"] for c in chosen if c["token"].startswith("user:")]
    if len(people) == 1 and not groups:
        return people[0]
    if people:
        groups.append(ngettext("%(n)s person", "%(n)s people", len(people)) % {"n": len(people)})
    return ", ".join(groups)


def reply_recipient_ids(thread: Thread, user, only_to: int | None = None) -> list[int]:
    """A reply goes to the thread's starter only, unless the thread allows
    replying to all; the starter's reply goes to everyone in the thread, or to
    one person who wrote in it."""
    others = Participant.objects.filter(thread=thread).exclude(user=user)
    if thread.created_by_id == user.pk:
        if only_to is not None:
            others = others.filter(user_id=only_to, has_sent=True)
            if not others.exists():
                raise MessagingError("bad_recipient", _("Choose someone who wrote in the thread."))
        return sorted(others.values_list("user_id", flat=True))
    if thread.reply_all:
        return sorted(others.values_list("user_id", flat=True))
    if thread.created_by_id is None:
        return []
    return [thread.created_by_id]


@transaction.atomic
def message_reply(*, thread: Thread, sender, body: str, attachment=None, only_to=None) -> Message:
    """Answer in a thread the sender takes part in."""
    if not Participant.objects.filter(thread=thread, user=sender).exists():
        raise MessagingError("not_participant", _("You do not take part in this thread."))
    _subject, body = _clean_text(None, body)
    ids = reply_reachable_ids(thread, sender, reply_recipient_ids(thread, sender, only_to))
    if not ids:
        raise MessagingError("nobody", _("Nobody is left to answer in this thread."))
    check_rate(sender, thread.school_id)
    _check_upload(attachment)
    now = timezone.now()
    Thread.objects.filter(pk=thread.pk).update(last_message_at=now)
    Participant.objects.filter(thread=thread, user=sender).update(has_sent=True, archived=False)
    return _add_message(
        thread=thread, sender=sender, body=body, recipient_ids=ids, attachment=attachment
    )


def deliver(message_id: int) -> list[int]:
    """Make the delivery rows and participants of a message (idempotent); the
    ids of the recipients. Nothing for a retracted or deleted message."""
    message = Message.objects.filter(pk=message_id, retracted_at__isnull=True).first()
    if message is None:
        return []
    ids = list(User.objects.filter(pk__in=message.recipient_ids).values_list("pk", flat=True))
    with transaction.atomic():
        Participant.objects.bulk_create(
            [Participant(thread_id=message.thread_id, user_id=i) for i in ids],
            ignore_conflicts=True,
        )
        Participant.objects.filter(thread_id=message.thread_id, user_id__in=ids).update(
            archived=False
        )
        Delivery.objects.bulk_create(
            [Delivery(message=message, thread_id=message.thread_id, recipient_id=i) for i in ids],
            ignore_conflicts=True,
        )
        Message.objects.filter(pk=message.pk, delivered_at__isnull=True).update(
            delivered_at=timezone.now()
        )
    return ids


def thread_mark_read(*, thread: Thread, user) -> int:
    """The user has opened the thread: their deliveries in it are read (one UPDATE)."""
    return Delivery.objects.filter(thread=thread, recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def thread_set_archived(*, thread: Thread, user, archived: bool) -> None:
    Participant.objects.filter(thread=thread, user=user).update(archived=archived)


@transaction.atomic
def message_retract(*, message: Message, user) -> Message:
    """Take back a message nobody has read yet: its text and attachments are
    removed and its recipients no longer see it. Once any recipient has read
    it, it stays (a sender never deletes a read message)."""
    message = Message.objects.select_for_update().get(pk=message.pk)
    if message.sender_id != user.pk:
        raise MessagingError("not_sender", _("Only the sender may retract a message."))
    if message.retracted_at is not None:
        raise MessagingError("retracted", _("The message has already been retracted."))
    if message.deliveries.filter(read_at__isnull=False).exists():
        raise MessagingError(
            "already_read",
            _("Someone has already read the message; it can no longer be retracted."),
        )
    if message.reports.exists():
        raise MessagingError(
            "reported",
            _("The message has been reported to the school; it can no longer be retracted."),
        )
    for attachment in message.attachments.all():
        attachment.file.delete(save=False)
        attachment.delete()
    message.deliveries.all().delete()
    # its notifications go too (their title names the sender and the subject); one
    # not yet e-mailed or pushed is never sent
    Notification.objects.filter(key=f"message:{message.pk}").delete()
    length = len(message.body)
    message.body = ""
    message.search_text = ""
    message.retracted_at = timezone.now()
    message.save(update_fields=["body", "search_text", "retracted_at"])
    audit_record(
        actor=user,
        category=AUDIT_CATEGORY,
        action="message.retract",
        target=message,
        school=message.thread.school_id,
        after={"thread": message.thread_id, "characters": length},
    )
    return message


@transaction.atomic
def message_report(*, message: Message, user, reason: str) -> Report:
    """A recipient reports a message to the school admin of the thread's school."""
    if not can_report(user, message):
        raise MessagingError("cannot_report", _("You cannot report this message."))
    reason = (reason or "").strip()
    if not reason:
        raise MessagingError("no_reason", _("Say briefly what is wrong with the message."))
    with constraint_errors(error=MessagingError, code="reported"):
        report = Report.objects.create(
            message=message,
            thread=message.thread,
            school_id=message.thread.school_id,
            reporter=user,
            reason=reason[:2000],
        )
    audit_record(
        actor=user,
        category=AUDIT_CATEGORY,
        action="report.create",
        target=report,
        school=report.school_id,
        after={"message": message.pk, "reason": report.reason},
    )
    from .tasks import notify_report

    transaction.on_commit(lambda: notify_report.enqueue(report.pk))
    return report


@transaction.atomic
def report_handle(*, report: Report, user, note: str) -> Report:
    before = {"handled_at": report.handled_at, "note": report.note}
    report.handled_at = timezone.now()
    report.handled_by = user
    report.note = (note or "").strip()[:2000]
    report.save(update_fields=["handled_at", "handled_by", "note"])
    audit_record(
        actor=user,
        category=AUDIT_CATEGORY,
        action="report.handle",
        target=report,
        school=report.school_id,
        before=before,
        after={"handled_at": report.handled_at, "note": report.note},
    )
    return report


SETTINGS_FIELDS = model_fields(MessagingSettings, exclude=["school"])


def settings_save(*, settings: MessagingSettings, user, save=None) -> MessagingSettings:
    """Save a school's message settings, audited."""
    return audited_save(
        settings,
        actor=user,
        category=AUDIT_CATEGORY,
        name="settings",
        school=settings.school_id,
        fields=SETTINGS_FIELDS,
        save=save,
    )


# --- Retention -----------------------------------------------------------------------------


def expired_threads(*, now=None):
    """Threads whose last message is older than their school's retention (the
    default for threads of no school), without an unhandled report."""
    from .models import DEFAULT_SETTINGS

    now = now or timezone.now()
    condition = Q()
    custom = dict(MessagingSettings.objects.values_list("school_id", "retention_days"))
    for school_id, days in custom.items():
        condition |= Q(school_id=school_id, last_message_at__lt=now - datetime.timedelta(days=days))
    default_cutoff = now - datetime.timedelta(days=DEFAULT_SETTINGS.retention_days)
    condition |= ~Q(school_id__in=list(custom)) & Q(last_message_at__lt=default_cutoff)
    open_reports = Report.objects.filter(handled_at__isnull=True).values("thread_id")
    return Thread.objects.filter(condition).exclude(pk__in=open_reports)


def purge_expired(*, now=None) -> dict[str, int]:
    """Delete expired threads with their messages, read receipts and files."""
    threads = expired_threads(now=now)
    ids = list(threads.values_list("pk", flat=True))
    files = list(
        Attachment.objects.filter(message__thread_id__in=ids).values_list("file", flat=True)
    )
    with transaction.atomic():
        deleted = Thread.objects.filter(pk__in=ids).delete()[1]
    storage = Attachment._meta.get_field("file").storage
    for name in files:
        if name:
            storage.delete(name)
    return {
        "threads": deleted.get("messaging.Thread", 0),
        "messages": deleted.get("messaging.Message", 0),
        "attachments": len(files),
    }
