"""One simulated browser over http.client: the form a page would submit, its
cookies, and requests as nginx would pass them on (https, the client's address)."""

from __future__ import annotations

import html
import http.client
import re
from http.cookies import SimpleCookie
from urllib.parse import urlencode

HOST = "127.0.0.1"
GIVE_UP_S = 30.0
FORM_RE = re.compile(r"<form\b[^>]*>(.*?)</form>", re.S | re.I)
FIELD_RE = re.compile(r"<(input|select|textarea)\b([^>]*)>", re.I)
OPTION_RE = re.compile(r"<option\b([^>]*)>", re.I)
ATTR_RE = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?""")


def _attrs(text: str) -> dict[str, str]:
    found = {}
    for name, double, single, bare in ATTR_RE.findall(text):
        found[name.lower()] = html.unescape(double or single or bare)
    return found


def form_fields(page: str, marker: str) -> list[tuple[str, str]]:
    """What a browser submits from the first form of `page` whose body contains
    `marker`: named inputs (checkboxes and radios only when checked; no buttons, files or
    disabled fields), each select's selected option (else its first) and textareas."""
    body = next((b for b in FORM_RE.findall(page) if marker in b), None)
    if body is None:
        raise ValueError(f"no form with {marker!r} on the page")
    fields, skip_to = [], 0
    for match in FIELD_RE.finditer(body):
        if match.start() < skip_to:
            continue
        tag, attrs = match.group(1).lower(), _attrs(match.group(2))
        name = attrs.get("name")
        closing = f"</{tag}>"
        if tag != "input":
            end = body.lower().find(closing, match.end())
            end = len(body) if end < 0 else end
            skip_to = end
            inner = body[match.end() : end]
        if not name or "disabled" in attrs:
            continue
        if tag == "input":
            kind = attrs.get("type", "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                continue
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                continue
            fields.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            options = [_attrs(o) for o in OPTION_RE.findall(inner)]
            chosen = next((o for o in options if "selected" in o), options[0] if options else {})
            fields.append((name, chosen.get("value", "")))
        else:
            fields.append((name, html.unescape(inner.removeprefix("\n"))))
    return fields


class CookieJar:
    """The cookies of one simulated browser: what Set-Cookie gave, sent back on every
    request (one host, so domain and path are not checked; the bench talks to it as the
    https site behind nginx, so secure cookies are sent too)."""

    def __init__(self):
        self.values: dict[str, str] = {}

    def update(self, headers: list[tuple[str, str]]) -> None:
        for name, value in headers:
            if name.lower() != "set-cookie":
                continue
            cookie = SimpleCookie()
            cookie.load(value)
            for key, morsel in cookie.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.values.pop(key, None)
                else:
                    self.values[key] = morsel.value

    def header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.values.items())


class Failure(Exception):
    """A page answered something a browser user would count as broken."""


class Browser:
    """Cookies and an address of one person; every request goes through a new
    connection (gunicorn's sync workers close it anyway, as nginx's upstream does)."""

    port = 0

    def __init__(self, address: str):
        self.address = address
        self.cookies = CookieJar()

    def request(self, method: str, path: str, data=None, expect: int | None = None):
        headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.address,
            "User-Agent": "bench/load.py",
            "Accept": "text/html",
        }
        if self.cookies.values:
            headers["Cookie"] = self.cookies.header()
        body = None
        if data is not None:
            body = urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{HOST}"
            headers["Referer"] = f"https://{HOST}{path}"
        connection = http.client.HTTPConnection(HOST, self.port, timeout=GIVE_UP_S)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as error:
            raise Failure(f"{method} {url_shape(path)}: {type(error).__name__}") from error
        finally:
            connection.close()
        self.cookies.update(response.getheaders())
        expected = expect or (302 if method == "POST" else 200)
        if response.status != expected:
            where = response.getheader("Location", "")
            raise Failure(
                f"{method} {url_shape(path)}: {response.status}"
                + (f" -> {url_shape(where)}" if where else "")
            )
        return response, content.decode("utf-8", "replace")


def url_shape(path: str) -> str:
    """A URL with its numbers and query left out, so that errors group."""
    return re.sub(r"\d+", "N", path.split("?")[0])
