"""No server error from input: a crawler puts junk into every query parameter and
every form field of the pages each role reaches, and no answer may be a 5xx.

For every role of tests/test_url_walk.py (anonymous visitors included) the crawl
starts at the dashboard (the home page, the page search and the catalogue for
anonymous visitors) and the role's pages of the walk's URL table, and follows the
same-site links it finds in the HTML: one page per URL pattern (per page type in the
CMS tree), at most `MAX_PAGES` a role. On every page it reaches it

- sends each junk value in each query parameter that the page's links and GET
  forms use (one request per URL pattern, parameter and junk value);
- submits each POST form once per junk value with every field junk (hidden fields,
  selects, checkboxes and the submit button too; the CSRF token is kept), and, for
  each field, with only that field junk and the others as a browser sends them
  (`abc`, a NUL byte and one more junk value taken in turn), once per named submit
  button;
- opens the page with each id of its address (`<int:pk>`) beyond a 64-bit column
  (the path converter takes any digits);
- at the end of a role's crawl, tries the id-like parameters (digits in some link)
  of a URL namespace on every page of that namespace, so a parameter that a view
  reads but no link names is junked too.

A URL pattern, parameter or form junked for one role is not junked again for the
next. Exceptions become 500 answers (`raise_request_exception=False`); each
distinct failure (URL pattern, parameter, exception and the line of the project that
raised it) is reported once, with the junk value and the role. Writes are rolled
back with the test's transaction.
"""

from __future__ import annotations

import datetime
import logging
import sys
import time
import traceback
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest

from django.template.base import Template
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from wagtail.models import Page

from gradebook.register.models import Attendance, FreeDay
from library.circulation import services as circulation
from library.circulation.models import ClosedPeriod
from tests import test_url_walk as url_walk
from tests.conftest import enable_mfa
from tests.factories.circulation import card, copy_create, rule_create
from tests.factories.register import LessonFactory, TimetableEntryFactory
from tests.test_url_walk import ROLES, SKIPPED_PREFIXES, URLS, user_of

# The walk's two-school world with every role, as fixtures of this module too.
school_day = url_walk.school_day
walk_world = url_walk.walk_world

JUNK = ("abc", "'\"<>", "99999999999999999999", "2026-02-31", "", "-1", "²", "\x00")
OTHER_JUNK = [junk for junk in JUNK if junk not in ("abc", "\x00")]
# Junk for parameters no link names: a word and an integer no column holds.
SWEEP_JUNK = ("abc", "99999999999999999999")
BEYOND_ANY_ID = 99999999999999999999  # an <int:…> of the address no column holds
MAX_PAGES = 60  # pages a role's crawl opens (one per URL pattern)
MAX_TRIES = 3  # links of one URL pattern tried before giving up on it (404s)
PROJECT = Path(__file__).resolve().parent.parent


# --- Reading a page ------------------------------------------------------------------------


@dataclass
class Form:
    method: str
    action: str
    fields: list = field(default_factory=list)  # (name, value a browser sends, or None)
    buttons: list = field(default_factory=list)  # (name, value) of named submit buttons
    select: bool = False
    textarea: bool = False


class PageParser(HTMLParser):
    """The links and forms of an HTML page, with what a browser would submit."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.forms, self.form = [], [], None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self.form = Form(a.get("method", "get").lower(), a.get("action", ""))
            self.forms.append(self.form)
        elif self.form is None:
            return
        elif tag == "option" and self.form.select:
            name, value = self.form.fields[-1]
            if value is None or "selected" in a:
                self.form.fields[-1] = (name, a.get("value", ""))
        elif "name" not in a:
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image"):
                self.form.buttons.append((a["name"], a.get("value", "")))
            elif kind in ("checkbox", "radio"):
                checked = a.get("value", "on") if "checked" in a else None
                self.form.fields.append((a["name"], checked))
            elif kind != "reset":
                self.form.fields.append((a["name"], a.get("value", "")))
        elif tag == "button" and a.get("type", "submit").lower() == "submit":
            self.form.buttons.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self.form.fields.append((a["name"], None))
            self.form.select = True
        elif tag == "textarea":
            self.form.fields.append((a["name"], ""))
            self.form.textarea = True

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif self.form is not None and tag in ("select", "textarea"):
            setattr(self.form, tag, False)

    def handle_data(self, data):
        if self.form is not None and self.form.textarea:
            name, value = self.form.fields[-1]
            self.form.fields[-1] = (name, value + data)


# --- The crawl -----------------------------------------------------------------------------


def _local(url: str, base: str = "/"):
    """(path, query) of a same-site URL the crawl may visit, or None."""
    parts = urlsplit(urljoin("http://testserver" + base, url))
    if parts.netloc != "testserver" or parts.scheme not in ("http", "https"):
        return None
    if any(parts.path.lstrip("/").startswith(prefix) for prefix in SKIPPED_PREFIXES):
        return None
    return parts.path, parts.query


def _pattern(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name or match.route


def _page_key(path: str, pattern: str) -> str:
    """One page per URL pattern, told apart by the words in its address that choose
    a different form or page (`section`, `fmt`, `action`), not by ids, dates or slugs."""
    words = [
        value
        for name, value in sorted(resolve(path).kwargs.items())
        if isinstance(value, str) and value.isalpha() and "slug" not in name
    ]
    return " ".join([pattern, *words])


def _where(exc_info) -> str:
    """The innermost frame of the project's own code (not the tests) that raised."""
    place = "?"
    for frame in traceback.extract_tb(exc_info[2]):
        file = Path(frame.filename)
        if PROJECT in file.parents and not {".venv", "tests"} & set(file.parts):
            place = f"{file.relative_to(PROJECT)}:{frame.lineno}"
    return place


def _multi(pairs) -> dict:
    data = {}
    for name, value in pairs:
        data.setdefault(name, []).append(value)
    return data


@dataclass
class Crawl:
    client: Client
    role: str
    user: object
    done: set  # URL patterns' parameters and forms junked already (by any role)
    failures: dict = field(default_factory=dict)
    requests: int = 0
    pages: dict = field(default_factory=dict)  # page key -> (path, query)
    tries: dict = field(default_factory=dict)
    id_params: dict = field(default_factory=dict)  # namespace -> names with digit values

    def sign_in(self):
        self.client.logout()
        if self.user is not None:
            self.client.force_login(self.user)

    def send(self, method, path, data, what=None, junk=None):
        """Request `path`; `what` names the parameter or field that holds `junk`."""
        self.requests += 1
        response = getattr(self.client, method)(path, data)
        pattern = _pattern(urlsplit(path).path)
        if response.status_code >= 500:
            exc = response.exc_info
            kind = type(exc[1]).__name__ if exc else ""
            where = _where(exc) if exc else "?"
            error = f"{kind}: {str(exc[1])[:160]}" if exc else "no exception"
            self.failures.setdefault(
                (pattern, what, kind, where),
                f"{pattern}: {method.upper()} {what or '(the page)'}={junk!r} as {self.role} -> "
                f"{response.status_code} {error} (at {where})",
            )
        reset = pattern in URLS and URLS[pattern].reset_session
        user = getattr(response.wsgi_request, "user", None)  # none when refused early
        if reset or (self.user is not None and user is not None and not user.is_authenticated):
            self.sign_in()  # the kiosk and sign-out pages end the session
        return response

    def run(self, start):
        queue = deque(start)
        while queue and len(self.pages) < MAX_PAGES:
            path, query = queue.popleft()
            self.visit(path, query, queue)
        self.sweep()

    def visit(self, path, query, queue):
        pattern = _pattern(path)
        if pattern is None:
            return
        if pattern == "wagtail_serve":
            # the page tree is the same for everyone (but restricted pages): each
            # path is opened once in the whole crawl
            if ("wagtail_serve", path) in self.done:
                return
            self.done.add(("wagtail_serve", path))
        else:
            key = _page_key(path, pattern)
            if key in self.pages or self.tries.get(key, 0) >= MAX_TRIES:
                return
            self.tries[key] = self.tries.get(key, 0) + 1
        response = self.send("get", path, dict(parse_qsl(query, keep_blank_values=True)))
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            return
        if pattern == "wagtail_serve":  # the whole page tree: one page per page type
            page = Page.find_for_request(response.wsgi_request, path)
            key = f"{pattern} {page.specific_class.__name__ if page else path}"
        else:
            key = _page_key(path, pattern)
        if key in self.pages:
            return
        self.pages[key] = (path, query)
        self.junk_path(path)
        if query:
            self.junk_query(path, query)
        parser = PageParser()
        parser.feed(response.content.decode())
        for href in parser.links:
            target = _local(href, path)
            if target is not None:
                queue.append(target)
                self.junk_query(*target)
        here = f"{path}?{query}" if query else path
        for form in parser.forms:
            if form.method == "get":  # the form's fields replace the address's query
                target = _local(form.action or path, path)
                if target is not None:
                    values = dict(parse_qsl(target[1], keep_blank_values=True))
                    values.update({n: v for n, v in form.fields if v is not None})
                    self.junk_query(target[0], urlencode(values))
            else:  # an empty action posts to the page's own address, query included
                target = _local(form.action or here, path)
                if target is not None:
                    self.junk_form(form, *target)

    def junk_path(self, path):
        match = resolve(path)
        for name in match.kwargs:
            key = (match.view_name, f"<{name}>")
            if f"<int:{name}>" not in match.route or key in self.done:
                continue
            self.done.add(key)
            junked = reverse(match.view_name, kwargs={**match.kwargs, name: BEYOND_ANY_ID})
            self.send("get", junked, {}, f"<{name}>", BEYOND_ANY_ID)

    def junk_query(self, path, query):
        pattern = _pattern(path)
        params = dict(parse_qsl(query, keep_blank_values=True))
        for name, value in params.items():
            if value.isdigit() and pattern:
                self.id_params.setdefault(pattern.split(":")[0], set()).add(name)
            if pattern is None or (pattern, name) in self.done:
                continue
            self.done.add((pattern, name))
            for junk in JUNK:
                self.send("get", path, {**params, name: junk}, f"?{name}", junk)

    def junk_form(self, form, path, query):
        pattern = _pattern(path)
        url = f"{path}?{query}" if query else path  # action="" posts to the page's URL
        names = sorted({n for n, _v in form.fields} - {"csrfmiddlewaretoken"})
        for button in form.buttons or [(None, None)]:
            key = (pattern, tuple(names), button[0])
            if pattern is None or key in self.done:
                continue
            self.done.add(key)
            sent = [(n, v) for n, v in form.fields if v is not None]
            if button[0]:
                sent.append(button)
            token = [(n, v) for n, v in sent if n == "csrfmiddlewaretoken"]
            junkable = sorted(set(names) | ({button[0]} - {None}))
            on = f" (button {button[0]})" if button[0] else ""
            for junk in JUNK:
                data = _multi(token + [(n, junk) for n in junkable])
                self.send("post", url, data, f"every field{on}", junk)
            for i, name in enumerate(junkable):
                for junk in ("abc", "\x00", OTHER_JUNK[i % len(OTHER_JUNK)]):
                    data = _multi([(n, v) for n, v in sent if n != name] + [(name, junk)])
                    self.send("post", url, data, f"{name}{on}", junk)

    def sweep(self):
        """Parameters a view may read although no link of the page names them."""
        for path, query in list(self.pages.values()):
            pattern = _pattern(path)
            if pattern == "wagtail_serve":
                continue
            params = dict(parse_qsl(query, keep_blank_values=True))
            for name in sorted(self.id_params.get(pattern.split(":")[0], ())):
                if name in params or (pattern, name) in self.done:
                    continue
                self.done.add((pattern, name))
                for junk in SWEEP_JUNK:
                    self.send("get", path, {**params, name: junk}, f"?{name} (sweep)", junk)


def seeds(world, role):
    """Where a role's crawl starts: the dashboard (the home page, the page search and
    the catalogue for anonymous visitors), then the role's pages of the walk's table."""
    start = ["/", "/szukaj/?q=szkola", "/biblioteka/?q=Tadeusz"]
    if role != "anonymous":
        start.insert(0, "/panel/")
    recorder = SimpleNamespace(urls=[])
    recorder.get = recorder.urls.append
    for name, entry in URLS.items():
        if role in entry.roles and "GET" in entry.methods:
            url_walk._request(recorder, name, entry, world.a, "GET")
    return [_local(url) for url in start + recorder.urls]


def crawl(world, role, done) -> Crawl:
    user = user_of(world, role)
    if user is not None:
        enable_mfa(user)
    run = Crawl(Client(raise_request_exception=False), role, user, done)
    run.sign_in()
    run.run(seeds(world, role))
    return run


@pytest.fixture
def junk_world(walk_world):
    """The walk's world with the rows behind the forms that name ids: a free day, a
    timetable entry, a loan rule and closed days (delete buttons), an absence to
    excuse (checkboxes), a loan (renew) and a hold with a copy to fill it (desk)."""
    a = walk_world.a
    day = datetime.date(2026, 4, 3)
    FreeDay.objects.create(school=a.school, name="Rekolekcje", start=day, end=day)
    ClosedPeriod.objects.create(school=a.school, name="Remont", start=day, end=day)
    rule_create(a.school, reader_category="pupil", item_type="book")
    TimetableEntryFactory(assignment=a.assignment, weekday=0, number=2)
    lesson = LessonFactory(assignment=a.assignment, date=a.lesson.date, number=2)
    Attendance.objects.create(lesson=lesson, pupil=a.pupil, status=Attendance.Status.UNEXCUSED)
    circulation.loan_checkout(
        user=a.librarian, school=a.school, card_number=card(a.pupil), barcode=a.copy.barcode
    )
    circulation.hold_place(user=a.teacher, reader=a.teacher, record=a.record, school=a.school)
    copy_create(a.record, a.school)
    return walk_world


# Pages whose parameters and forms were server errors once (issue 11): the crawl
# must keep reaching them.
MUST_VISIT = {
    "register:remarks",
    "register:stats",
    "register:excuse_new",
    "register:timetable",
    "register:settings",
    "circulation:desk",
    "circulation:account",
    "circulation:stocktake",
    "library:record",
    "library:search",
    "cms:search",
    "wagtail_serve",
}


def distinct(failures: dict) -> dict:
    """The failures without those of a request with every field junk whose error
    (URL pattern, exception, place) a request with one field junk shows already."""
    single = {(p, kind, where) for (p, what, kind, where) in failures if _one_field(what)}
    return {
        key: text
        for key, text in failures.items()
        if _one_field(key[1]) or (key[0], key[2], key[3]) not in single
    }


def _one_field(what) -> bool:
    return not (what or "").startswith("every field")


def _render_plainly(template, context):
    return template.nodelist.render(context)


def test_junk_crawler_finds_no_server_error(junk_world, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", SimpleNamespace(HTML=url_walk._StubPDF))
    # Thousands of 400s and 404s need no log lines, nor every template's context copied
    # for response.context (the test client's instrumentation, a large share of the time).
    monkeypatch.setattr(logging.getLogger("django.request"), "disabled", True)
    monkeypatch.setattr(Template, "_render", _render_plainly)
    started, cpu = time.monotonic(), time.process_time()
    failures, done, requests, pages, visited = {}, set(), 0, {}, set()
    for role in ROLES:
        run = crawl(junk_world, role, done)
        requests += run.requests
        pages[role] = len(run.pages)
        visited |= {key.split()[0] for key in run.pages}
        for key, text in run.failures.items():
            failures.setdefault(key, text)
    print(
        f"junk crawl: {requests} requests in {time.monotonic() - started:.0f} s "
        f"({time.process_time() - cpu:.0f} s CPU); pages {pages}"
    )
    assert all(pages.values()), pages  # every role reached pages to junk
    assert not MUST_VISIT - visited, MUST_VISIT - visited
    failures = distinct(failures)
    assert not failures, f"{len(failures)} distinct server errors:\n" + "\n".join(
        sorted(failures.values())
    )
