"""Demo e-services for `seed_demo`: every built-in switched on in SP 1 (the school
of demo-parent's children), a trip of demo-pupil's class with the consents
pending, and a case of demo-parent in each status, handled by
the secretariat (demo-schooladmin) and the homeroom teacher (demo-teacher); its
library card application granted by demo-librarian makes demo-parent a reader
from outside the school of SP 1's library.
Idempotent: nothing is made again once demo-parent has a case."""

from __future__ import annotations

import datetime

from django.utils import timezone

from portal.selectors import current_class_of

from . import services
from .builtins import builtins_ensure
from .models import Case, Service, ServiceKind, Status, Trip
from .workdays import add_working_days


def _answers(service, **values):
    return {f.pk: values.get(f.key, "") for f in service.fields.all()}


def seed_eservices(ctx) -> None:
    parent = ctx.accounts.get("demo-parent")
    pupil = ctx.accounts.get("demo-pupil")
    secretary = ctx.accounts.get("demo-schooladmin")
    homeroom = ctx.accounts.get("demo-teacher")
    if None in (parent, pupil, secretary, homeroom):
        return
    school_class = current_class_of(pupil)
    if school_class is None:
        return
    _seed_trip(homeroom, school_class)
    if Case.objects.filter(applicant=parent).exists():
        return
    school = school_class.school_year.school
    builtins_ensure(school)
    Service.objects.filter(school=school).update(enabled=True)
    by_kind = {s.kind: s for s in Service.objects.filter(school=school)}
    certificate = by_kind[ServiceKind.ATTENDANCE_CERTIFICATE]
    notice = by_kind[ServiceKind.ADVANCE_ABSENCE]
    card = by_kind[ServiceKind.LIBRARY_CARD]

    def file(service, steps, handler=secretary, child=pupil, **values):
        case = services.case_submit(
            applicant=parent,
            service=service,
            pupil=child if service.needs_pupil else None,
            answers=_answers(service, **values),
            consent=True,
        )
        for to, text in steps:
            services.case_transition(case=case, user=handler, to=to, text=text)
        return case

    next_day = add_working_days(timezone.localdate(), 3)
    file(certificate, [], purpose="do ośrodka pomocy społecznej")
    file(certificate, [(Status.ACCEPTED, "")], purpose="dla pracodawcy")
    file(certificate, [(Status.ACCEPTED, ""), (Status.IN_PROGRESS, "")], purpose="szkoła muzyczna")
    librarian = ctx.accounts.get("demo-librarian")
    if librarian is not None:
        # Granted: demo-parent is a reader of SP 1's library and has a card.
        file(
            card,
            [(Status.ACCEPTED, ""), (Status.GRANTED, "")],
            handler=librarian,
            address="ul. Lipowa 3",
            phone="600 100 200",
        )
    file(
        certificate, [(Status.COMPLETION, "Prosimy podać, dla jakiej instytucji.")], purpose="urząd"
    )
    file(
        notice,
        [(Status.ACCEPTED, ""), (Status.GRANTED, "")],
        handler=homeroom,
        first_day=next_day,
        first_lesson="3",
        last_lesson="5",
        reason="Wizyta u lekarza",
    )
    file(
        notice,
        [(Status.REFUSED, "Zawody nie są powodem nieobecności — to wyjście szkolne.")],
        handler=homeroom,
        first_day=next_day + datetime.timedelta(days=7),
        reason="Zawody sportowe",
    )
    issued = file(
        certificate, [(Status.ACCEPTED, ""), (Status.GRANTED, "")], purpose="dodatek mieszkaniowy"
    )
    services.case_message(
        case=issued,
        user=secretary,
        internal=True,
        text="Zaświadczenie wydrukowane też do odbioru w sekretariacie.",
    )


def _seed_trip(teacher, school_class) -> None:
    """A trip of demo-pupil's class organised by demo-teacher, its consents
    pending (demo-parent answers on *e-Usługi*)."""
    from decimal import Decimal

    if Trip.objects.filter(school_class=school_class).exists():
        return
    today = timezone.localdate()
    services.trip_create(
        user=teacher,
        trip=Trip(
            school_class=school_class,
            title="Wycieczka do Muzeum Przyrodniczego",
            starts_on=today + datetime.timedelta(days=14),
            place="Muzeum Przyrodnicze, ul. Parkowa 1",
            cost=Decimal("35.00"),
            description="Wyjazd autokarem o 8:00 spod szkoły, powrót ok. 15:00. "
            "Prosimy o drugie śniadanie i wygodne buty.",
            consent_deadline=timezone.now() + datetime.timedelta(days=7),
        ),
    )
