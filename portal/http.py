"""Small HTTP helpers shared by every app's views."""

from __future__ import annotations

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request, fallback: str, *, field: str = "next") -> str:
    """The `next` address a form or link asked to return to, when it stays on this
    site; otherwise `fallback`. Read from POST, then from the query string.

    Django's `url_has_allowed_host_and_scheme` refuses other hosts (`https://evil/`,
    `//evil`, `/\\evil`, which browsers read as `//evil`), other schemes
    (`javascript:`), control characters and, on an HTTPS request, a plain-HTTP address.
    """
    url = request.POST.get(field) or request.GET.get(field)
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return fallback
