"""The simulated people of an evening: parents, teachers (who save forms and sign in
with TOTP) and anonymous catalogue visitors; each does its next page when asked."""

from __future__ import annotations

import random
import time
from urllib.parse import quote

from .browser import Browser, Failure, form_fields, url_shape
from .report import Record

PASSWORD = "demo"
PARENT_KINDS = ["dashboard", "grades", "week", "attendance"]
TEACHER_KINDS = [
    "lesson",
    "lesson save",
    "grade sheet",
    "grade sheet save",
    "term grades",
    "term grades save",
]
VISITOR_KINDS = ["catalogue search"]
KINDS = PARENT_KINDS + TEACHER_KINDS + VISITOR_KINDS
SEARCH_WORDS = [
    "historia",
    "Polska",
    "wiersze",
    "przyroda",
    "książka",
    "dzieci",
    "opowiadania",
    "wojna",
    "zwierzęta",
    "matematyka",
    "baśnie",
    "szkoła",
    "Kraków",
    "Warszawa",
    "poezja",
    "Mickiewicz",
    "Sienkiewicz",
    "żółw",
    "przygody",
    "literatura polska",
]


def flip_grade(symbol: str) -> str:
    return "5" if symbol == "4" else "4"


def flip_status(status: str) -> str:
    return "n" if status == "p" else "p"


def with_addresses(specs: list[dict], first: int) -> list[dict]:
    """An address from 198.18.0.0/15 (RFC 2544, for benchmarks) for each person."""
    for n, spec in enumerate(specs, start=first):
        spec["address"] = f"198.{18 + n // 65024}.{n // 254 % 256}.{n % 254 + 1}"
    return specs


class Person:
    """A browser, the person's pages (`spec`) and where they are in their round. Each
    starts at a random page of it, so that the mix of pages is the same at any rate (at
    5 req/s a minute asks each of 200 parents for about one page)."""

    def __init__(self, spec: dict, rng: random.Random):
        self.spec, self.rng = spec, rng
        self.browser = Browser(spec["address"])
        self.turn = self.first_turn()

    def first_turn(self) -> int:
        return 0

    def sign_in(self, urls: dict) -> list[Record]:
        records = []
        began = time.perf_counter()
        _, page = self.browser.request("GET", urls["login"])
        fields = dict(form_fields(page, 'name="password"'))
        fields.update(login=self.spec["username"], password=PASSWORD)
        response, _ = self.browser.request("POST", urls["login"], fields)
        records.append(Record("sign-in", (time.perf_counter() - began) * 1000))
        if self.spec.get("totp"):
            if response.getheader("Location") != urls["mfa"]:
                raise Failure(f"no second-factor step for {self.spec['username']}")
            began = time.perf_counter()
            _, page = self.browser.request("GET", urls["mfa"])
            fields = dict(form_fields(page, 'name="code"'))
            fields["code"] = totp_code(self.spec["totp"])
            self.browser.request("POST", urls["mfa"], fields)
            records.append(Record("second factor", (time.perf_counter() - began) * 1000))
        return records

    def act(self) -> tuple[str, object]:
        """The next page: (kind, callable doing the request)."""
        raise NotImplementedError


class Parent(Person):
    def first_turn(self) -> int:
        return self.rng.randrange(4 * len(self.spec["children"]))

    def act(self):
        children = self.spec["children"]
        child = children[(self.turn // 4) % len(children)]
        kind = PARENT_KINDS[self.turn % 4]
        path = self.spec["dashboard"] if kind == "dashboard" else child[kind]
        self.turn += 1
        return kind, lambda: self.browser.request("GET", path)


class Visitor(Person):
    def act(self):
        word = self.rng.choice(SEARCH_WORDS)
        path = f"{self.spec['search']}?q={quote(word)}"
        return "catalogue search", lambda: self.browser.request("GET", path)


class Teacher(Person):
    """Six pages in turn; each save posts the form its GET just showed, changed."""

    TOPICS = ("Powtórzenie wiadomości", "Ułamki zwykłe i dziesiętne")

    def __init__(self, spec: dict, rng: random.Random):
        super().__init__(spec, rng)
        self.form: list[tuple[str, str]] = []
        self.saved: dict[str, int] = {}

    # page kind -> (its address in the spec, a text only its form contains)
    PAGES = {
        "lesson": ("lesson", 'name="s-'),
        "grade sheet": ("sheet", 'name="g-'),
        "term grades": ("term", 'name="proposed-'),
    }

    def first_turn(self) -> int:
        return 2 * self.rng.randrange(3)  # a page, never a save without its page

    def act(self):
        kind = TEACHER_KINDS[self.turn % 6]
        if kind in self.PAGES:
            return kind, lambda: self._show(*self.PAGES[kind])
        return kind, lambda: self._save(kind, self.PAGES[kind.removesuffix(" save")][0])

    def _show(self, key: str, marker: str):
        """GET the page and keep its form; only then is it the save's turn (a page
        that failed is asked for again)."""
        _, content = self.browser.request("GET", self.spec[key])
        try:
            self.form = form_fields(content, marker)
        except ValueError as error:
            raise Failure(f"GET {url_shape(self.spec[key])}: {error}") from error
        self.turn += 1

    def _save(self, kind: str, key: str):
        change = {
            "lesson save": self._lesson_changes,
            "grade sheet save": self._sheet_changes,
            "term grades save": self._proposal_changes,
        }[kind]
        data, self.form = change(list(self.form)), []
        self.turn += 1
        self.browser.request("POST", self.spec[key], data)
        self.saved[kind] = self.saved.get(kind, 0) + 1

    def _lesson_changes(self, fields):
        statuses = [i for i, (name, _) in enumerate(fields) if name.startswith("s-")][:3]
        for i in statuses:
            fields[i] = (fields[i][0], flip_status(fields[i][1]))
        topic = self.TOPICS[(self.turn // 6) % 2]
        return [(n, topic if n == "topic" else v) for n, v in fields]

    def _sheet_changes(self, fields):
        originals = {n[2:]: v for n, v in fields if n.startswith("o-")}  # "column-pupil"
        column = next(iter(originals)).split("-")[0]
        cells = [key for key in originals if key.split("-")[0] == column][:3]
        return [
            (n, flip_grade(originals[n[2:]]) if n[2:] in cells and n[0] == "g" else v)
            for n, v in fields
        ]

    def _proposal_changes(self, fields):
        first = next(i for i, (name, _) in enumerate(fields) if name.startswith("proposed-"))
        fields[first] = (fields[first][0], flip_grade(fields[first][1]))
        return fields


def totp_code(secret: str) -> str:
    """The current TOTP code by allauth's own helpers; near the end of a 30-second
    window wait for the next one, so the server does not see an expired code."""
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    period = app_settings.TOTP_PERIOD
    if period - time.time() % period < 3:
        time.sleep(period - time.time() % period + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))
