"""Writes of the e-services: filing a case, its status steps, messages and notes,
handing it over, issuing and revoking documents, the school's catalogue. Every
step is one transaction, written to the case's timeline and the audit trail, and
the family is told through the notification centre."""

from __future__ import annotations

import datetime
import re

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import Kind as NotificationKind
from notifications.services import notify
from portal.audit import audit_record, audited_delete, audited_save, model_fields
from portal.errors import ServiceError, validate
from portal.models import AuditEvent, GuardianLink, RoleAssignment, User, actor_label

from .models import (
    Case,
    CaseAttachment,
    CaseCounter,
    CaseEvent,
    HandlerRole,
    IssuedDocument,
    Service,
    ServiceField,
    ServiceKind,
    Status,
)
from .workdays import add_working_days

CATEGORY = AuditEvent.Category.ESERVICES
MAX_ATTACHMENT = 5 * 1024 * 1024


class EservicesError(ServiceError):
    pass


# Which status may follow which; the family's answer moves COMPLETION on itself.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.SUBMITTED: (Status.ACCEPTED, Status.COMPLETION, Status.REFUSED),
    Status.ACCEPTED: (Status.IN_PROGRESS, Status.COMPLETION, Status.GRANTED, Status.REFUSED),
    Status.IN_PROGRESS: (Status.COMPLETION, Status.GRANTED, Status.REFUSED),
    Status.COMPLETION: (Status.IN_PROGRESS, Status.REFUSED),
    Status.GRANTED: (Status.ISSUED,),
}
NEEDS_TEXT = {Status.REFUSED, Status.COMPLETION}
FINAL = {Status.REFUSED, Status.ISSUED}


def number_prefix(school) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", school.short_name or school.name)[:12] or "S"


def _allocate_sequence(school, year: int) -> int:
    """The next number of the school's year. The UPDATE holds the counter row's
    lock until the caller's transaction ends, so concurrent filings queue."""
    try:
        with transaction.atomic():
            CaseCounter.objects.get_or_create(school=school, year=year)
    except IntegrityError:  # another filing made the row first
        pass
    CaseCounter.objects.filter(school=school, year=year).update(last=F("last") + 1)
    return CaseCounter.objects.get(school=school, year=year).last


def _event(case, kind, user, *, text="", status_from="", status_to="", internal=False):
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=user,
        text=text,
        status_from=status_from,
        status_to=status_to,
        internal=internal,
    )


def _audit(case, user, action, *, before=None, after=None, reason=""):
    audit_record(
        actor=user,
        category=CATEGORY,
        action=f"case.{action}",
        target=case,
        school=case.school_id,
        person=case.pupil,
        before=before,
        after=after,
        reason=reason,
        only_changes=False,
    )


def family_recipients(case) -> list[int]:
    """The applicant and the pupil's guardians (not the pupil: a family's errand)."""
    ids = [case.applicant_id]
    if case.pupil_id:
        ids += list(
            GuardianLink.objects.filter(pupil_id=case.pupil_id, guardian__is_active=True)
            .order_by("pk")
            .values_list("guardian_id", flat=True)
        )
    return list(dict.fromkeys(ids))


def _tell_family(case, event: CaseEvent, title: str) -> None:
    notify(
        recipients=family_recipients(case),
        kind=NotificationKind.ESERVICE,
        title=title,
        body=f"{case.number} · {case.service.name}",
        key=f"eservice:{case.pk}:{event.pk}",
        url=reverse("eservices:case", args=[case.pk]),
        pupil=case.pupil_id,
    )


def handlers_of(case) -> list[int]:
    """Who answers the case: its handler, or everyone of the handling role."""
    from .permissions import ROLE_OF_HANDLER

    if case.handler_id:
        return [case.handler_id]
    if case.handler_role == HandlerRole.HOMEROOM:
        teacher = case.pupil_class.homeroom_teacher_id if case.pupil_class_id else None
        return [teacher] if teacher else []
    return list(
        RoleAssignment.objects.filter(
            school_id=case.school_id, role=ROLE_OF_HANDLER[case.handler_role]
        ).values_list("user_id", flat=True)
    )


# --- Filing ----------------------------------------------------------------------------


def _store_files(case, event, user, files: list[tuple[str, object]]) -> None:
    for label, upload in files:
        if upload.size > MAX_ATTACHMENT:
            raise EservicesError("too_large", _("An attachment may have at most 5 MB."))
        attachment = CaseAttachment(
            case=case,
            event=event,
            field_label=label,
            name=(upload.name or "plik")[-200:],
            size=upload.size,
            uploaded_by=user,
        )
        attachment.file.save(upload.name or "plik", upload, save=False)
        attachment.save()


@transaction.atomic
def case_submit(
    *,
    applicant: User,
    service: Service,
    pupil: User | None,
    answers: dict[int, object],
    files: dict[int, object] | None = None,
    consent: bool = False,
    now: datetime.datetime | None = None,
) -> Case:
    """File a case: checked again here (the form checks first), numbered
    `SP1/2026/0042`, due in the service's working days, the handlers told."""
    from portal.permissions import is_guardian_of
    from portal.selectors import current_class_of

    if not service.enabled:
        raise EservicesError("disabled", _("This service is not available."))
    school_class = None
    if service.needs_pupil:
        if pupil is None or not is_guardian_of(applicant, pupil):
            raise EservicesError("not_guardian", _("Choose one of your children."))
        school_class = current_class_of(pupil)
        if school_class is None or school_class.school_year.school_id != service.school_id:
            raise EservicesError("other_school", _("The child does not attend this school."))
    else:
        pupil = None
    if service.consents and not consent:
        raise EservicesError("consent", _("Accept the required consents."))
    fields = list(service.fields.all())
    files = files or {}
    stored = []
    for field in fields:
        value = answers.get(field.pk)
        if field.kind == ServiceField.Kind.ATTACHMENT:
            value = files.get(field.pk)
            if field.required and not value:
                raise EservicesError("required", _("Fill in: %(field)s.") % {"field": field.label})
            continue
        if isinstance(value, datetime.date):
            value = value.isoformat()
        elif isinstance(value, bool):
            value = value
        else:
            value = str(value or "").strip()
        if field.required and value in ("", None, False):
            raise EservicesError("required", _("Fill in: %(field)s.") % {"field": field.label})
        stored.append(
            {
                "field": field.pk,
                "key": field.key,
                "label": field.label,
                "kind": field.kind,
                "value": value,
            }
        )
    now = now or timezone.now()
    year = timezone.localtime(now).year
    sequence = _allocate_sequence(service.school, year)
    case = Case(
        school=service.school,
        service=service,
        year=year,
        sequence=sequence,
        number=f"{number_prefix(service.school)}/{year}/{sequence:04d}",
        applicant=applicant,
        pupil=pupil,
        pupil_class=school_class,
        handler_role=service.handler_role,
        answers=stored,
        consents=service.consents if consent else "",
        submitted_at=now,
        due_date=add_working_days(timezone.localtime(now).date(), service.deadline_days),
    )
    validate(case, error=EservicesError)
    case.save()
    event = _event(case, CaseEvent.Kind.SUBMITTED, applicant, status_to=Status.SUBMITTED)
    _store_files(
        case,
        event,
        applicant,
        [(f.label, files[f.pk]) for f in fields if f.kind == "attachment" and files.get(f.pk)],
    )
    _audit(case, applicant, "submit", after={"number": case.number, "service": service.pk})
    _tell_family(case, event, _("Case %(number)s filed") % {"number": case.number})
    notify(
        recipients=handlers_of(case),
        kind=NotificationKind.ESERVICE,
        title=_("New case %(number)s: %(service)s")
        % {"number": case.number, "service": service.name},
        key=f"eservice:{case.pk}:new",
        url=reverse("eservices:case", args=[case.pk]),
    )
    return case


# --- Handling --------------------------------------------------------------------------


def _locked(case) -> Case:
    return Case.objects.select_for_update().select_related("service", "school").get(pk=case.pk)


@transaction.atomic
def case_transition(*, case: Case, user: User, to: str, text: str = "") -> Case:
    """Move a case to its next status. A refusal and a request for completion need
    the reason; granting an advance absence notice excuses the covered lessons;
    granting a library card application makes the applicant a reader of the
    school's library and tells them the card number; granting a certificate of
    attendance issues it at once."""
    case = _locked(case)
    text = (text or "").strip()
    if to not in TRANSITIONS.get(case.status, ()):
        raise EservicesError(
            "bad_transition",
            _("A case that is “%(status)s” cannot become “%(to)s”.")
            % {
                "status": case.get_status_display(),
                "to": Status(to).label if to in Status.values else to,
            },
        )
    if to in NEEDS_TEXT and not text:
        raise EservicesError(
            "reason_required",
            _("Give the reason of the refusal.")
            if to == Status.REFUSED
            else _("Say what the family should complete."),
        )
    before = {"status": case.status, "handler": case.handler_id}
    previous = case.status
    case.status = to
    if case.handler_id is None:
        case.handler = user
    if to in (Status.REFUSED, Status.GRANTED):
        case.decision_reason = text
    if to in FINAL or to == Status.GRANTED:
        case.closed_at = timezone.now()
    case.save()
    event = _event(case, CaseEvent.Kind.STATUS, user, text=text, status_from=previous, status_to=to)
    _audit(
        case,
        user,
        "status",
        before=before,
        after={"status": to, "handler": case.handler_id},
        reason=text,
    )
    title = _("Case %(number)s: %(status)s") % {
        "number": case.number,
        "status": case.get_status_display(),
    }
    if to == Status.GRANTED and case.service.kind == ServiceKind.ADVANCE_ABSENCE:
        _pre_excuse(case, user)
    if to == Status.GRANTED and case.service.kind == ServiceKind.LIBRARY_CARD:
        card_number = _grant_library_card(case, user)
        title = _("Case %(number)s: %(status)s, library card %(card)s") % {
            "number": case.number,
            "status": case.get_status_display(),
            "card": card_number,
        }
    _tell_family(case, event, title)
    if to == Status.GRANTED and case.service.kind == ServiceKind.ATTENDANCE_CERTIFICATE:
        from .documents import certificate_issue

        certificate_issue(case=case, user=user)
    return case


def answers_by_key(case) -> dict[str, object]:
    return {a["key"]: a["value"] for a in case.answers if a.get("key")}


def covered_days(case) -> list:
    """The days and lessons an advance absence notice covers (working days only)."""
    from gradebook.register.services import CoveredDay

    from .workdays import is_working_day

    values = answers_by_key(case)
    first = datetime.date.fromisoformat(values["first_day"])
    last = datetime.date.fromisoformat(values["last_day"]) if values.get("last_day") else first
    first_lesson = int(values["first_lesson"]) if values.get("first_lesson") else None
    last_lesson = int(values["last_lesson"]) if values.get("last_lesson") else None
    days, day = [], first
    while day <= last:
        if is_working_day(day):
            days.append(CoveredDay(day, first_lesson, last_lesson))
        day += datetime.timedelta(days=1)
    return days


def _pre_excuse(case, user) -> None:
    from gradebook.register.services import excuse_in_advance

    excuse_in_advance(
        pupil=case.pupil,
        submitted_by=case.applicant,
        decided_by=user,
        reason=_("Advance absence notice %(number)s: %(reason)s")
        % {"number": case.number, "reason": answers_by_key(case).get("reason", "")},
        days=covered_days(case),
    )


def _grant_library_card(case, user) -> str:
    """The applicant becomes a reader from outside the school of the school's
    library (only its librarians may grant it: otherwise the whole step is
    refused); the card number goes on the case's timeline for the family.
    Returns the card number."""
    from library.circulation.services import (
        CirculationError,
        external_reader_grant,
        reader_profile_for,
    )

    try:
        external_reader_grant(user=user, school=case.school, reader=case.applicant, case=case)
    except CirculationError as error:
        raise EservicesError(error.code, error.message) from error
    card_number = reader_profile_for(case.applicant).card_number
    _event(
        case,
        CaseEvent.Kind.ANSWER,
        user,
        text=_(
            "Your library card number: %(card)s. Give it at the library desk to borrow; "
            "your loans and holds are on your library account (%(url)s)."
        )
        % {"card": card_number, "url": reverse("circulation:account")},
    )
    return card_number


@transaction.atomic
def case_message(*, case: Case, user: User, text: str, internal: bool, files=()) -> CaseEvent:
    """The handler's message to the family, or an internal note the family never sees."""
    case = _locked(case)
    text = (text or "").strip()
    if not text:
        raise EservicesError("text_required", _("Write the text."))
    kind = CaseEvent.Kind.NOTE if internal else CaseEvent.Kind.ANSWER
    event = _event(case, kind, user, text=text, internal=internal)
    _store_files(case, event, user, [("", f) for f in files])
    _audit(case, user, "note" if internal else "answer", after={"event": event.pk})
    if not internal:
        _tell_family(case, event, _("A message in case %(number)s") % {"number": case.number})
    return event


@transaction.atomic
def case_family_reply(*, case: Case, user: User, text: str, files=()) -> CaseEvent:
    """The family's answer in its own case; an answer to a request for completion
    puts the case back in progress."""
    case = _locked(case)
    text = (text or "").strip()
    if case.status in FINAL:
        raise EservicesError("closed", _("This case is closed."))
    if not text and not files:
        raise EservicesError("text_required", _("Write the text or attach a file."))
    event = _event(case, CaseEvent.Kind.FAMILY, user, text=text)
    _store_files(case, event, user, [("", f) for f in files])
    _audit(case, user, "reply", after={"event": event.pk})
    if case.status == Status.COMPLETION:
        case.status = Status.IN_PROGRESS
        case.save(update_fields=["status", "updated_at"])
        _event(
            case,
            CaseEvent.Kind.STATUS,
            user,
            status_from=Status.COMPLETION,
            status_to=Status.IN_PROGRESS,
        )
    notify(
        recipients=handlers_of(case),
        kind=NotificationKind.ESERVICE,
        title=_("The family answered in case %(number)s") % {"number": case.number},
        key=f"eservice:{case.pk}:{event.pk}",
        url=reverse("eservices:case", args=[case.pk]),
    )
    return event


@transaction.atomic
def case_reassign(*, case: Case, user: User, handler: User, reason: str = "") -> Case:
    """Hand a case over to another member of the school's staff."""
    from .permissions import can_handle_case, handler_candidates

    case = _locked(case)
    if not handler_candidates(case).filter(pk=handler.pk).exists():
        raise EservicesError("bad_handler", _("This person cannot handle the school's cases."))
    before = {"handler": case.handler_id}
    case.handler = handler
    case.save(update_fields=["handler", "updated_at"])
    _event(
        case,
        CaseEvent.Kind.REASSIGNED,
        user,
        internal=True,
        text=_("Handed over to %(name)s. %(reason)s")
        % {"name": actor_label(handler), "reason": reason.strip()},
    )
    _audit(case, user, "reassign", before=before, after={"handler": handler.pk}, reason=reason)
    if handler.pk != user.pk and can_handle_case(handler, case):
        notify(
            recipients=[handler],
            kind=NotificationKind.ESERVICE,
            title=_("Case %(number)s was handed over to you") % {"number": case.number},
            key=f"eservice:{case.pk}:handler:{handler.pk}:{timezone.now().timestamp()}",
            url=reverse("eservices:case", args=[case.pk]),
        )
    return case


# --- Documents -------------------------------------------------------------------------


@transaction.atomic
def document_revoke(*, document: IssuedDocument, user: User, reason: str) -> IssuedDocument:
    document = IssuedDocument.objects.select_for_update().select_related("case").get(pk=document.pk)
    reason = (reason or "").strip()
    if not reason:
        raise EservicesError("reason_required", _("Give the reason of revoking."))
    if document.revoked_at:
        raise EservicesError("revoked", _("The document is already revoked."))
    document.revoked_at = timezone.now()
    document.revoked_by = user
    document.revoke_reason = reason
    document.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    case = document.case
    event = _event(case, CaseEvent.Kind.REVOKED, user, text=f"{document.title}: {reason}")
    _audit(
        case,
        user,
        "document_revoke",
        before={"document": document.code, "valid": True},
        after={"document": document.code, "valid": False},
        reason=reason,
    )
    _tell_family(
        case, event, _("A document of case %(number)s was revoked") % {"number": case.number}
    )
    return document


# --- The catalogue ---------------------------------------------------------------------

SERVICE_FIELDS = model_fields(Service)
FIELD_FIELDS = model_fields(ServiceField)


@transaction.atomic
def service_save(*, service: Service, user: User) -> Service:
    """Save a service of the catalogue (made or changed), audited."""
    validate(service, error=EservicesError)
    return audited_save(
        service,
        actor=user,
        category=CATEGORY,
        name="service",
        school=service.school_id,
        fields=SERVICE_FIELDS,
    )


@transaction.atomic
def field_save(*, field: ServiceField, user: User) -> ServiceField:
    """Save a question of a service's form, audited. A built-in's question keeps its type."""
    if field.key and field.pk:
        stored = ServiceField.objects.filter(pk=field.pk).values_list("kind", flat=True).first()
        if stored != field.kind:
            raise EservicesError(
                "builtin_field", _("The type of a built-in service's field is fixed.")
            )
    if field.kind == ServiceField.Kind.CHOICE and not field.choice_list:
        raise EservicesError("choices_required", _("Give the options, one per line."))
    validate(field, error=EservicesError)
    return audited_save(
        field,
        actor=user,
        category=CATEGORY,
        name="service_field",
        school=field.service.school_id,
        fields=FIELD_FIELDS,
    )


@transaction.atomic
def field_delete(*, field: ServiceField, user: User) -> None:
    if field.key:
        raise EservicesError("builtin_field", _("A built-in service's field cannot be removed."))
    audited_delete(
        field,
        actor=user,
        category=CATEGORY,
        name="service_field",
        school=field.service.school_id,
        fields=FIELD_FIELDS,
    )


# --- Trips and their consents ----------------------------------------------------------


def class_pupils(school_class, day: datetime.date | None = None) -> list[User]:
    """The pupils enrolled in the class on `day` (today), in register order."""
    from portal.models import Enrolment

    enrolments = (
        Enrolment.objects.active_on(day or timezone.localdate())
        .filter(school_class=school_class)
        .select_related("pupil")
        .order_by("register_number", "pupil__last_name", "pupil__first_name")
    )
    return [e.pupil for e in enrolments]


def _trip_state(trip) -> dict:
    return {
        "school_class": trip.school_class_id,
        "title": trip.title,
        "starts_on": trip.starts_on.isoformat(),
        "ends_on": trip.ends_on.isoformat() if trip.ends_on else "",
        "place": trip.place,
        "cost": str(trip.cost) if trip.cost is not None else "",
        # to the minute, as the form shows it: saving an unchanged form changes nothing
        "consent_deadline": timezone.localtime(trip.consent_deadline)
        .replace(second=0, microsecond=0)
        .isoformat(),
    }


def _consent_state(consent) -> dict:
    return {"answer": consent.answer, "note": consent.note}


def guardians_of(pupil_ids) -> list[int]:
    return list(
        dict.fromkeys(
            GuardianLink.objects.filter(pupil_id__in=list(pupil_ids), guardian__is_active=True)
            .order_by("pk")
            .values_list("guardian_id", flat=True)
        )
    )


def _tell_guardians(trip, pupil_ids, title: str, key: str) -> list[int]:
    recipients = guardians_of(pupil_ids)
    notify(
        recipients=recipients,
        kind=NotificationKind.ESERVICE,
        title=title,
        body=f"{trip.title} · {trip.starts_on:%d.%m.%Y} · {trip.place}",
        key=key,
        url=reverse("eservices:home") + "#wycieczki",
    )
    return recipients


@transaction.atomic
def trip_create(*, user: User, trip, pupils: list[User] | None = None):
    """Save a new trip of the teacher's own class, one consent row per pupil (the
    whole class or the chosen group), audited; the guardians are asked."""
    from .models import TripConsent
    from .permissions import trip_classes

    school_class = trip.school_class
    if not trip_classes(user).filter(pk=school_class.pk).exists():
        raise EservicesError("not_your_class", _("You may organise trips only for your classes."))
    enrolled = {p.pk: p for p in class_pupils(school_class)}
    chosen = [p for p in (pupils if pupils is not None else enrolled.values()) if p.pk in enrolled]
    if not chosen:
        raise EservicesError("no_pupils", _("Choose at least one pupil."))
    if trip.ends_on is not None and trip.ends_on < trip.starts_on:
        raise EservicesError("dates", _("The last day cannot be before the first."))
    if trip.consent_deadline <= timezone.now():
        raise EservicesError("deadline_past", _("The deadline for answers must be in the future."))
    trip.school_id = school_class.school_year.school_id
    trip.created_by = user
    trip.organiser_name = actor_label(user)
    trip.save()
    TripConsent.objects.bulk_create(TripConsent(trip=trip, pupil=p) for p in chosen)
    audit_record(
        actor=user,
        category=CATEGORY,
        action="trip.create",
        target=trip,
        school=trip.school_id,
        after={**_trip_state(trip), "pupils": len(chosen)},
        only_changes=False,
    )
    _tell_guardians(
        trip,
        [p.pk for p in chosen],
        _("Consent needed: %(title)s") % {"title": trip.title},
        key=f"trip:{trip.pk}:created",
    )
    return trip


@transaction.atomic
def trip_answer(*, consent, user: User, answer: str, note: str = ""):
    """A guardian consents or refuses for their own child, again and again until
    the deadline; each answer is audited (who, when, before, after)."""
    from portal.permissions import is_guardian_of

    from .models import TripConsent

    consent = (
        TripConsent.objects.select_for_update().select_related("trip", "pupil").get(pk=consent.pk)
    )
    if not is_guardian_of(user, consent.pupil):
        raise EservicesError("not_guardian", _("You may answer only for your own child."))
    if answer not in (TripConsent.Answer.CONSENT, TripConsent.Answer.REFUSAL):
        raise EservicesError("answer", _("Choose consent or refusal."))
    now = timezone.now()
    if consent.trip.is_frozen(now):
        raise EservicesError("frozen", _("The deadline for answers has passed; the list is final."))
    before = _consent_state(consent)
    consent.answer = answer
    consent.note = note.strip()[:500]
    consent.answered_by = user
    consent.answered_by_name = actor_label(user)
    consent.answered_at = now
    consent.save()
    audit_record(
        actor=user,
        category=CATEGORY,
        action="trip.answer",
        target=consent,
        school=consent.trip.school_id,
        person=consent.pupil,
        before=before,
        after=_consent_state(consent),
        only_changes=False,
    )
    return consent


@transaction.atomic
def trip_remind(*, trip, user: User) -> list[int]:
    """Remind the guardians of the pupils without an answer (only them); returns
    whom. Nothing to remind of after the deadline."""
    from .models import Trip

    trip = Trip.objects.select_for_update().get(pk=trip.pk)
    now = timezone.now()
    if trip.is_frozen(now):
        raise EservicesError("frozen", _("The deadline for answers has passed; the list is final."))
    waiting = list(trip.consents.filter(answer="").values_list("pupil_id", flat=True))
    if not waiting:
        raise EservicesError("all_answered", _("Every guardian has answered."))
    recipients = _tell_guardians(
        trip,
        waiting,
        _("Reminder: consent needed for %(title)s") % {"title": trip.title},
        key=f"trip:{trip.pk}:remind:{now.timestamp():.0f}",
    )
    trip.reminded_at = now
    trip.save(update_fields=["reminded_at"])
    audit_record(
        actor=user,
        category=CATEGORY,
        action="trip.remind",
        target=trip,
        school=trip.school_id,
        after={"pupils": len(waiting), "guardians": len(recipients)},
        only_changes=False,
    )
    return recipients


# What a consent was given to: a change of any of these asks the guardians again.
TRIP_TERMS = ("starts_on", "ends_on", "place", "cost")


@transaction.atomic
def trip_update(*, trip, user: User):
    """Save the organiser's changes to a trip still open for answers (`trip` holds
    them, unsaved). A change of the date, the place or the cost clears the answers
    given so far and asks every guardian again, since they consented to other
    terms; other changes are told to the guardians. Audited with before and after."""
    from .models import Trip

    stored = Trip.objects.select_for_update().select_related("school_class").get(pk=trip.pk)
    if stored.is_frozen():
        raise EservicesError("frozen", _("The deadline for answers has passed; the list is final."))
    if trip.ends_on is not None and trip.ends_on < trip.starts_on:
        raise EservicesError("dates", _("The last day cannot be before the first."))
    if trip.consent_deadline <= timezone.now():
        raise EservicesError("deadline_past", _("The deadline for answers must be in the future."))
    before, after = _trip_state(stored), _trip_state(trip)
    if before == after:
        return stored
    trip.school_class_id, trip.school_id = stored.school_class_id, stored.school_id
    trip.save()
    terms_changed = any(before[key] != after[key] for key in TRIP_TERMS)
    cleared = 0
    if terms_changed:
        cleared = trip.consents.exclude(answer="").update(
            answer="", note="", answered_by=None, answered_by_name="", answered_at=None
        )
    audit_record(
        actor=user,
        category=CATEGORY,
        action="trip.update",
        target=trip,
        school=trip.school_id,
        before=before,
        after={**after, "answers_cleared": cleared} if cleared else after,
    )
    pupils = list(trip.consents.values_list("pupil_id", flat=True))
    stamp = f"{timezone.now().timestamp():.0f}"
    if terms_changed:
        title = _("The trip changed, please answer again: %(title)s") % {"title": trip.title}
    else:
        title = _("The trip's details changed: %(title)s") % {"title": trip.title}
    _tell_guardians(trip, pupils, title, key=f"trip:{trip.pk}:update:{stamp}")
    return trip


@transaction.atomic
def trip_cancel(*, trip, user: User, reason: str):
    """Call a trip off: nobody answers any more and every guardian is told why."""
    from .models import Trip

    trip = Trip.objects.select_for_update().get(pk=trip.pk)
    reason = reason.strip()[:500]
    if trip.cancelled_at is not None:
        raise EservicesError("cancelled", _("The trip is already cancelled."))
    if not reason:
        raise EservicesError("reason", _("Say why the trip is cancelled; the guardians are told."))
    trip.cancelled_at = timezone.now()
    trip.cancel_reason = reason
    trip.save(update_fields=["cancelled_at", "cancel_reason"])
    audit_record(
        actor=user,
        category=CATEGORY,
        action="trip.cancel",
        target=trip,
        school=trip.school_id,
        after={"cancel_reason": reason},
        reason=reason,
        only_changes=False,
    )
    _tell_guardians(
        trip,
        list(trip.consents.values_list("pupil_id", flat=True)),
        _("Trip cancelled: %(title)s") % {"title": trip.title},
        key=f"trip:{trip.pk}:cancelled",
    )
    return trip


def trip_missing_pupils(trip) -> list[User]:
    """The pupils enrolled in the trip's class today who are not on its list (a
    pupil who joined the class later, or one left out of a group)."""
    listed = set(trip.consents.values_list("pupil_id", flat=True))
    return [p for p in class_pupils(trip.school_class) if p.pk not in listed]


@transaction.atomic
def trip_add_pupils(*, trip, user: User, pupil_ids) -> list[User]:
    """Put more pupils of the trip's class on its list while answers are open and
    ask their guardians; a pupil not in the class (today) or already listed is
    left out. Audited."""
    from .models import Trip, TripConsent

    trip = Trip.objects.select_for_update().select_related("school_class").get(pk=trip.pk)
    if trip.is_frozen():
        raise EservicesError("frozen", _("The deadline for answers has passed; the list is final."))
    wanted = {int(pk) for pk in pupil_ids}
    added = [p for p in trip_missing_pupils(trip) if p.pk in wanted]
    if not added:
        raise EservicesError("no_pupils", _("Choose at least one pupil."))
    TripConsent.objects.bulk_create(TripConsent(trip=trip, pupil=p) for p in added)
    audit_record(
        actor=user,
        category=CATEGORY,
        action="trip.add_pupils",
        target=trip,
        school=trip.school_id,
        after={"pupils": len(added), "names": [actor_label(p) for p in added]},
        only_changes=False,
    )
    _tell_guardians(
        trip,
        [p.pk for p in added],
        _("Consent needed: %(title)s") % {"title": trip.title},
        key=f"trip:{trip.pk}:created",
    )
    return added
