"""Demo messages for `seed_demo`: threads between demo-parent and demo-teacher,
a class message from the homeroom teacher to the guardians of 4a, a message
about Zosia to both her guardians, and a reported message that the school
admins (demo-schooladmin, and demo-admin as superuser) see. Idempotent: nothing
is made again once the first demo thread exists."""

from __future__ import annotations

from portal.models import Enrolment, GuardianLink

from . import services
from .models import Thread
from .permissions import Group, Target

MARKER = "Wycieczka do Krakowa – pytanie"


def seed_messages(ctx) -> None:
    parent = ctx.accounts.get("demo-parent")
    teacher = ctx.accounts.get("demo-teacher")
    pupil = ctx.accounts.get("demo-pupil")
    if parent is None or teacher is None or pupil is None:
        return
    if Thread.objects.filter(subject=MARKER, created_by=parent).exists():
        return
    enrolment = (
        Enrolment.objects.filter(pupil=pupil, school_class__school_year__is_current=True)
        .select_related("school_class__school_year")
        .first()
    )
    if enrolment is None:
        return
    school_class = enrolment.school_class
    school_id = school_class.school_year.school_id
    sent = []
    thread = services.thread_start(
        sender=parent,
        subject=MARKER,
        body=(
            "Dzień dobry,\nczy na wycieczkę do Krakowa dzieci potrzebują legitymacji "
            "szkolnej? Program jest tutaj: https://www.krakow.pl/\nPozdrawiam, Joanna Malinowska"
        ),
        recipients=[Target(teacher.pk, school_id)],
        audience=str(teacher),
    )
    sent.append(thread.messages.get())
    services.deliver(sent[-1].pk)  # the teacher answers below: she must have it first
    sent.append(
        services.message_reply(
            thread=thread,
            sender=teacher,
            body="Dzień dobry, tak, legitymacja jest potrzebna (zniżki na bilety). Pozdrawiam.",
        )
    )
    about = services.thread_start(
        sender=teacher,
        subject="Konkurs matematyczny – Zosia",
        body="Szanowni Państwo, Zosia zakwalifikowała się do etapu gminnego konkursu.",
        recipients=[Group("guardians_of", pupil.pk)],
        audience=f"Opiekunowie: {pupil}",
        reply_all=True,
    )
    sent.append(about.messages.get())
    group = services.thread_start(
        sender=teacher,
        subject="Zebranie z rodzicami klasy " + school_class.name,
        body="Zapraszam na zebranie w czwartek o 17:00 w sali 12. Proszę o potwierdzenie.",
        recipients=[Group("class_guardians", school_class.pk)],
        audience=f"Rodzice klasy {school_class.name}",
    )
    sent.append(group.messages.get())
    other = (
        GuardianLink.objects.filter(
            pupil__enrolments__school_class=school_class,
        )
        .exclude(guardian=parent)
        .select_related("guardian")
        .first()
    )
    if other is not None:
        rude = services.thread_start(
            sender=other.guardian,
            subject="Ocena z matematyki",
            body="To skandal! Jeśli ocena nie zostanie zmieniona, pożałuje Pani.",
            recipients=[Target(teacher.pk, school_id)],
            audience=str(teacher),
        )
        message = rude.messages.get()
        services.deliver(message.pk)
        sent.append(message)
        services.message_report(message=message, user=teacher, reason="Groźby pod moim adresem.")
    for message in sent:
        services.deliver(message.pk)
    ctx.log(f"messages: {len(sent)} demo messages")
