"""The signed year-end archive (§ 22): every class's XML and PDF/A-3b with the XML
embedded, PAdES-signed with the school's certificate, a signed manifest of
SHA-256 sums; `verify_archive` finds a changed, added or missing file and a
broken signature; no certificate, no archive; who may see, make, verify and
download archives."""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
import time_machine
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from lxml import etree
from pypdf import PdfReader

from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gradebook.yearend import archive as archive_module
from gradebook.yearend.archive import MANIFEST, MANIFEST_SIGNATURE
from gradebook.yearend.models import YearArchive
from gradebook.yearend.xml_export import register_schema
from portal.models import AuditEvent, Role
from tests.factories import RoleFactory

ARCHIVE_DAY = "2027-07-02 10:00:00+02:00"  # after the school year 2026/2027 ended
PASSPHRASE_ENV = "TEST_YEAR_END_P12_PASSPHRASE"
SIGNER = "Szkoła Podstawowa Testowa"


@pytest.fixture(scope="session")
def certificate(tmp_path_factory):
    """A self-signed certificate and its key in a PKCS#12 file, as a school's
    qualified certificate would be (valid long before and after the test dates)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, SIGNER),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "PL"),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(0x5C4001)
        .not_valid_before(datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
        .not_valid_after(datetime.datetime(2045, 1, 1, tzinfo=datetime.UTC))
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    path = tmp_path_factory.mktemp("cert") / "school.p12"
    path.with_suffix(".pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"school", key, cert, None, serialization.BestAvailableEncryption(b"tajne-haslo")
        )
    )
    return path


@pytest.fixture
def signing(ye, settings, monkeypatch, certificate, disk):
    """School A's certificate configured (by its slug); school B has none."""
    settings.YEAR_END_SIGNING = {
        ye.a.school.slug: {"pkcs12": str(certificate), "passphrase_env": PASSPHRASE_ENV}
    }
    monkeypatch.setenv(PASSPHRASE_ENV, "tajne-haslo")
    return ye


def archive_year(side) -> YearArchive:
    with time_machine.travel(ARCHIVE_DAY, tick=False):
        call_command("archive_year", side.school.slug, side.year.name, stdout=io.StringIO())
    return YearArchive.objects.get(school=side.school)


def verify(*args) -> tuple[bool, str]:
    """verify_archive's outcome (True: no difference) and everything it printed."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_archive", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return False, out.getvalue() + err.getvalue() + str(exc)
    return True, out.getvalue() + err.getvalue()


def stored(archive, name) -> Path:
    return Path(storages["private"].path(archive.folder + name))


# --- the archive ---------------------------------------------------------------------------


def test_archive_of_a_year_holds_every_class_signed(signing, settings, certificate):
    a = signing.a
    archive = archive_year(a)
    assert archive.status == YearArchive.Status.SUCCEEDED and archive.requested_by is None
    assert archive.retention_until == datetime.date(2032, a.year.end.month, a.year.end.day)
    assert archive.folder.startswith(f"yearend/archives/{a.school.pk}/")
    assert SIGNER in archive.signer_subject and archive.signer_serial == "5C4001"

    manifest_bytes = stored(archive, MANIFEST).read_bytes()
    manifest = json.loads(manifest_bytes)
    assert manifest["school"]["rspo"] == a.school.rspo
    assert manifest["school_year"]["name"] == a.year.name
    assert manifest["signer"]["serial"] == "5C4001"
    assert manifest["retention_until"] == archive.retention_until.isoformat()
    classes = sorted({f["class"] for f in manifest["files"]})
    assert classes == ["2a", "4a", "5a"]  # every class of the year, not of school B
    names = {p.name for p in stored(archive, "").iterdir()}
    assert names == {f["name"] for f in manifest["files"]} | {MANIFEST, MANIFEST_SIGNATURE}
    for entry in manifest["files"]:
        data = stored(archive, entry["name"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["size"] == len(data)

    pdf_4a = next(
        f for f in manifest["files"] if f["class"] == "4a" and f["kind"] == "register-pdf"
    )
    xml_4a = next(
        f for f in manifest["files"] if f["class"] == "4a" and f["kind"] == "register-xml"
    )
    xml = stored(archive, xml_4a["name"]).read_bytes()
    register_schema().assertValid(etree.fromstring(xml))
    reader = PdfReader(stored(archive, pdf_4a["name"]))
    # PDF/A-3b with the class's XML embedded as an associated file
    assert reader.attachments[xml_4a["name"]] == [xml]
    assert "/AF" in reader.trailer["/Root"]
    metadata = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    # the PDF/A identification survives the signature's incremental update
    assert re.search(rb'pdfaid:part(="|>)3', metadata), metadata
    assert re.search(rb'pdfaid:conformance(="|>)B', metadata), metadata
    assert "Adamska Anna" in reader.pages[0].extract_text()
    # the PAdES signature
    sig_field = reader.trailer["/Root"]["/AcroForm"]["/Fields"][0].get_object()
    assert sig_field["/V"]["/SubFilter"] == "/ETSI.CAdES.detached"

    ok, output = verify(str(archive.pk))
    assert ok, output
    assert "NOT trusted" in output and SIGNER in output  # self-signed: intact, untrusted
    archive.refresh_from_db()
    assert archive.verification_ok is True and archive.verified_by is None
    # with the school's root among the trusted ones, the same signatures are trusted
    settings.YEAR_END_TRUST_ROOTS = [str(certificate.with_suffix(".pem"))]
    ok, output = verify(str(archive.pk))
    assert ok and "NOT trusted" not in output and "certificate trusted" in output
    actions = list(
        AuditEvent.objects.filter(category="yearend")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["year_archive.request", "year_archive.create"] + ["year_archive.verify"] * 2


def test_tampering_is_detected_and_named(signing, login, tmp_path):
    a = signing.a
    archive = archive_year(a)
    response = login(a.admin).get(reverse("yearend_archive:zip", args=[a.school.pk, archive.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    zipped = tmp_path / "archive.zip"
    zipped.write_bytes(b"".join(response.streaming_content))
    assert verify("--path", str(zipped))[0]
    clean = tmp_path / "clean"
    with zipfile.ZipFile(zipped) as zf:
        zf.extractall(clean)
    (top,) = clean.iterdir()
    assert verify("--path", str(top))[0]
    manifest = json.loads((top / MANIFEST).read_text())
    pdf = next(f["name"] for f in manifest["files"] if f["name"].endswith(".pdf"))
    xml = next(f["name"] for f in manifest["files"] if f["name"].endswith(".xml"))

    def copy(label):
        target = tmp_path / label
        shutil.copytree(top, target)
        return target

    # one byte of a PDF changed
    changed = copy("pdf-byte")
    data = bytearray((changed / pdf).read_bytes())
    at = data.index(b"/Type /Catalog") if b"/Type /Catalog" in data else len(data) // 3
    data[at + 1] ^= 0x01
    (changed / pdf).write_bytes(bytes(data))
    ok, output = verify("--path", str(changed))
    assert not ok and f"{pdf}: " in output and "SHA-256" in output
    assert "podpis" in output or "signature" in output  # the PAdES signature is broken too

    # the manifest edited (a hash made to match a swapped file)
    edited = copy("manifest")
    text = (edited / MANIFEST).read_text().replace(a.school.name, a.school.name + " ")
    (edited / MANIFEST).write_text(text)
    ok, output = verify("--path", str(edited))
    assert not ok and f"{MANIFEST}: " in output

    # a file deleted, a file added
    deleted = copy("deleted")
    (deleted / xml).unlink()
    (deleted / "notatka.txt").write_text("dopisane")
    ok, output = verify("--path", str(deleted))
    assert not ok and f"{xml}: " in output and "notatka.txt: " in output

    # the signature removed
    unsigned = copy("unsigned")
    (unsigned / MANIFEST_SIGNATURE).unlink()
    ok, output = verify("--path", str(unsigned))
    assert not ok and f"{MANIFEST_SIGNATURE}: " in output

    # the stored archive itself: the check by id is kept and shown on its page
    path = stored(archive, pdf)
    path.write_bytes(path.read_bytes() + b"\n%% appended\n")
    ok, output = verify("--school", a.school.slug, "--year", a.year.name)
    assert not ok and pdf in output
    archive.refresh_from_db()
    assert archive.verification_ok is False
    assert [p["name"] for p in archive.verification["problems"]] == [pdf, pdf]
    page = login(a.admin).get(reverse("yearend_archive:detail", args=[a.school.pk, archive.pk]))
    html = page.content.decode()
    assert "znaleziono różnice" in html and pdf in html


def test_the_admin_archives_verifies_and_downloads_in_the_background(
    signing, login, django_capture_on_commit_callbacks
):
    a = signing.a
    client = login(a.admin)
    start = reverse("yearend_archive:start", args=[a.school.pk, a.year.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(start, follow=True)
    assert response.status_code == 200
    archive = YearArchive.objects.get()
    assert archive.status == YearArchive.Status.SUCCEEDED
    assert (archive.requested_by, archive.progress_done, archive.progress_total) == (a.admin, 3, 3)
    page = client.get(reverse("yearend_archive:school", args=[a.school.pk])).content.decode()
    assert reverse("yearend_archive:zip", args=[a.school.pk, archive.pk]) in page
    assert "nie sprawdzono jeszcze" in page and "2032" in page
    verify_url = reverse("yearend_archive:verify", args=[a.school.pk, archive.pk])
    response = client.post(verify_url, follow=True)
    html = response.content.decode()
    assert "Archiwum jest nienaruszone" in html and "niezaufany" in html
    archive.refresh_from_db()
    assert archive.verification_ok is True and archive.verified_by == a.admin
    response = client.get(reverse("yearend_archive:zip", args=[a.school.pk, archive.pk]))
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as zf:
        assert len(zf.namelist()) == archive.file_count == 8
    event = AuditEvent.objects.get(action="year_archive.download")
    assert (event.actor, event.school, event.target_id) == (a.admin, a.school, archive.pk)
    trail = client.get(reverse("portal:privacy_audit")).content.decode()
    assert "archiwum" in trail.lower()


# --- refusals and failures -----------------------------------------------------------------


def test_without_a_certificate_archiving_is_refused(signing, login):
    b = signing.b
    client = login(b.admin)
    page = client.get(reverse("yearend_archive:school", args=[b.school.pk])).content.decode()
    assert "nie skonfigurowano certyfikatu" in page.lower()
    start = reverse("yearend_archive:start", args=[b.school.pk, b.year.pk])
    html = client.post(start, follow=True).content.decode()
    assert "certyfikatu" in html
    with pytest.raises(CommandError, match="certyfikatu|certificate"):
        call_command("archive_year", str(b.school.pk), b.year.name)
    assert not YearArchive.objects.exists()


def test_a_wrong_passphrase_is_refused_with_a_message(signing, monkeypatch):
    monkeypatch.setenv(PASSPHRASE_ENV, "zle-haslo")
    with pytest.raises(CommandError, match=PASSPHRASE_ENV):
        call_command("archive_year", str(signing.a.school.pk), signing.a.year.name)
    assert not YearArchive.objects.exists()


def test_a_failed_archive_ends_failed(
    signing, login, monkeypatch, django_capture_on_commit_callbacks
):
    a = signing.a

    def broken(school_class, xml_bytes):
        raise RuntimeError("brak miejsca na dysku")

    monkeypatch.setattr(archive_module, "archive_register_pdf", broken)
    client = login(a.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("yearend_archive:start", args=[a.school.pk, a.year.pk]))
    archive = YearArchive.objects.get()
    assert archive.status == YearArchive.Status.FAILED and archive.finished_at
    assert "brak miejsca na dysku" in archive.message
    page = client.get(reverse("yearend_archive:school", args=[a.school.pk])).content.decode()
    assert "brak miejsca na dysku" in page
    assert reverse("yearend_archive:zip", args=[a.school.pk, archive.pk]) not in page
    assert (
        client.get(reverse("yearend_archive:zip", args=[a.school.pk, archive.pk])).status_code
        == 404
    )
    with pytest.raises(CommandError, match="brak miejsca"):
        call_command("archive_year", a.school.slug, a.year.name)


def test_verify_archive_arguments_are_checked(signing):
    with pytest.raises(CommandError, match="archive id"):
        call_command("verify_archive")
    with pytest.raises(CommandError, match="No finished archive"):
        call_command("verify_archive", "999")
    with pytest.raises(CommandError, match="no school year"):
        call_command("archive_year", signing.a.school.slug, "1999/2000")


# --- who may ---------------------------------------------------------------------------------


def _archive_row(side, **fields) -> YearArchive:
    return YearArchive.objects.create(
        school=side.school,
        school_year=side.year,
        status=YearArchive.Status.SUCCEEDED,
        folder=f"yearend/archives/{side.school.pk}/x/",
        manifest={"files": [{"name": "a.pdf", "sha256": "0", "size": 1}]},
        size=1,
        retention_until=datetime.date(2032, 6, 30),
        **fields,
    )


@pytest.mark.parametrize("who", ["admin", "headteacher", "municipal"])
def test_school_admins_headteachers_and_the_municipality_see_the_archives(ye, login, who):
    a = ye.a
    user = (
        RoleFactory(school=None, role=Role.MUNICIPAL_ADMIN).user
        if who == "municipal"
        else getattr(a, who)
    )
    archive = _archive_row(a)
    client = login(user)
    for name in ("school", "detail"):
        args = [a.school.pk] + ([archive.pk] if name == "detail" else [])
        assert client.get(reverse(f"yearend_archive:{name}", args=args)).status_code == 200


@pytest.mark.parametrize("who", ["teacher", "homeroom", "pupil", "guardian", "librarian", "other"])
def test_others_get_404(ye, login, who):
    a = ye.a
    archive = _archive_row(a)
    client = login(ye.b.admin if who == "other" else getattr(a, who))
    gets = [
        reverse("yearend_archive:school", args=[a.school.pk]),
        reverse("yearend_archive:detail", args=[a.school.pk, archive.pk]),
        reverse("yearend_archive:zip", args=[a.school.pk, archive.pk]),
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    posts = [
        reverse("yearend_archive:start", args=[a.school.pk, a.year.pk]),
        reverse("yearend_archive:verify", args=[a.school.pk, archive.pk]),
    ]
    for url in posts:
        assert client.post(url).status_code == 404, url
    if who == "other":  # another school's archive under one's own school
        url = reverse("yearend_archive:detail", args=[ye.b.school.pk, archive.pk])
        assert client.get(url).status_code == 404
    else:
        assert client.get(reverse("yearend_archive:index")).status_code == 404
    assert YearArchive.objects.count() == 1 and archive.verified_at is None
    assert not AuditEvent.objects.filter(action__startswith="year_archive").exists()


def test_the_page_is_polish_and_its_queries_do_not_grow(ye, login):
    a = ye.a
    client = login(a.admin)
    url = reverse("yearend_archive:school", args=[a.school.pk])
    checked = {
        "verified_by": a.admin,
        "verified_at": datetime.datetime(2027, 7, 1, tzinfo=datetime.UTC),
    }
    _archive_row(a, requested_by=a.admin, verification_ok=True, **checked)
    client.get(url)  # warm the caches
    with CaptureQueriesContext(connection) as one:
        html = client.get(url).content.decode()
    for _ in range(4):
        _archive_row(a, requested_by=a.headteacher, verification_ok=False, **checked)
    with CaptureQueriesContext(connection) as five:
        client.get(url)
    assert len(one) == len(five)
    assert '<html lang="pl"' in html
    for polish in ("Archiwum", "Zarchiwizuj rok szkolny", "Przechowywać do", "nienaruszone"):
        assert polish in html, polish
    assert 'scope="col"' in html and "<caption>" in html
    index = client.get(reverse("yearend_archive:index"))
    assert index.status_code == 302 and index["Location"] == url
