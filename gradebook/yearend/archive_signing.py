"""The school's certificate and the signatures of the year-end archive (pyHanko).

A school's certificate is a PKCS#12 file the operator configures on the server
(`settings.YEAR_END_SIGNING`, from the environment; docs/operations.md), never an
upload: a key that signs registers for five years stays off the web. Each PDF gets
an invisible PAdES signature (an incremental update, so PDF/A stays PDF/A); the
manifest gets a detached CMS signature. Checking a signature never raises on an
unknown or self-signed certificate: it reports the signer, whether the bytes are
intact and whether the certificate leads to a trusted root.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import cms
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import load_certs_from_pemder
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from django.conf import settings
from django.utils.translation import gettext as _

from portal.models import School
from portal.services import PortalError

logger = logging.getLogger(__name__)

SIGNATURE_FIELD = "ArchiwumDziennika"
DIGEST = "sha256"


def _school_config(school: School) -> dict | None:
    """The school's entry of YEAR_END_SIGNING, keyed by its id, slug or RSPO number."""
    config = getattr(settings, "YEAR_END_SIGNING", None) or {}
    for key in (str(school.pk), school.slug, school.rspo):
        if key and key in config:
            return config[key]
    return None


def signing_configured(school: School) -> bool:
    """Whether the operator configured a certificate for the school (not whether it opens)."""
    entry = _school_config(school)
    return bool(entry and entry.get("pkcs12"))


def school_signer(school: School) -> signers.SimpleSigner:
    """The school's signer from its PKCS#12 file; refused with a message saying
    what to fix when none is configured or the file does not open. An archive is
    never made unsigned."""
    entry = _school_config(school)
    if not entry or not entry.get("pkcs12"):
        raise PortalError(
            "no_certificate",
            _(
                "No signing certificate is configured for this school, so its year "
                "cannot be archived. Ask the portal's operator to configure the "
                "school's certificate (YEAR_END_SIGNING)."
            ),
        )
    passphrase_env = entry.get("passphrase_env") or ""
    passphrase = os.environ.get(passphrase_env) if passphrase_env else None
    try:
        data = Path(entry["pkcs12"]).read_bytes()
    except OSError as exc:
        raise PortalError(
            "bad_certificate",
            _("The school's signing certificate file cannot be read: %(reason)s")
            % {"reason": exc.strerror or exc.__class__.__name__},
        ) from exc
    try:
        return signers.SimpleSigner.load_pkcs12_data(
            data, other_certs=(), passphrase=passphrase.encode() if passphrase else None
        )
    except ValueError as exc:
        raise PortalError(
            "bad_certificate",
            _(
                "The school's signing certificate cannot be opened: the file is not "
                "PKCS#12 or its passphrase (%(env)s) is wrong."
            )
            % {"env": passphrase_env or "—"},
        ) from exc


def certificate_subject(cert) -> str:
    return cert.subject.human_friendly


def certificate_serial(cert) -> str:
    return format(cert.serial_number, "X")


def sign_pdf(data: bytes, signer: signers.SimpleSigner, *, reason: str, location: str) -> bytes:
    """The PDF with an invisible PAdES baseline signature over the whole file."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm=DIGEST,
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    return signers.sign_pdf(writer, meta, signer=signer).getvalue()


def sign_detached(data: bytes, signer: signers.SimpleSigner) -> bytes:
    """A detached CMS (PKCS#7) signature of `data`, DER-encoded (a `.p7s` file)."""
    content_info = asyncio.run(signer.async_sign_general_data(data, DIGEST, detached=True))
    return content_info.dump()


# --- checking ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureCheck:
    """One signature checked: `intact` (the signed bytes are unchanged and the
    signature matches the certificate's key), `trusted` (the certificate leads
    to a trusted root), `signer` (the certificate's subject), `problem` (a code
    when the signature is missing, broken or does not cover the whole file)."""

    intact: bool
    trusted: bool = False
    signer: str = ""
    serial: str = ""
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.intact and not self.problem


def _validation_context() -> ValidationContext:
    """Trust only the roots of YEAR_END_TRUST_ROOTS (PEM or DER files, e.g. the
    qualified trust service's root): a web-server CA list says nothing about a
    qualified signature, and pyhanko-certvalidator no longer falls back to it.
    Nothing is fetched from the network."""
    roots = []
    for path in getattr(settings, "YEAR_END_TRUST_ROOTS", None) or ():
        roots.extend(load_certs_from_pemder([path]))
    return ValidationContext(trust_roots=roots, allow_fetching=False)


def check_pdf_signature(data: bytes) -> SignatureCheck:
    """The archive's signature of one PDF: present, intact, covering the whole file."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # noqa: BLE001 (a damaged file is a finding, not a crash)
        return SignatureCheck(intact=False, problem="unreadable")
    if not signatures:
        return SignatureCheck(intact=False, problem="unsigned")
    embedded = signatures[-1]
    try:
        status = asyncio.run(
            async_validate_pdf_signature(embedded, signer_validation_context=_validation_context())
        )
    except Exception:  # noqa: BLE001
        logger.warning("The PDF signature could not be checked", exc_info=True)
        return SignatureCheck(intact=False, problem="broken_signature")
    cert = status.signing_cert
    problem = ""
    if not (status.intact and status.valid):
        problem = "broken_signature"
    elif status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        problem = "changed_after_signing"
    return SignatureCheck(
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
        signer=certificate_subject(cert) if cert else "",
        serial=certificate_serial(cert) if cert else "",
        problem=problem,
    )


def check_detached_signature(data: bytes, signature: bytes) -> SignatureCheck:
    """A detached CMS signature (`.p7s`) of `data`."""
    try:
        signed_data = cms.ContentInfo.load(signature)["content"]
        status = asyncio.run(
            async_validate_detached_cms(
                data, signed_data, signer_validation_context=_validation_context()
            )
        )
    except Exception:  # noqa: BLE001
        logger.warning("The detached signature could not be checked", exc_info=True)
        return SignatureCheck(intact=False, problem="broken_signature")
    cert = status.signing_cert
    ok = bool(status.intact and status.valid)
    return SignatureCheck(
        intact=ok,
        trusted=bool(status.trusted),
        signer=certificate_subject(cert) if cert else "",
        serial=certificate_serial(cert) if cert else "",
        problem="" if ok else "broken_signature",
    )
