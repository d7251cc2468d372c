"""Factories of messages: threads sent through the service (so the rules, the
recipients and the deliveries are as in use)."""

from __future__ import annotations

from django.core.files.base import ContentFile

from messaging import services
from messaging.models import Message, Thread
from messaging.permissions import Group, Target


def send(sender, to, *, school=None, subject="Pytanie", body="Dzień dobry.", **kwargs) -> Thread:
    """Start a thread from `sender` to a person (with `school`) or a Group, and
    deliver it at once (as the background task would)."""
    recipients = to if isinstance(to, list) else [to]
    recipients = [
        r if isinstance(r, Target | Group) else Target(r.pk, school.pk) for r in recipients
    ]
    thread = services.thread_start(
        sender=sender, subject=subject, body=body, recipients=recipients, **kwargs
    )
    for message in thread.messages.all():
        services.deliver(message.pk)
    return thread


def reply(thread, sender, body="Odpowiedź.", **kwargs) -> Message:
    message = services.message_reply(thread=thread, sender=sender, body=body, **kwargs)
    services.deliver(message.pk)
    return message


def text_file(name="notatka.txt", content=b"tekst"):
    return ContentFile(content, name=name)


def conversation(side) -> dict:
    """A thread between a school side's guardian and teacher, with an attachment
    and a report: the objects the URL walk needs."""
    thread = send(
        side.guardian,
        side.teacher,
        school=side.school,
        subject="Wycieczka",
        attachment=text_file(),
    )
    message = thread.messages.get()
    report = services.message_report(message=message, user=side.teacher, reason="Obraźliwe")
    answer = reply(thread, side.teacher, "Odpowiadam.")
    return {
        "thread": thread,
        "message": message,
        "answer": answer,
        "attachment": message.attachments.get(),
        "report": report,
    }
