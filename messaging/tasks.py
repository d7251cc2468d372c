"""Background work of messages (django_tasks; immediate backend in tests)."""

from __future__ import annotations

from django_tasks import task

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from notifications.services import notify

from .models import Message
from .services import deliver, purge_expired


@task()
def deliver_message(message_id: int) -> dict:
    """Make the delivery rows (read receipts) and the participants of a sent
    message, and notify its recipients. Idempotent: rows and notifications
    that exist are kept, nothing is made twice."""
    ids = deliver(message_id)
    if not ids:
        return {"delivered": 0}
    message = Message.objects.select_related("thread", "sender").get(pk=message_id)
    with override(settings.LANGUAGE_CODE):
        sender = str(message.sender) if message.sender else _("someone")
        title = _("New message from %(sender)s: %(subject)s") % {
            "sender": sender,
            "subject": message.thread.subject,
        }
    url = reverse("messaging:thread", args=[message.thread_id]) + f"#m{message.pk}"
    notify(
        recipients=ids,
        kind="message",
        title=title,
        key=f"message:{message.pk}",
        url=url,
        pupil=message.thread.about_pupil_id,
    )
    return {"delivered": len(ids)}


@task()
def purge_expired_messages() -> dict:
    """The retention job: delete threads older than their school's setting."""
    return purge_expired()


@task()
def notify_report(report_id: int) -> dict:
    """Tell the school admins of the thread's school that a message was reported
    (a notification, e-mailed and pushed by their preferences). Idempotent."""
    from portal.models import Role, RoleAssignment

    from .models import Report

    report = Report.objects.select_related("thread").filter(pk=report_id).first()
    if report is None:
        return {"notified": 0}
    admins = RoleAssignment.objects.filter(
        role=Role.SCHOOL_ADMIN, school_id=report.school_id, user__is_active=True
    ).values_list("user_id", flat=True)
    with override(settings.LANGUAGE_CODE):
        title = _("Reported message: %(subject)s") % {"subject": report.thread.subject}
    made = notify(
        recipients=list(admins),
        kind="message",
        title=title,
        key=f"message-report:{report.pk}",
        url=reverse("messaging:report_detail", args=[report.pk]),
    )
    return {"notified": len(made)}
