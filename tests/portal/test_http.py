"""`safe_next_url`: a `next` address is followed only while it stays on the portal."""

import pytest

from django.test import RequestFactory

from portal.http import safe_next_url

FALLBACK = "/dziennik/uwagi/"

OFF_SITE = [
    "https://evil.example/",
    "http://evil.example/dziennik/",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "https://testserver@evil.example/",
    "/\t/evil.example",
    "/\r\n/evil.example",
    "http:///evil.example",
]


@pytest.mark.parametrize("url", OFF_SITE)
def test_an_address_off_the_site_gives_the_fallback(url):
    request = RequestFactory().post("/", {"next": url})
    assert safe_next_url(request, FALLBACK) == FALLBACK


@pytest.mark.parametrize("url", ["/dziennik/tydzien/?pupil=3&week=2025-01-06", "/"])
def test_a_local_path_is_kept(url):
    assert safe_next_url(RequestFactory().post("/", {"next": url}), FALLBACK) == url
    assert safe_next_url(RequestFactory().get("/", {"next": url}), FALLBACK) == url


def test_the_own_host_is_kept_but_not_over_plain_http_from_https():
    assert safe_next_url(
        RequestFactory().post("/", {"next": "http://testserver/x/"}), FALLBACK
    ) == ("http://testserver/x/")
    secure = RequestFactory().post("/", {"next": "http://testserver/x/"}, secure=True)
    assert safe_next_url(secure, FALLBACK) == FALLBACK


@pytest.mark.parametrize("data", [{}, {"next": ""}])
def test_no_address_gives_the_fallback(data):
    assert safe_next_url(RequestFactory().post("/", data), FALLBACK) == FALLBACK
