"""Background work of the e-register (django_tasks; immediate backend in tests)."""

from __future__ import annotations

import hashlib

from django_tasks import task

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from portal.models import GuardianLink

from .models import Notification, TermGrade
from .scale import grade_word


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


@task()
def notify_term_grades(term_grade_ids: list[int]) -> int:
    """Tell guardians about new proposed and term grades: a portal notification
    each, and an e-mail when the guardian has an address. Idempotent: a grade
    value already notified is not notified again."""
    sent = 0
    grades = TermGrade.objects.filter(pk__in=term_grade_ids).select_related(
        "pupil", "assignment__subject", "term"
    )
    with override(settings.LANGUAGE_CODE):
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
                        Notification.objects.create(
                            recipient=guardian,
                            pupil_id=tg.pupil_id,
                            text=text[:300],
                            url=url,
                            dedupe_key=key,
                        )
                except IntegrityError:
                    continue  # already told
                sent += 1
                if guardian.email:
                    send_mail(
                        _("New grade in the e-register"),
                        text + "\n\n" + _("See the e-register for details."),
                        None,
                        [guardian.email],
                        fail_silently=True,
                    )
    return sent
