"""Background work of the class register (django_tasks; immediate backend in tests)."""

from __future__ import annotations

import datetime
import hashlib

from django_tasks import task

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from gradebook.models import Notification
from portal.models import GuardianLink, TeachingAssignment


@task()
def notify_test_change(assignment_id: int, what: str, old_date: str, new_date: str) -> dict:
    """Tell the guardians of the class (or group) that a planned test moved from
    `old_date` to `new_date`, or is off when `new_date` is empty: a portal
    notification each, once per guardian, pupil and change."""
    assignment = TeachingAssignment.objects.filter(pk=assignment_id).first()
    if assignment is None:
        return {"notified": 0}
    old = datetime.date.fromisoformat(old_date)
    new = datetime.date.fromisoformat(new_date) if new_date else None
    pupils = [p.pk for p in assignment.pupils_on(min(old, new or old))]
    key = hashlib.sha1(f"{assignment_id}|{what}|{old_date}|{new_date}".encode()).hexdigest()[:20]
    told = 0
    with override(settings.LANGUAGE_CODE):
        short = "SHORT_DATE_FORMAT"
        if new is None:
            text = _("%(what)s planned for %(old)s is off.") % {
                "what": what,
                "old": date_format(old, short),
            }
        else:
            text = _("%(what)s moved from %(old)s to %(new)s.") % {
                "what": what,
                "old": date_format(old, short),
                "new": date_format(new, short),
            }
        url = reverse("register:week")
        for link in GuardianLink.objects.filter(pupil_id__in=pupils).select_related("guardian"):
            try:
                with transaction.atomic():
                    Notification.objects.create(
                        recipient=link.guardian,
                        pupil_id=link.pupil_id,
                        text=text[:300],
                        url=url,
                        dedupe_key=f"test:{key}:{link.pupil_id}",
                    )
            except IntegrityError:
                continue  # already told
            told += 1
    return {"notified": told}
