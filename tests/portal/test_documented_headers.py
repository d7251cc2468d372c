"""docs/security.md lists the headers of a public page, a private page and a file
download as the production settings send them; this test sends the three requests
and compares, so the list cannot drift from what the portal does.

In the document each list is a fenced block after a marker line
`<!-- headers: public|private|download -->`; `…` stands for a part that changes
per request (the CSP nonce, dates, lengths)."""

import re
from pathlib import Path

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gradebook.register import services
from tests.factories.cms import build_site

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"
# Headers that say nothing about security and vary with the content.
IGNORED = {"content-length", "date", "server", "last-modified", "etag", "expires"}


def documented(kind: str) -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    match = re.search(rf"<!-- headers: {kind} -->\s*```[a-z]*\n(.*?)```", text, re.S)
    assert match, f"docs/security.md has no header list for {kind!r}"
    headers = {}
    for line in match.group(1).strip().splitlines():
        name, _, value = line.partition(": ")
        headers[name.lower()] = value
    return headers


def sent(response) -> dict[str, str]:
    headers = {
        name.lower(): value
        for name, value in response.headers.items()
        if name.lower() not in IGNORED
    }
    if "content-security-policy" in headers:
        # django-csp does not keep the order of directives: documented sorted.
        directives = (part.strip() for part in headers["content-security-policy"].split(";"))
        headers["content-security-policy"] = "; ".join(sorted(directives))
    return headers


def matches(pattern: str, value: str) -> bool:
    regex = ".*".join(re.escape(part) for part in pattern.split("…"))
    return re.fullmatch(regex, value) is not None


@pytest.fixture
def production_like(settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True


def compare(kind, response):
    expected, actual = documented(kind), sent(response)
    problems = [f"{name}: documented, not sent" for name in expected if name not in actual]
    problems += [
        f"{name}: sent ({actual[name]!r}), not documented"
        for name in actual
        if name not in expected
    ]
    problems += [
        f"{name}: documented {expected[name]!r}, sent {actual[name]!r}"
        for name in expected
        if name in actual and not matches(expected[name], actual[name])
    ]
    assert problems == [], f"{kind}:\n" + "\n".join(problems)


def test_public_page_headers_are_as_documented(client, world, production_like):
    site = build_site(world)
    response = client.get(site["home"].url, secure=True)
    assert response.status_code == 200
    compare("public", response)


def test_private_page_headers_are_as_documented(client, world, production_like):
    client.force_login(world.a.guardian)
    response = client.get(reverse("gradebook:pupil", args=[world.a.pupil.pk]), secure=True)
    assert response.status_code == 200
    compare("private", response)


def test_file_download_headers_are_as_documented(client, world, production_like):
    homework = services.homework_create(
        assignment=world.a.assignment,
        due_date=timezone.localdate() + timezone.timedelta(days=3),
        description="Zadania 1–5",
        user=world.a.teacher,
        attachment=SimpleUploadedFile("Zadanie 1.pdf", b"%PDF-1.4", "application/pdf"),
    )
    client.force_login(world.a.guardian)
    response = client.get(reverse("register:homework_file", args=[homework.pk]), secure=True)
    assert response.status_code == 200
    compare("download", response)
