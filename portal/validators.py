"""Validators shared by the apps' models and forms."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext_lazy as _

LINK_SCHEMES = ("http", "https", "mailto", "tel")


def validate_link(value: str) -> None:
    """A link an editor may put on a page: http(s), mailto:, tel: or an address
    on this site (`/biblioteka/`, `#kontakt`). Never `javascript:`, `data:` or
    anything a browser would run, however it is spelled."""
    text = (value or "").strip()
    invalid = ValidationError(
        _(
            "Enter an address starting with https://, http://, mailto: or tel:, "
            "or an address on this site starting with /."
        ),
        code="invalid_link",
    )
    if not text or any(ord(char) < 32 or ord(char) == 127 for char in text):
        raise invalid
    if text.startswith("#"):
        return
    if text.startswith("/"):
        # `//host` and `/\\host` leave the site.
        if text.startswith(("//", "/\\")):
            raise invalid
        return
    scheme = urlsplit(text).scheme.lower()
    if scheme not in LINK_SCHEMES:
        raise invalid
    if scheme in ("http", "https"):
        try:
            URLValidator(schemes=["http", "https"])(text)
        except ValidationError:
            raise invalid from None
    elif scheme == "mailto":
        address = text[len("mailto:") :].split("?", 1)[0]
        try:
            EmailValidator()(address)
        except ValidationError:
            raise invalid from None
    elif scheme == "tel" and not all(char in "+0123456789 -()" for char in text[4:]):
        raise invalid
