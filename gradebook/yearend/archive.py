"""The signed year-end archive of the register (§ 22 of the regulation).

For every class of a school year the archive holds the register's XML (the
export of docs/register-xml.md, validated against its XSD) and the register as
PDF/A-3b with that XML embedded, PAdES-signed with the school's certificate;
`manifest.json` lists every file with its SHA-256 and size and the signer, and
`manifest.json.p7s` is its detached CMS signature. The files are kept in the
private storage (`ARCHIVE_ROOT/<school id>/<year>/<archive id>/`) for the
retention period (5 years from the end of the school year) and handed out as
one ZIP. `archive_verify_files` checks a stored, unpacked or zipped archive.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import logging
import tempfile
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import override

from portal.audit import audit_record
from portal.files import private_storage
from portal.models import AuditEvent, SchoolClass, SchoolYear, User
from portal.pdfs import PdfAttachment
from portal.services import PortalError

from .archive_signing import (
    SignatureCheck,
    certificate_serial,
    certificate_subject,
    check_detached_signature,
    check_pdf_signature,
    school_signer,
    sign_detached,
    sign_pdf,
)
from .models import YearArchive
from .permissions import can_run_year_end
from .statutory.register_pdf import class_register_pdf
from .xml_export import export_filename, register_export_write

logger = logging.getLogger(__name__)

ARCHIVE_ROOT = "yearend/archives"
MANIFEST = "manifest.json"
MANIFEST_SIGNATURE = "manifest.json.p7s"
MANIFEST_FORMAT = "portal-oswiatowy/year-archive/1.0"
RETENTION_YEARS = 5  # the class register (§ 22; docs/yearend.md)


def retention_date(school_year: SchoolYear) -> datetime.date:
    """The last day the archive must be kept: 5 years after the school year's end."""
    end = school_year.end
    try:
        return end.replace(year=end.year + RETENTION_YEARS)
    except ValueError:  # 29 February
        return end.replace(year=end.year + RETENTION_YEARS, day=28)


def _year_slug(school_year: SchoolYear) -> str:
    return slugify(school_year.name.replace("/", "-")) or str(school_year.pk)


def archive_folder(archive: YearArchive) -> str:
    return f"{ARCHIVE_ROOT}/{archive.school_id}/{_year_slug(archive.school_year)}/{archive.pk}/"


def archive_zip_name(archive: YearArchive) -> str:
    school = archive.school_year.school
    stamp = timezone.localtime(archive.created_at).strftime("%Y%m%d-%H%M")
    return f"archiwum-{school.slug}-{_year_slug(archive.school_year)}-{stamp}"


# --- the register PDF ----------------------------------------------------------------------


def archive_register_pdf(school_class: SchoolClass, xml_bytes: bytes) -> bytes:
    """The class's register (the whole year's dziennik lekcyjny) as PDF/A-3b with
    its XML embedded (an associated file, relationship "Source")."""
    school_year = school_class.school_year
    with override(settings.LANGUAGE_CODE):
        description = _("The register of class %(name)s, %(year)s (XML, register 1.0)") % {
            "name": school_class.name,
            "year": school_year.name,
        }
        attachment = PdfAttachment(
            name=export_filename(school_year=school_year, school_class=school_class, fmt="xml"),
            data=xml_bytes,
            description=description,
            relationship="Source",
        )
        return class_register_pdf(school_class, pdf_variant="pdf/a-3b", attachments=[attachment])


# --- making an archive ---------------------------------------------------------------------


def _check(user: User | None, school_year: SchoolYear) -> None:
    """Who may archive (None: the operator's command), a certificate, and classes."""
    if user is not None and not can_run_year_end(user, school_year.school_id):
        raise PortalError("not_allowed", _("You cannot archive this school's register."))
    school_signer(school_year.school)
    if not SchoolClass.objects.filter(school_year=school_year).exists():
        raise PortalError("no_classes", _("This school year has no classes to archive."))


def year_archive_request(*, user: User | None, school_year: SchoolYear, queue: bool = True):
    """Start archiving a school year: refused without the school's certificate.
    With `queue` the task worker makes it (an archive of the year already waiting
    is reused); without, the caller runs `year_archive_run` itself."""
    from .archive_tasks import run_year_archive

    _check(user, school_year)
    with transaction.atomic():
        waiting = YearArchive.objects.filter(
            school_year=school_year,
            status__in=[YearArchive.Status.QUEUED, YearArchive.Status.RUNNING],
        ).first()
        if waiting is not None and queue:
            return waiting
        archive = YearArchive.objects.create(
            school_id=school_year.school_id,
            school_year=school_year,
            requested_by=user,
            retention_until=retention_date(school_year),
        )
        _audit(archive, "request", user, {"school_year": school_year.pk})
        if queue:
            transaction.on_commit(lambda: run_year_archive.enqueue(archive.pk))
    return archive


def _audit(archive: YearArchive, action: str, user: User | None, after: dict) -> None:
    """One row of the audit trail about an archive (user None: the operator's command)."""
    audit_record(
        actor=user,
        category=AuditEvent.Category.YEAR_END,
        action=f"year_archive.{action}",
        school=archive.school_id,
        target=archive,
        after=after,
        only_changes=False,
    )


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _store(storage, folder: str, name: str, data: bytes) -> None:
    saved = storage.save(folder + name, ContentFile(data))
    if saved != folder + name:  # the folder is the archive's own: never renamed
        raise RuntimeError(f"{name} was stored as {saved}")


def _clear(storage, folder: str) -> None:
    """A retried run starts from an empty folder."""
    try:
        _dirs, names = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in names:
        storage.delete(folder + name)


def year_archive_run(*, archive_id: int) -> None:
    """Make the files of a queued archive; it ends succeeded or failed (with the
    reason). Safe to run twice: a finished archive is left as it is."""
    claimed = YearArchive.objects.filter(
        pk=archive_id, status__in=[YearArchive.Status.QUEUED, YearArchive.Status.RUNNING]
    ).update(status=YearArchive.Status.RUNNING, progress_done=0)
    if not claimed:
        return
    archive = YearArchive.objects.select_related("school_year__school").get(pk=archive_id)
    try:
        _make_files(archive)
    except Exception as exc:
        logger.exception("Year archive %s failed", archive_id)
        reason = exc.message if isinstance(exc, PortalError) else str(exc)[:1000]
        with override(settings.LANGUAGE_CODE):
            message = _("The archive stopped: %(reason)s") % {
                "reason": reason or exc.__class__.__name__
            }
        year_archive_fail(archive_id=archive_id, reason=message)
        raise
    _audit(
        archive,
        "create",
        archive.requested_by,
        {
            "school_year": archive.school_year_id,
            "files": len(archive.manifest["files"]),
            "signer": archive.signer_subject,
        },
    )


def _make_files(archive: YearArchive) -> None:
    school_year = archive.school_year
    school = school_year.school
    signer = school_signer(school)
    classes = list(SchoolClass.objects.filter(school_year=school_year).order_by("level", "name"))
    YearArchive.objects.filter(pk=archive.pk).update(progress_total=len(classes))
    storage = private_storage()
    folder = archive_folder(archive)
    _clear(storage, folder)
    with override(settings.LANGUAGE_CODE):
        reason = _("Year-end archive of the register, %(year)s") % {"year": school_year.name}
    files = []
    for school_class in classes:
        out = io.BytesIO()
        register_export_write(
            school_year=school_year, school_class=school_class, fmt="xml", out=out
        )
        xml = out.getvalue()
        pdf = sign_pdf(
            archive_register_pdf(school_class, xml), signer, reason=reason, location=school.city
        )
        stem = export_filename(school_year=school_year, school_class=school_class, fmt="xml")[:-4]
        for name, data, kind in (
            (f"{stem}.xml", xml, "register-xml"),
            (f"{stem}.pdf", pdf, "register-pdf"),
        ):
            _store(storage, folder, name, data)
            files.append(
                {
                    "name": name,
                    "kind": kind,
                    "class": school_class.name,
                    "sha256": _sha256(data),
                    "size": len(data),
                }
            )
        YearArchive.objects.filter(pk=archive.pk).update(progress_done=F("progress_done") + 1)
    cert = signer.signing_cert
    manifest = {
        "format": MANIFEST_FORMAT,
        "school": {
            "id": school.pk,
            "name": school.name,
            "rspo": school.rspo,
            "slug": school.slug,
        },
        "school_year": {
            "id": school_year.pk,
            "name": school_year.name,
            "start": school_year.start.isoformat(),
            "end": school_year.end.isoformat(),
        },
        "created_at": timezone.localtime().isoformat(timespec="seconds"),
        "retention_until": archive.retention_until.isoformat(),
        "signer": {
            "subject": certificate_subject(cert),
            "serial": certificate_serial(cert),
            "issuer": cert.issuer.human_friendly,
            "valid_until": cert.not_valid_after.isoformat(),
        },
        "files": files,
    }
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=2).encode() + b"\n"
    _store(storage, folder, MANIFEST, manifest_bytes)
    _store(storage, folder, MANIFEST_SIGNATURE, sign_detached(manifest_bytes, signer))
    archive.folder = folder
    archive.manifest = manifest
    archive.size = sum(f["size"] for f in files) + len(manifest_bytes)
    archive.signer_subject = manifest["signer"]["subject"][:500]
    archive.signer_serial = manifest["signer"]["serial"][:100]
    archive.status = YearArchive.Status.SUCCEEDED
    archive.finished_at = timezone.now()
    archive.message = ""
    archive.progress_done = archive.progress_total = len(classes)
    archive.save()


def year_archive_fail(*, archive_id: int, reason: str) -> None:
    """The archive ends failed (its task raised, or its worker died)."""
    YearArchive.objects.filter(pk=archive_id).exclude(status=YearArchive.Status.SUCCEEDED).update(
        status=YearArchive.Status.FAILED, finished_at=timezone.now(), message=reason
    )


def year_archive_requeue(*, archive_id: int) -> None:
    """Before an admin retries the failed task: the archive waits again."""
    YearArchive.objects.filter(pk=archive_id, status=YearArchive.Status.FAILED).update(
        status=YearArchive.Status.QUEUED, finished_at=None, message="", progress_done=0
    )


# --- checking an archive -------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One difference between an archive and its manifest or signatures."""

    code: str
    name: str
    detail: str = ""

    @property
    def message(self) -> str:
        messages = {
            "missing": _("%(name)s: the file is missing."),
            "extra": _("%(name)s: a file the manifest does not list."),
            "changed": _("%(name)s: the file has changed (its SHA-256 differs from the manifest)."),
            "unsigned": _("%(name)s: the PDF has no signature."),
            "broken_signature": _("%(name)s: the signature is broken (the signed bytes changed)."),
            "changed_after_signing": _("%(name)s: the PDF was changed after it was signed."),
            "unreadable": _("%(name)s: the file cannot be read."),
            "other_signer": _("%(name)s: signed with another certificate than the manifest names."),
            "no_manifest": _(
                "%(name)s: the manifest is missing or unreadable; nothing else was checked."
            ),
        }
        return messages.get(self.code, "%(name)s: %(code)s") % {
            "name": self.name,
            "code": self.code,
        }


@dataclass
class ArchiveReport:
    """What a check of an archive found: `problems` (each a Finding) and the
    signatures seen (file, signer, whether its certificate is trusted)."""

    problems: list[Finding] = field(default_factory=list)
    signatures: list[dict] = field(default_factory=list)
    files_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {
            "problems": [asdict(p) for p in self.problems],
            "signatures": self.signatures,
            "files_checked": self.files_checked,
        }

    @classmethod
    def from_dict(cls, data: dict) -> ArchiveReport:
        return cls(
            problems=[Finding(**p) for p in data.get("problems", [])],
            signatures=data.get("signatures", []),
            files_checked=data.get("files_checked", 0),
        )


class ArchiveFiles:
    """The files of an archive wherever they are: `names()` and `read(name)`."""

    def __init__(self, names, read):
        self._names, self._read = set(names), read

    def names(self) -> set[str]:
        return self._names

    def read(self, name: str) -> bytes:
        return self._read(name)

    @classmethod
    def in_storage(cls, folder: str) -> ArchiveFiles:
        storage = private_storage()
        try:
            _dirs, names = storage.listdir(folder)
        except FileNotFoundError:
            names = []

        def read(name):
            with storage.open(folder + name, "rb") as fh:
                return fh.read()

        return cls(names, read)

    @classmethod
    def at_path(cls, path: str | Path) -> ArchiveFiles:
        """An unpacked archive (a folder) or its ZIP; a ZIP's single top folder is skipped."""
        path = Path(path)
        if path.is_dir():
            return cls(
                (p.name for p in path.iterdir() if p.is_file()), lambda n: (path / n).read_bytes()
            )
        archive = zipfile.ZipFile(path)
        members = [m for m in archive.namelist() if not m.endswith("/")]
        tops = {m.split("/", 1)[0] for m in members if "/" in m}
        prefix = f"{tops.pop()}/" if len(tops) == 1 and all("/" in m for m in members) else ""
        return cls((m[len(prefix) :] for m in members), lambda n: archive.read(prefix + n))


def _signature_seen(name: str, check: SignatureCheck) -> dict:
    return {"name": name, "signer": check.signer, "serial": check.serial, "trusted": check.trusted}


def archive_verify_files(files: ArchiveFiles) -> ArchiveReport:
    """Check an archive against its manifest: every listed file present with its
    SHA-256 and size, no file beside them, the manifest's detached signature and
    each PDF's PAdES signature intact and made with the manifest's certificate.
    An untrusted certificate (self-signed) is reported, not counted a problem."""
    report = ArchiveReport()
    names = files.names()
    try:
        manifest_bytes = files.read(MANIFEST)
        manifest = json.loads(manifest_bytes)
        listed = {f["name"]: f for f in manifest["files"]}
        serial = manifest["signer"]["serial"]
    except (OSError, KeyError, TypeError, ValueError):
        report.problems.append(Finding("no_manifest", MANIFEST))
        return report
    if MANIFEST_SIGNATURE not in names:
        report.problems.append(Finding("missing", MANIFEST_SIGNATURE))
    else:
        check = check_detached_signature(manifest_bytes, files.read(MANIFEST_SIGNATURE))
        _note_signature(report, MANIFEST, check, serial)
    for name in sorted(names - set(listed) - {MANIFEST, MANIFEST_SIGNATURE}):
        report.problems.append(Finding("extra", name))
    for name, entry in listed.items():
        if name not in names:
            report.problems.append(Finding("missing", name))
            continue
        try:
            data = files.read(name)
        except OSError:
            report.problems.append(Finding("unreadable", name))
            continue
        report.files_checked += 1
        if len(data) != entry.get("size") or _sha256(data) != entry.get("sha256"):
            report.problems.append(Finding("changed", name, detail=_sha256(data)))
        if name.endswith(".pdf"):
            _note_signature(report, name, check_pdf_signature(data), serial)
    return report


def _note_signature(report: ArchiveReport, name: str, check: SignatureCheck, serial: str) -> None:
    if check.problem:
        report.problems.append(Finding(check.problem, name))
    elif check.serial != serial:
        report.problems.append(Finding("other_signer", name, detail=check.signer))
    if check.signer:
        report.signatures.append(_signature_seen(name, check))


def year_archive_verify(*, archive: YearArchive, user: User | None) -> ArchiveReport:
    """Check a stored archive and keep the result on it (shown on the archive page);
    recorded in the audit trail (user None: the operator's command)."""
    if user is not None and not can_run_year_end(user, archive.school_id):
        raise PortalError("not_allowed", _("You cannot verify this school's archives."))
    if archive.status != YearArchive.Status.SUCCEEDED:
        raise PortalError("not_ready", _("Only a finished archive can be verified."))
    report = archive_verify_files(ArchiveFiles.in_storage(archive.folder))
    archive.verified_at = timezone.now()
    archive.verified_by = user
    archive.verification_ok = report.ok
    archive.verification = report.as_dict()
    archive.save(update_fields=["verified_at", "verified_by", "verification_ok", "verification"])
    _audit(
        archive, "verify", user, {"ok": report.ok, "problems": [p.name for p in report.problems]}
    )
    return report


# --- the download --------------------------------------------------------------------------


def year_archive_zip(*, archive: YearArchive, user: User) -> tuple[IO[bytes], str]:
    """The archive's files as one ZIP (in a folder of the archive's name), open at
    its start, and its file name; recorded in the audit trail. The files are
    stored, not compressed: PDFs are compressed already."""
    if not can_run_year_end(user, archive.school_id):
        raise PortalError("not_allowed", _("You cannot download this school's archives."))
    if archive.status != YearArchive.Status.SUCCEEDED:
        raise PortalError("not_ready", _("The archive is not ready."))
    files = ArchiveFiles.in_storage(archive.folder)
    top = archive_zip_name(archive)
    out = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as zf:
        for name in sorted(files.names()):
            zf.writestr(f"{top}/{name}", files.read(name))
    out.seek(0)
    _audit(archive, "download", user, {"school_year": archive.school_year_id})
    return out, f"{top}.zip"
