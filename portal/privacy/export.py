"""Export of everything the portal holds about one person (RODO art. 15)."""

from __future__ import annotations

import datetime
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from ..audit import audit_record
from ..models import (
    AuditEvent,
    Enrolment,
    GuardianLink,
    ReadAccess,
    RoleAssignment,
    SchoolClass,
    TeachingAssignment,
    User,
)
from ..registry import person_data_handlers


def table(title, columns, rows) -> dict:
    """One table of an export section: a title, column labels and rows of plain
    values (str, numbers, dates). Apps build their sections from these."""
    return {"title": str(title), "columns": [str(c) for c in columns], "rows": list(rows)}


def fmt_dt(value) -> str:
    """A date or time as shown in an export ("" when empty)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def person_label(user) -> str:
    """Another person as named in an export: name only, never contact data."""
    if user is None:
        return ""
    return user.get_full_name() or user.username


def _own_data(person: User) -> dict:
    return {
        "title": _("Account and personal data"),
        "tables": [
            table(
                _("Account"),
                [_("Field"), _("Value")],
                [
                    [_("Identifier"), person.pk],
                    [_("Login"), person.username],
                    [_("First name"), person.first_name],
                    [_("Last name"), person.last_name],
                    [_("E-mail"), person.email],
                    [_("Phone"), person.phone],
                    [_("PESEL"), person.pesel],
                    [_("Date of birth"), fmt_dt(person.date_of_birth)],
                    [_("Account created"), fmt_dt(person.date_joined)],
                    [_("Last sign-in"), fmt_dt(person.last_login)],
                    [_("Active"), _("yes") if person.is_active else _("no")],
                ],
            ),
        ],
    }


def _school_links(person: User) -> dict:
    roles = RoleAssignment.objects.filter(user=person).select_related("school")
    enrolments = Enrolment.objects.filter(pupil=person).select_related(
        "school_class__school_year__school"
    )
    assignments = TeachingAssignment.objects.filter(teacher=person).select_related(
        "school_class__school_year__school", "subject", "group"
    )
    homeroom = SchoolClass.objects.filter(homeroom_teacher=person).select_related(
        "school_year__school"
    )
    children = GuardianLink.objects.filter(guardian=person).select_related("pupil")
    guardians = GuardianLink.objects.filter(pupil=person).select_related("guardian")
    return {
        "title": _("Roles and links with schools"),
        "tables": [
            table(
                _("Roles"),
                [_("Role"), _("School")],
                [[r.get_role_display(), str(r.school or _("municipality"))] for r in roles],
            ),
            table(
                _("Enrolments"),
                [_("School"), _("School year"), _("Class"), _("From"), _("Until"), _("No.")],
                [
                    [
                        str(e.school_class.school_year.school),
                        e.school_class.school_year.name,
                        e.school_class.name,
                        fmt_dt(e.start_date),
                        fmt_dt(e.end_date),
                        e.register_number or "",
                    ]
                    for e in enrolments
                ],
            ),
            table(
                _("Teaching"),
                [_("School"), _("School year"), _("Class"), _("Subject")],
                [
                    [
                        str(a.school_class.school_year.school),
                        a.school_class.school_year.name,
                        str(a.group) if a.group_id else a.school_class.name,
                        a.subject.name,
                    ]
                    for a in assignments
                ],
            ),
            table(
                _("Homeroom classes"),
                [_("School"), _("School year"), _("Class")],
                [[str(c.school_year.school), c.school_year.name, c.name] for c in homeroom],
            ),
            table(
                _("Children (guardian links)"),
                [_("Child"), _("Relation")],
                [[person_label(link.pupil), link.get_relation_display()] for link in children],
            ),
            table(
                _("Guardians"),
                [_("Guardian"), _("Relation")],
                [[person_label(link.guardian), link.get_relation_display()] for link in guardians],
            ),
        ],
    }


def _audit(person: User) -> dict:
    events = AuditEvent.objects.filter(person=person).select_related("school")
    reads = ReadAccess.objects.filter(pupil=person).select_related("school")
    return {
        "title": _("Records about the person"),
        "tables": [
            # Field names only: the values may hold other people's data.
            table(
                _("Audit trail"),
                [_("When"), _("Who"), _("Category"), _("Action"), _("What"), _("Fields")],
                [
                    [
                        fmt_dt(e.at),
                        e.who,
                        e.get_category_display(),
                        e.action,
                        e.target_repr,
                        ", ".join(sorted({*(e.before or {}), *(e.after or {})})),
                    ]
                    for e in events
                ],
            ),
            table(
                _("Who opened the pupil's data"),
                [_("When"), _("Who"), _("School"), _("What")],
                [
                    [fmt_dt(r.at), r.actor_name, str(r.school or ""), r.get_what_display()]
                    for r in reads
                ],
            ),
        ],
    }


def person_export(*, person: User) -> dict:
    """Everything the portal holds about `person`, as sections of tables.

    The person's own section is the only one with their PESEL and contact data;
    other people appear by name only."""
    sections = [_own_data(person), _school_links(person)]
    for handler in person_data_handlers():
        tables = [t for t in handler.export(person) if t]
        sections.append({"key": handler.key, "title": str(handler.title), "tables": tables})
    sections.append(_audit(person))
    return {
        "person_id": person.pk,
        "generated_at": fmt_dt(timezone.now()),
        "sections": sections,
    }


def export_recorded(*, actor, person: User, fmt: str) -> None:
    """The DPO's export is itself a processing of personal data: record it."""
    audit_record(
        actor=actor,
        category=AuditEvent.Category.PRIVACY,
        action="export",
        target=person,
        person=person,
        after={"format": fmt},
        reason=_("Access request (RODO art. 15)"),
        only_changes=False,
    )


def export_json(data: dict) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def export_html(data: dict, *, person: User) -> str:
    """The printable page the PDF is made of."""
    return render_to_string("portal/privacy/export_pdf.html", {"data": data, "person": person})


def export_pdf(data: dict, *, person: User, base_url: str) -> bytes:
    from portal.pdfs import html_to_pdf

    return html_to_pdf(export_html(data, person=person), base_url)
