"""Ids and words taken from requests: no value a browser can send is a server error
(docs/security.md, "Input from requests").

A query string or a form holds text, and any text may arrive: `abc`, `-1`, `²`
(a digit to `str.isdigit`, not to `int`), a number beyond a 64-bit column (an
`OverflowError` on SQLite, which Django turns into an empty result for `pk=` but
not for `pk__in=` or a foreign key), a NUL byte (which PostgreSQL cannot hold in
text). Views read ids with `id_param`/`id_list_param` (a crafted request: 400),
forms with `IdField`/`IdMultipleChoiceField` (a form error), and then fetch the
object through the user's scoped queryset (404 when it is not theirs).
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

# The largest value of a 64-bit (bigint) column, the widest id of both databases.
MAX_ID = 2**63 - 1
# ASCII digits only (`re.ASCII`): `\d` and `str.isdigit` also take `²` or `٣`.
_ID = re.compile(r"0*([1-9][0-9]{0,18})", re.ASCII)
# A word of a search box: a run of letters and digits (of any script).
_WORD = re.compile(r"[^\W_]+")


def parse_id(value) -> int | None:
    """The id that `value` spells (a positive whole number that fits a 64-bit
    column, in ASCII digits), or None when it spells none."""
    match = _ID.fullmatch(str(value))
    if match is None:
        return None
    number = int(match.group(1))
    return number if number <= MAX_ID else None


def id_from(value: str, what: str) -> int:
    """The id in `value`, which only a crafted request gets wrong (a hidden field, a
    part of a field's name such as `g-<assessment>-<pupil>`): 400 when it is none."""
    number = parse_id(value)
    if number is None:
        raise BadRequest(f"{what!r} is not an id")
    return number


def id_param(data: QueryDict, name: str) -> int | None:
    """The id in `data[name]` (request.GET or request.POST); None when it is
    missing or empty. Anything else that is not an id is a crafted request: 400."""
    value = data.get(name)
    if value is None or value == "":
        return None
    return id_from(value, name)


def id_list_param(data: QueryDict, name: str) -> list[int]:
    """The ids of every `name` in `data` (checkboxes), without repeats and empty
    values, in the order sent; 400 when one of them is not an id."""
    ids = [id_from(value, name) for value in data.getlist(name) if value != ""]
    return list(dict.fromkeys(ids))


def search_words(text: str) -> list[str]:
    """The words of what a visitor typed into a search box: runs of letters and
    digits. Quotes, brackets and operators are search syntax to the databases'
    full-text engines (FTS5, tsquery), never to the visitor."""
    return _WORD.findall(text)


class IdField(forms.Field):
    """One id chosen in a form (a select whose choices are not model instances):
    an integer, or a form error for anything that is not an id."""

    default_error_messages = {"invalid": _("Choose one of the options shown.")}

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        number = parse_id(str(value).strip())
        if number is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's ModelMultipleChoiceField, which lets a number beyond a 64-bit
    column reach SQLite in `pk__in` (an OverflowError, a server error): a value
    that is not an id is a form error before any query."""

    default_error_messages = {"invalid_pk_value": _("Choose only among the options shown.")}

    def _check_values(self, value):
        if self.to_field_name is None and isinstance(value, list | tuple):
            for pk in value:
                if isinstance(pk, str | int) and parse_id(pk) is None:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super()._check_values(value)


class RejectNulMiddleware:
    """400 for a request with a NUL byte in its path, query string, form data or
    the name of an uploaded file, before any later middleware or view queries with
    it: PostgreSQL cannot hold one in text, and no field of the portal takes one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or _holds_nul(request.GET):
            raise BadRequest("NUL byte in the address")
        if request.method == "POST" and (
            _holds_nul(request.POST)
            or any(
                "\x00" in (upload.name or "")
                for _name, uploads in request.FILES.lists()
                for upload in uploads
            )
        ):
            raise BadRequest("NUL byte in the form data")
        return self.get_response(request)


def _holds_nul(data: QueryDict) -> bool:
    return any(
        "\x00" in name or any("\x00" in value for value in values) for name, values in data.lists()
    )
