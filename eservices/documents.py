"""Documents the portal issues: the certificate of attendance as a PDF with its
verification code and a QR code of the public verification page (`portal.qr`, segno)."""

from __future__ import annotations

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.pdfs import render_pdf
from portal.qr import qr_svg

from .models import CaseEvent, IssuedDocument, Status


def initials(user) -> str:
    if user is None:
        return ""
    parts = [user.first_name, user.last_name]
    return "".join(f"{p.strip()[0].upper()}." for p in parts if p and p.strip())


def verification_url(code: str) -> str:
    """The absolute address printed in the QR code."""
    base = settings.WAGTAILADMIN_BASE_URL
    return base.rstrip("/") + reverse("eservices:verify", args=[code])


def certificate_context(case, document) -> dict:
    school_class = case.pupil_class
    year = school_class.school_year if school_class else None
    return {
        "case": case,
        "document": document,
        "school": case.school,
        "pupil": case.pupil,
        "school_class": school_class,
        "school_year": year,
        "purpose": next((a["value"] for a in case.answers if a.get("key") == "purpose"), ""),
        "url": verification_url(document.code),
        "qr": qr_svg(
            verification_url(document.code), label=_("QR code of the verification page"), scale=4
        ),
        "today": timezone.localdate(),
    }


@transaction.atomic
def certificate_issue(*, case, user) -> IssuedDocument:
    """The certificate of attendance of a granted case, from the register's data
    (the pupil's name, date of birth, class, school year and school); the case
    becomes "document issued"."""
    from .services import _audit, _event, _tell_family

    document = IssuedDocument(
        case=case,
        school=case.school,
        title=_("Certificate of school attendance"),
        issued_by=user,
        issuer_name=case.school.name,
        initials=initials(case.pupil),
    )
    data = render_pdf(
        "eservices/certificate_pdf.html",
        certificate_context(case, document),
        base_url=str(settings.BASE_DIR),
    )
    document.pdf.save(f"{document.code}.pdf", ContentFile(data), save=False)
    document.save()
    previous = case.status
    case.status = Status.ISSUED
    case.closed_at = timezone.now()
    case.save(update_fields=["status", "closed_at", "updated_at"])
    event = _event(
        case,
        CaseEvent.Kind.DOCUMENT,
        user,
        text=document.title,
        status_from=previous,
        status_to=Status.ISSUED,
    )
    _audit(case, user, "document_issue", after={"document": document.code, "status": case.status})
    _tell_family(
        case,
        event,
        _("Case %(number)s: %(status)s")
        % {"number": case.number, "status": case.get_status_display()},
    )
    return document


def verification_of(code: str) -> IssuedDocument | None:
    code = (code or "").strip().upper()[:20]
    return IssuedDocument.objects.select_related("case__service").filter(code=code).first()
