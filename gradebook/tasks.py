"""Background work of the e-register (django_tasks; immediate backend in tests)."""

from __future__ import annotations

import hashlib

from django_tasks import task

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from portal.background.mail import (
    mail_claim_retry,
    mail_retryable,
    mail_schedule_retry,
    mail_send,
)
from portal.models import GuardianLink

from .models import Notification, TermGrade
from .scale import grade_word

RETRY_BATCH = 500


def _describe(tg: TermGrade) -> str:
    if tg.kind == TermGrade.Kind.PROPOSED:
        label = _("proposed grade")
    elif tg.term.number == 1:
        label = _("mid-year grade")
    else:
        label = _("annual grade")
    value = f"{tg.grade} ({grade_word(tg.grade)})" if tg.grade else _("descriptive assessment")
    return _("%(pupil)s – %(subject)s: %(label)s %(value)s") % {
        "pupil": tg.pupil.get_full_name(),
        "subject": tg.assignment.subject.name,
        "label": label,
        "value": value,
    }


def _mail(note: Notification, address: str) -> bool:
    return mail_send(
        note,
        subject=_("New grade in the e-register"),
        body=note.text + "\n\n" + _("See the e-register for details."),
        to=address,
    )


def _retry_failed_mail() -> tuple[int, int]:
    """Send again the grade e-mails that failed before: (sent, failed)."""
    sent = failed = 0
    rows = mail_retryable(Notification.objects.select_related("recipient")).order_by("pk")
    for note in rows[:RETRY_BATCH]:
        if not note.recipient.email or not mail_claim_retry(note):
            continue
        if _mail(note, note.recipient.email):
            sent += 1
        else:
            failed += 1
    return sent, failed


@task()
def notify_term_grades(term_grade_ids: list[int]) -> dict:
    """Tell guardians about new proposed and term grades: a portal notification
    each, and an e-mail when the guardian has an address. Idempotent: a grade
    value already notified is not notified again. An address that fails is
    logged and kept on its notification, never stops the run, and is tried again
    by the next run (and by `retry_grade_mail`, queued for later)."""
    told = mailed = failed = 0
    grades = TermGrade.objects.filter(pk__in=term_grade_ids).select_related(
        "pupil", "assignment__subject", "term"
    )
    with override(settings.LANGUAGE_CODE):
        mailed, failed = _retry_failed_mail()
        for tg in grades:
            text = _describe(tg)
            url = reverse("gradebook:pupil", args=[tg.pupil_id])
            # Stable across processes (str hash() is salted per process).
            digest = hashlib.sha1(tg.description.encode()).hexdigest()[:12]
            key = f"term:{tg.pk}:{tg.grade or ''}:{digest}"
            links = GuardianLink.objects.filter(pupil_id=tg.pupil_id).select_related("guardian")
            for link in links:
                guardian = link.guardian
                try:
                    with transaction.atomic():
                        note = Notification.objects.create(
                            recipient=guardian,
                            pupil_id=tg.pupil_id,
                            text=text[:300],
                            url=url,
                            dedupe_key=key,
                            mail_status=Notification.MailStatus.SENDING if guardian.email else "",
                        )
                except IntegrityError:
                    continue  # already told
                told += 1
                if not guardian.email:
                    continue
                if _mail(note, guardian.email):
                    mailed += 1
                else:
                    failed += 1
    if failed:
        mail_schedule_retry(retry_grade_mail)
    return {"notified": told, "mailed": mailed, "failed": failed}


@task()
def retry_grade_mail() -> dict:
    """Send again the grade e-mails that failed (queued by a run that had
    failures; idempotent: a sent e-mail is never sent again)."""
    with override(settings.LANGUAGE_CODE):
        sent, failed = _retry_failed_mail()
    if failed:
        mail_schedule_retry(retry_grade_mail)
    return {"mailed": sent, "failed": failed}


def notify_task_schools(args, kwargs) -> set[int]:
    """The schools of the grades one run of `notify_term_grades` tells about."""
    ids = args[0] if args else kwargs.get("term_grade_ids", [])
    return set(
        TermGrade.objects.filter(pk__in=ids).values_list(
            "assignment__school_class__school_year__school_id", flat=True
        )
    )
