"""The built-in services every school has, switched off until its admin turns
them on. Each field a built-in reads has a `key`."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from .models import HandlerRole, Service, ServiceField, ServiceKind

LESSON_CHOICES = "\n".join(str(n) for n in range(1, 11))


def _definitions() -> dict[str, dict]:
    Kind = ServiceField.Kind
    return {
        ServiceKind.ATTENDANCE_CERTIFICATE: {
            "name": _("Certificate of school attendance"),
            "description": _(
                "A certificate that the pupil attends the school (for benefits, transport, "
                "an employer). Issued as a PDF with a verification code."
            ),
            "handler_role": HandlerRole.SECRETARY,
            "deadline_days": 7,
            "fields": [
                ("purpose", _("Purpose of the certificate"), Kind.TEXT, True, ""),
            ],
        },
        ServiceKind.ID_DUPLICATE: {
            "name": _("Duplicate pupil ID card"),
            "description": _(
                "A duplicate of a lost or damaged pupil ID card. Attach a photo; the "
                "duplicate is collected at the secretariat."
            ),
            "handler_role": HandlerRole.SECRETARY,
            "deadline_days": 7,
            "consents": _("I declare that the original ID card was lost or destroyed."),
            "fields": [
                (
                    "reason",
                    _("What happened to the ID card"),
                    Kind.CHOICE,
                    True,
                    "\n".join([_("lost"), _("destroyed"), _("stolen")]),
                ),
                ("photo", _("Photo for the ID card"), Kind.ATTACHMENT, True, ""),
            ],
        },
        ServiceKind.ADVANCE_ABSENCE: {
            "name": _("Advance absence notice"),
            "description": _(
                "Tell the homeroom teacher in advance that your child will miss lessons. "
                "When the teacher accepts, the absences in those lessons are excused."
            ),
            "handler_role": HandlerRole.HOMEROOM,
            "deadline_days": 2,
            "fields": [
                ("first_day", _("First day"), Kind.DATE, True, ""),
                ("last_day", _("Last day (if more than one)"), Kind.DATE, False, ""),
                (
                    "first_lesson",
                    _("From lesson (empty: from the first)"),
                    Kind.CHOICE,
                    False,
                    LESSON_CHOICES,
                ),
                (
                    "last_lesson",
                    _("To lesson (empty: to the last)"),
                    Kind.CHOICE,
                    False,
                    LESSON_CHOICES,
                ),
                ("reason", _("Reason"), Kind.LONG_TEXT, True, ""),
            ],
        },
        ServiceKind.LIBRARY_CARD: {
            "name": _("Library card application"),
            "description": _(
                "A library card of the school library for a reader from outside the school."
            ),
            "handler_role": HandlerRole.LIBRARIAN,
            "deadline_days": 5,
            "needs_pupil": False,
            "consents": _(
                "I agree to the library's rules and to the processing of my data for lending."
            ),
            "fields": [
                ("address", _("Address"), Kind.TEXT, True, ""),
                ("phone", _("Phone"), Kind.TEXT, False, ""),
            ],
        },
    }


@transaction.atomic
def builtins_ensure(school) -> list[Service]:
    """Make the built-in services the school lacks (off); returns those made."""
    have = set(
        Service.objects.filter(school=school).exclude(kind="").values_list("kind", flat=True)
    )
    made = []
    for position, (kind, spec) in enumerate(_definitions().items()):
        if kind in have:
            continue
        service = Service.objects.create(
            school=school,
            kind=kind,
            name=spec["name"],
            description=spec["description"],
            handler_role=spec["handler_role"],
            deadline_days=spec["deadline_days"],
            consents=spec.get("consents", ""),
            needs_pupil=spec.get("needs_pupil", True),
            enabled=False,
            position=position,
        )
        ServiceField.objects.bulk_create(
            ServiceField(
                service=service,
                key=key,
                label=label,
                kind=field_kind,
                required=required,
                choices=choices,
                position=i,
            )
            for i, (key, label, field_kind, required, choices) in enumerate(spec["fields"])
        )
        made.append(service)
    return made
