"""WCAG 2.1 AA, checked in Chromium over every page type of every role (issue 14).

Each role (an anonymous visitor, a parent, a pupil, a teacher, a homeroom teacher, a
school admin, a librarian, a municipal officer, the data protection officer and an
editor) opens, in one browser context of its own, every page type it reaches: the
pages of tests/test_url_walk.py's URL table that it may GET (with that file's objects
of school A), the CMS page types, the account pages, and error states (forms sent
empty or wrong, a page that does not exist, a 403 after the CSRF cookie is lost).
Every state is loaded once at 1366 px and once at 320 px wide, and on each:

- axe-core (node_modules/axe-core, pinned in package.json, installed by `npm ci`)
  runs the WCAG 2.0 and 2.1 A and AA rules: no violation;
- at 320 px the page is no wider than the viewport (WCAG 1.4.10 Reflow; a table may
  scroll inside its own wrapper);
- the focus indicator of a link, a button and each kind of form control in the
  header, main and footer, focused from the keyboard, contrasts 3:1 or more with
  the background behind it (the nearest opaque background behind the ring) and, in
  <main>, with the page background too (WCAG 1.4.11); computed here from the
  computed styles with WCAG's relative luminance;
- every page says it is Polish (`<html lang="pl">`, WCAG 3.1.1);
- and, per role, every page title is unique (WCAG 2.4.2).

A failure lists everything found, grouped by check (axe rule, page, targets); the
same report is written to test-results/accessibility.txt. Run it alone with
`pytest tests/browser/test_accessibility.py` (or `-m accessibility`); A11Y_ROLES=teacher,pupil
crawls only those roles (while fixing their pages).

The strict Content-Security-Policy (script nonces) blocks a <script> tag added to the
page (Playwright's add_script_tag), so axe's source is evaluated through the DevTools
protocol (page.evaluate), which the policy does not govern; the pages themselves run
under their real policy (no bypass_csp).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
import time_machine

from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from gradebook.register.models import Attendance
from portal.models import Role
from portal.terminal import infomat_token
from tests import test_url_walk as url_walk
from tests.browser import a11y
from tests.conftest import a_school_day, enable_mfa
from tests.factories import RoleFactory, UserFactory, make_pupil
from tests.factories.circulation import card, copy_create
from tests.factories.cms import build_access_points, build_site, make_event, make_news
from tests.factories.gradebook import AssessmentFactory, grade_put
from tests.factories.register import LessonFactory
from tests.test_url_walk import URLS, user_of

CHROMIUM = "/usr/bin/chromium"
INFOMAT = infomat_token("Test terminal")
VIEWPORTS = {"1366 px": {"width": 1366, "height": 900}, "320 px": {"width": 320, "height": 640}}
NARROW = "320 px"
MIN_FOCUS_CONTRAST = 3.0
REPORT = a11y.ROOT / "test-results" / "accessibility.txt"

ROLES = (
    tuple(os.environ["A11Y_ROLES"].split(","))
    if os.environ.get("A11Y_ROLES")
    else (
        "anonymous",
        "guardian",
        "pupil",
        "teacher",
        "homeroom",
        "school_admin",
        "librarian",
        "officer",
        "dpo",
        "editor",
    )
)

# URL names of the walk's table that answer with no HTML page (files, feeds, exports).
NOT_HTML = {
    "robots.txt",
    "analytics:workbook",
    "analytics:report_pdf",
    "analytics:open_data_csv",
    "eservices:attachment",
    "eservices:document",
    "portal:keepalive",
    "portal:privacy_export_json",
    "portal:privacy_export_pdf",
    "portal:manage_import_sample",
    "library:results_export",
    "library:record_export",
    "library:list_pdf",
    "library:list_export",
    "library:new_rss",
    "cms:sitemap",
    "cms:feed_rss",
    "cms:feed_atom",
    "cms:school_feed_rss",
    "cms:school_feed_atom",
    "cms:events_ical",
    "cms:school_events_ical",
    "register:ical",
    "register:homework_file",
    "intranet:attachment",
    "messaging:attachment",
    "messaging:recipients",
    "intranet:answer_file",
    "intranet:request_export",
    "yearend:export_class",
    "yearend:export_job_file",
    "yearend:statutory_register",
    "yearend:statutory_attendance",
    "yearend_archive:zip",
    "yearend:sheets_class_pdf",
    "yearend:sheets_pupil_pdf",
    "yearend:sheets_class_job_file",
    "circulation:overdue_pdf",
    "circulation:stocktake_protocol",
    "circulation:card",
    "circulation:card_child",
    "circulation:reader_card",
    "circulation:class_cards",
    "yearend:school_csv",
    "yearend:school_pdf",
    "yearend:class_csv",
    "yearend:class_pdf",
    "webpush:manifest",
    "webpush:service_worker",
}
# Pages that end the session (the kiosk): the anonymous visitor's, last.
LAST = {"circulation:kiosk"}
# The management sections (one page type each: its own table and form).
MANAGE_SECTIONS = (
    "years",
    "terms",
    "classes",
    "groups",
    "subjects",
    "assignments",
    "enrolments",
    "guardians",
)
# Forms sent empty (every text field cleared, a password field wrong, the browser's
# own validation off) to show their errors: URL name -> the form (CSS selector) and
# what the address needs to show it (the remark form asks for a class first).
POST_FORM = "main form[method=post]"
SENT_EMPTY = {
    "portal:manage_school": (POST_FORM, None),
    "portal:manage_person_add": (POST_FORM, None),
    "portal:manage_add": (POST_FORM, None),
    "gradebook:assessment_add": (POST_FORM, None),
    "register:remark_new": (POST_FORM, lambda world: f"class={world.a.class_a.pk}"),
    "register:homework": (POST_FORM, None),
    "register:announcement_new": (POST_FORM, None),
    "register:excuse_new": (POST_FORM, None),
    "circulation:stocktakes": (POST_FORM, None),
    "library:record_form_new": (POST_FORM, None),
    "library:topic_new": (POST_FORM, None),
    "library:list_new": (POST_FORM, None),
    "wagtailcore_authenticate_with_password": (POST_FORM, None),
}
# A form sent empty answers its page again with the errors (400 from the management
# pages, which say the request was refused).
ERROR_STATUS = (200, 400)
NOT_FOUND = "/nie-ma-takiej-strony/"
# Public pages a signed-in role opens too: what it may do there depends on the role.
READER_PAGES = {"library:record"}
# Roles that open the account pages (allauth's): without and with a second factor.
ACCOUNT_ROLES = {"guardian", "teacher"}


@dataclass(frozen=True)
class State:
    """One page state of a role's crawl."""

    label: str  # for messages: the URL name (and the state)
    url: str
    submit: str | None = None  # a form to send empty, the state checked is the answer
    drop_csrf: bool = False  # send it without the CSRF cookie: the 403 page
    expect: tuple = (200,)


# --- The world ----------------------------------------------------------------------------


@pytest.fixture
def a11y_world(request):
    """tests/test_url_walk.py's two-school world (every role, an object behind every
    URL) with grades, a loan, a hold, news and an event, built on an ordinary school
    day of next year (never in the past for the browser, which would drop cookies
    the live server sets); the clock stays there, ticking, for the whole crawl."""
    with time_machine.travel(a_school_day(), tick=True):
        world = request.getfixturevalue("world")
        site = build_site(world)
        world.access_index, world.access_points = build_access_points(site["home"])
        for key in ("a", "b"):
            url_walk._add_school_objects(getattr(world, key), site[key])
        world.municipal_admin = RoleFactory(
            role=Role.MUNICIPAL_ADMIN, school=None, user=UserFactory(username="gmina-admin")
        ).user
        world.dpo = RoleFactory(role=Role.DPO, school=None, user=UserFactory(username="iod")).user
        world.editor = RoleFactory(
            role=Role.EDITOR, school=world.a.school, user=UserFactory(username="a-editor")
        ).user
        for key in ("a", "b"):
            url_walk._add_intranet_objects(getattr(world, key), world.officer)
        a = world.a
        # a class and a grade sheet of a usual size (the width is what reflow is about)
        pupils = [a.pupil] + [make_pupil(a.class_a, username=f"a-pupil-{n}") for n in range(5)]
        columns = [a.assessment] + [
            AssessmentFactory(assignment=a.assignment, name=f"Kartkówka {n}") for n in range(1, 8)
        ]
        for column in columns:
            for pupil, text in zip(pupils, ("5", "4+", "3", "3-", "2", "6"), strict=True):
                grade_put(assessment=column, pupil=pupil, user=a.teacher, text=text)
        from library.circulation import services as circulation

        circulation.loan_checkout(
            user=a.librarian, school=a.school, card_number=card(a.pupil), barcode=a.copy.barcode
        )
        circulation.hold_place(user=a.teacher, reader=a.teacher, record=a.record, school=a.school)
        copy_create(a.record, a.school)
        # an absence not excused yet (the walk's is), for the parent's excuse form
        lesson = LessonFactory(assignment=a.assignment, date=a.lesson.date, number=2)
        Attendance.objects.create(lesson=lesson, pupil=a.pupil, status=Attendance.Status.UNEXCUSED)
        world.news = make_news(site["news"], "Dzień sportu w szkole")
        world.event = make_event(site["events"], "Festyn rodzinny")
        world.site = site
        from cms.services import editor_groups_sync

        editor_groups_sync(user=world.editor)
        for role in ROLES:
            user = user_of(world, role)
            if user is not None:
                enable_mfa(user)
        yield world


# --- What each role opens ----------------------------------------------------------------


def _url(name, entry, side, **override):
    recorder = SimpleNamespace(urls=[])
    recorder.get = recorder.urls.append
    if override:
        kwargs = {**entry.kwargs(side), **override}
        entry = url_walk.U(entry.roles, lambda s: kwargs, entry.query)
    url_walk._request(recorder, name, entry, side, "GET")
    return recorder.urls[0]


def states_of(world, role) -> list[State]:
    """Every page type `role` reaches, and its error states.

    The public pages (catalogue, CMS page types, sign-in) are the anonymous visitor's;
    a signed-in role opens of them only a catalogue record (whose actions depend on
    the role) and the page that does not exist. The account pages are opened by a
    parent (no second factor) and a teacher (staff, with one); the homeroom teacher
    opens the pages a teacher's crawl does not."""
    side = world.a
    states, last = [], []
    for name, entry in URLS.items():
        if role not in entry.roles or "GET" not in entry.methods or name in NOT_HTML:
            continue
        if role != "anonymous" and entry.roles == url_walk.PUBLIC and name not in READER_PAGES:
            continue
        if role == "homeroom" and "teacher" in entry.roles and name != "portal:dashboard":
            continue
        if name == "wagtail_serve":
            continue  # the CMS page types are listed below
        if name in ("portal:manage_list", "portal:manage_add"):
            urls = [(f"{name} {s}", _url(name, entry, side, section=s)) for s in MANAGE_SECTIONS]
        else:
            urls = [(name, _url(name, entry, side))]
        for label, url in urls:
            (last if name in LAST else states).append(State(label, url))
            if name in SENT_EMPTY and (name != "portal:manage_add" or "subjects" in label):
                form, query = SENT_EMPTY[name]
                if query:
                    url += ("&" if "?" in url else "?") + query(world)
                states.append(State(f"{label} (sent empty)", url, submit=form, expect=ERROR_STATUS))
    states.append(State("404", NOT_FOUND, expect=(404,)))
    site = world.site
    if role == "anonymous":
        login = reverse("account_login")
        states += [
            State("cms home", site["home"].url),
            State("cms news index", site["news"].url),
            State("cms news page", world.news.url),
            State("cms event index", site["events"].url),
            State("cms event page", world.event.url),
            State("cms content page", site["content"].url),
            State("cms school page", site["a"]["page"].url),
            State("cms contact form", site["contact"].url),
            State(
                "cms contact form (sent empty)",
                site["contact"].url,
                submit="main form",
                expect=ERROR_STATUS,
            ),
            State("account login", login),
            State("account login (sent empty)", login, submit="form.login", expect=ERROR_STATUS),
            State("account password reset", reverse("account_reset_password")),
            State(
                "403 (CSRF cookie lost)", login, submit="form.login", drop_csrf=True, expect=(403,)
            ),
            State("cms access points", world.access_index.url),
            State("cms access point page", world.access_points[0].url),
            # Last: this browser becomes an infomat (large targets, the phone's QR
            # code), and stops being one before the next width's crawl.
            State("infomat home (infomat mode)", reverse("portal:infomat_on", args=[INFOMAT])),
            State("account login (infomat mode)", login),
            State("infomat turned off", reverse("portal:infomat_off", args=[INFOMAT])),
        ]
    elif role in ACCOUNT_ROLES:
        change = reverse("account_change_password")
        states += [
            State("account password change", change),
            State(
                "account password change (sent empty)",
                change,
                submit="main form",
                expect=ERROR_STATUS,
            ),
            State("account e-mail", reverse("account_email")),
            State("account two-factor", reverse("mfa_index")),
            State("account sessions", reverse("usersessions_list")),
            State("account sign out", reverse("account_logout")),
            State(
                "403 (CSRF cookie lost)", change, submit="main form", drop_csrf=True, expect=(403,)
            ),
        ]
    if role == "editor":
        section = site["a"]["page"]
        news = site["a"]["news"]
        states += [
            State("cms-admin dashboard", "/cms-admin/"),
            State("cms-admin explorer", f"/cms-admin/pages/{section.pk}/"),
            State("cms-admin edit page", f"/cms-admin/pages/{news.pk}/edit/"),
            State("cms-admin new news page", f"/cms-admin/pages/add/cms/newspage/{news.pk}/"),
        ]
    return states + last


# --- The browser --------------------------------------------------------------------------


@pytest.fixture
def axe_source():
    if not a11y.AXE.exists():
        message = f"{a11y.AXE.relative_to(a11y.ROOT)} is missing: run `npm ci` (or `make test`)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return a11y.AXE.read_text(encoding="utf-8")


@pytest.fixture
def chromium():
    if not Path(CHROMIUM).exists():
        message = f"Chromium is not installed at {CHROMIUM}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions"],
        )
        yield instance
        instance.close()


def role_context(browser, base, user):
    context = browser.new_context(viewport=VIEWPORTS["1366 px"], locale="pl-PL")
    context.add_init_script(path=str(a11y.AXE))
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}]
        )
    return context


# --- The checks ---------------------------------------------------------------------------


@dataclass
class Findings:
    axe: dict  # rule -> [(where, help, targets)]
    overflow: list  # (where, facts)
    focus: dict  # problem -> {"elements": {kind in part}, "places": {where}}
    titles: dict  # role -> {title: {address (and state): label}}
    crawl: list  # problems reaching a state
    language: list  # (where, lang) of pages whose <html lang> is not Polish
    pages: int = 0

    @classmethod
    def empty(cls):
        focus = defaultdict(lambda: {"elements": set(), "places": {}})
        return cls(defaultdict(list), [], focus, defaultdict(dict), [], [])


def run_axe(page, axe_source):
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)
    return page.evaluate(a11y.AXE_RUN, a11y.AXE_TAGS)


def _canvas(page_colours):
    """The page background: <html>'s, else <body>'s (CSS propagates it), else white."""
    white = (255.0, 255.0, 255.0, 1.0)
    for text in page_colours:
        colour = a11y.parse_colour(text)
        if colour[3] > 0:
            return a11y.flatten([colour], white)
    return white


def focus_problems(facts) -> list[tuple[str, str]]:
    """(problem, which element) for each focus indicator of `facts` (a11y.FOCUS_SAMPLES)
    that is missing or contrasts less than 3:1 with the background behind it or the
    page background."""
    canvas = _canvas(facts["page"])
    problems = []
    for sample in facts["samples"]:
        element = f"{sample['kind']} in {sample['part']}"
        if not sample["focusVisible"]:
            problems.append(("not :focus-visible after keyboard focus", element))
            continue
        if sample["outlineStyle"] in ("none", "hidden") or sample["outlineWidth"] <= 0:
            if sample["boxShadow"] in ("none", ""):
                problems.append(("no focus indicator (outline none, no box-shadow)", element))
            else:
                problems.append(
                    ("focus shown by a box-shadow only (the test reads outlines)", element)
                )
            continue
        # An outline is drawn outside the border box: with a positive offset over
        # what is behind the element; with none it touches the element too; with a
        # negative offset of its width or more it lies wholly on the element.
        offset, width = sample["outlineOffset"], sample["outlineWidth"]
        inside = offset + width <= 0
        behind = a11y.flatten([a11y.parse_colour(x["colour"]) for x in sample["behind"]], canvas)
        own = a11y.flatten([a11y.parse_colour(x["colour"]) for x in sample["own"]], behind)
        ring = a11y.flatten([a11y.parse_colour(sample["outlineColor"])], own if inside else behind)
        against_colours = []
        if offset <= 0:
            against_colours.append(("its own background", own))
        if not inside:
            against_colours.append(("background behind it", behind))
        if sample["part"] == "main" and not inside:
            # content may sit on a card or on the page itself near the ring; the dark
            # header and footer are their own background, so not there
            against_colours.append(("page background", canvas))
        for against, colour in against_colours:
            ratio = a11y.contrast_ratio(ring, colour)
            if ratio < MIN_FOCUS_CONTRAST:
                problem = (
                    f"focus ring {a11y.hex_of(ring)} on {a11y.hex_of(colour)}: {ratio:.2f}:1 < 3:1"
                )
                problems.append((problem, f"{element} ({against})"))
    return problems


def check_state(page, state, role, viewport, axe_source, found: Findings, base):
    where = f"{role} @ {viewport} {state.label} {state.url}"
    response = page.goto(base + state.url, wait_until="load")
    if state.submit:
        form = page.locator(state.submit).first
        if form.count() == 0:
            found.crawl.append(f"{where}: no form {state.submit!r} to send")
            return
        if state.drop_csrf:
            page.context.clear_cookies(name="csrftoken")
        with page.expect_navigation(wait_until="load") as navigation:
            form.evaluate(
                """(form) => {
                  form.noValidate = true;
                  for (const field of form.querySelectorAll(
                      "input:not([type=hidden]):not([type=checkbox]):not([type=radio])"
                      + ":not([type=submit]):not([type=button]), textarea")) {
                    field.value = field.name === "password" ? "niepoprawne" : "";
                  }
                  const button = form.querySelector("[type=submit]");
                  form.requestSubmit(button && button.form === form ? button : undefined);
                }"""
            )
        response = navigation.value
        if response is None:
            found.crawl.append(f"{where}: sending the form loaded no page")
            return
        if response.request.redirected_from is not None:
            found.crawl.append(
                f"{where}: the form sent empty was accepted (redirected): not an error state"
            )
    status = response.status if response else None
    if status not in state.expect:
        found.crawl.append(f"{where}: HTTP {status}, expected {state.expect} (at {page.url})")
        return
    if "text/html" not in (response.headers.get("content-type") or ""):
        found.crawl.append(f"{where}: not an HTML page (add it to NOT_HTML)")
        return
    if "/konto/login/" in page.url and not state.label.startswith(("account login", "403")):
        found.crawl.append(f"{where}: sent to the sign-in page ({page.url})")
        return
    found.pages += 1
    if viewport == NARROW:
        facts = page.evaluate(a11y.OVERFLOW)
        if facts["scrollWidth"] > facts["innerWidth"]:
            found.overflow.append((where, facts))
    else:
        # one page reached by two addresses (a redirect) is one page; a form's error
        # state is another page than the form
        address = page.url.removeprefix(base) + (" (sent)" if state.submit else "")
        title = page.title().strip()
        found.titles[role].setdefault(title, {}).setdefault(address, state.label)
        lang = page.evaluate("document.documentElement.lang")
        if not (lang or "").lower().startswith("pl"):
            found.language.append((where, lang))
    for violation in run_axe(page, axe_source):
        found.axe[violation["id"]].append((where, violation["help"], violation["targets"]))
    page.keyboard.press("Tab")  # keyboard modality: :focus-visible applies from here on
    for problem, element in focus_problems(page.evaluate(a11y.FOCUS_SAMPLES)):
        found.focus[problem]["elements"].add(element)
        found.focus[problem]["places"][where] = role


def axe_control(browser, base, axe_source):
    """The policy blocks axe-core in a <script> tag (Playwright's add_script_tag);
    evaluated through the DevTools protocol it runs, and finds violations we add."""
    context = browser.new_context()
    page = context.new_page()
    response = page.goto(base + NOT_FOUND)
    assert "'nonce-" in response.headers.get("content-security-policy", "")
    with contextlib.suppress(Exception):  # Playwright may report the blocked script
        page.add_script_tag(path=str(a11y.AXE))
    assert page.evaluate("typeof window.axe") == "undefined", "a <script> ran under the CSP"
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend', "
        "'<img src=\"/static/none.png\"><button></button>')"
    )
    rules = {v["id"] for v in run_axe(page, axe_source)}
    assert {"image-alt", "button-name"} <= rules, rules
    context.close()


# --- The report ---------------------------------------------------------------------------


def report(found: Findings) -> str:
    lines = []
    if found.crawl:
        lines.append(f"== Pages the crawl could not check as planned ({len(found.crawl)})")
        lines += [f"  {p}" for p in found.crawl]
    if found.axe:
        total = sum(len(v) for v in found.axe.values())
        lines.append(f"== axe-core violations: {len(found.axe)} rules, {total} page states")
        for rule, places in sorted(found.axe.items()):
            lines.append(f"-- {rule}: {places[0][1]} ({len(places)} page states)")
            for where, _help, targets in places:
                shown = ", ".join(targets[:6])
                if len(targets) > 6:
                    shown += f" (+{len(targets) - 6} more)"
                lines.append(f"  {where}: {shown}")
    if found.overflow:
        lines.append(f"== Wider than the viewport at 320 px ({len(found.overflow)} page states)")
        for where, facts in found.overflow:
            lines.append(f"  {where}: {facts['scrollWidth']} px")
            for kind in ("escaping", "innermost"):
                for el in facts[kind]:
                    lines.append(
                        f"      {kind}: {el['selector']} reaches {el['right']} px "
                        f"(width {el['width']}) {el['text']!r}"
                    )
    duplicates = {
        role: {title: pages for title, pages in titles.items() if len(pages) > 1}
        for role, titles in found.titles.items()
    }
    duplicates = {role: titles for role, titles in duplicates.items() if titles}
    if duplicates:
        count = sum(len(t) for t in duplicates.values())
        lines.append(f"== Page titles used by more than one page of a role's crawl ({count})")
        for role, titles in duplicates.items():
            for title, pages in sorted(titles.items()):
                named = "; ".join(f"{label} {address}" for address, label in pages.items())
                lines.append(f"  {role}: {title!r} on {len(pages)} pages: {named}")
    if found.language:
        lines.append(f"== Pages not in Polish by <html lang> (WCAG 3.1.1) ({len(found.language)})")
        lines += [f"  {where}: lang={lang!r}" for where, lang in found.language]
    if found.focus:
        lines.append(f"== Focus indicator under 3:1 or missing ({len(found.focus)} kinds)")
        for problem, seen in sorted(found.focus.items(), key=lambda kv: -len(kv[1]["places"])):
            places = seen["places"]
            roles = sorted(set(places.values()), key=ROLES.index)
            lines.append(
                f"-- {problem}: {len(places)} page states of {', '.join(roles)}; on: "
                + "; ".join(sorted(seen["elements"]))
            )
            lines += [f"  e.g. {where}" for where in list(places)[:3]]
    return "\n".join(lines)


# --- The tests ----------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.accessibility
@pytest.mark.django_db(transaction=True)
def test_every_page_type_of_every_role_meets_wcag_21_aa(
    axe_source, a11y_world, live_server, chromium
):
    base = live_server.url
    plans = {role: states_of(a11y_world, role) for role in ROLES}
    found = Findings.empty()
    started = time.monotonic()
    axe_control(chromium, base, axe_source)
    timings = {}
    for role in ROLES:
        role_started = time.monotonic()
        context = role_context(chromium, base, user_of(a11y_world, role))
        page = context.new_page()
        for viewport, size in VIEWPORTS.items():
            page.set_viewport_size(size)
            for state in plans[role]:
                check_state(page, state, role, viewport, axe_source, found, base)
                if state.label in LAST:
                    # the kiosk ends the session: a new one for the next state
                    context.close()
                    context = role_context(chromium, base, user_of(a11y_world, role))
                    page = context.new_page()
                    page.set_viewport_size(size)
        context.close()
        timings[role] = round(time.monotonic() - role_started)
    elapsed = time.monotonic() - started
    text = report(found)
    summary = (
        f"accessibility crawl: {found.pages} page states checked in {elapsed:.0f} s "
        f"({', '.join(f'{r} {len(plans[r])}×2 in {t} s' for r, t in timings.items())})"
    )
    print(summary)
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(summary + "\n" + text + "\n", encoding="utf-8")
    assert not text, f"{summary}\n{text}"


def test_contrast_ratio_follows_wcag():
    white, black = (255, 255, 255), (0, 0, 0)
    assert a11y.contrast_ratio(white, black) == pytest.approx(21.0)
    assert a11y.contrast_ratio(white, white) == pytest.approx(1.0)
    amber = a11y.parse_colour("rgb(255, 191, 71)")  # the focus ring of issue 14: 1.6:1
    assert round(a11y.contrast_ratio(amber, white), 1) == 1.6
    # WCAG's own example values: #767676 on white is 4.54:1
    assert round(a11y.contrast_ratio(a11y.parse_colour("#767676"), white), 2) == 4.54
    assert a11y.relative_luminance((128, 128, 128)) == pytest.approx(0.2158605, rel=1e-5)


def test_colours_are_read_and_layered():
    assert a11y.parse_colour("rgba(0, 0, 0, 0.5)") == (0, 0, 0, 0.5)
    assert a11y.parse_colour("transparent")[3] == 0
    assert a11y.parse_colour("color(srgb 1 0.5 0 / 0.25)") == (255, 127.5, 0, 0.25)
    half_black = a11y.parse_colour("rgba(0, 0, 0, 0.5)")
    # a translucent layer over an opaque one over a transparent one, nearest first
    layers = [half_black, (255.0, 255.0, 255.0, 1.0), (0.0, 0.0, 255.0, 1.0)]
    assert a11y.flatten(layers) == (127.5, 127.5, 127.5, 1.0)
    assert a11y.flatten([(0.0, 0.0, 0.0, 0.0)], canvas=(1.0, 2.0, 3.0, 1.0)) == (1, 2, 3, 1)


def test_focus_problems_are_found_in_a_sample():
    def sample(**overrides):
        return {
            "part": "main",
            "kind": "link",
            "selector": "main > a",
            "focusVisible": True,
            "outlineStyle": "solid",
            "outlineWidth": 3,
            "outlineColor": "rgb(255, 191, 71)",
            "outlineOffset": 2,
            "boxShadow": "none",
            "own": [{"colour": "rgba(0, 0, 0, 0)"}],
            "behind": [{"colour": "rgb(255, 255, 255)"}],
            **overrides,
        }

    page = ["rgb(244, 246, 248)", "rgba(0, 0, 0, 0)"]
    problems = focus_problems({"samples": [sample()], "page": page})
    assert problems == [
        ("focus ring #ffbf47 on #ffffff: 1.64:1 < 3:1", "link in main (background behind it)"),
        ("focus ring #ffbf47 on #f4f6f8: 1.51:1 < 3:1", "link in main (page background)"),
    ]
    dark = sample(outlineColor="rgb(11, 53, 89)")
    assert focus_problems({"samples": [dark], "page": page}) == []
    on_header = sample(outlineColor="rgb(11, 53, 89)", behind=[{"colour": "rgb(11, 53, 89)"}])
    assert focus_problems({"samples": [on_header], "page": page}) == [
        ("focus ring #0b3559 on #0b3559: 1.00:1 < 3:1", "link in main (background behind it)")
    ]
    # no offset: the ring touches the element, whose own background is behind it
    inside = sample(outlineOffset=0, own=[{"colour": "rgb(255, 191, 71)"}])
    assert focus_problems({"samples": [inside], "page": page})[0][0].endswith("1.00:1 < 3:1")
    # an inset ring (offset -5, width 3) lies on the element: only its background counts
    blue = [{"colour": "rgb(11, 79, 138)"}]
    inset = sample(outlineOffset=-5, outlineColor="rgb(255, 255, 255)", own=blue)
    assert focus_problems({"samples": [inset], "page": page}) == []
    navy_inset = sample(outlineOffset=-5, outlineColor="rgb(11, 37, 64)", own=blue)
    assert focus_problems({"samples": [navy_inset], "page": page}) == [
        ("focus ring #0b2540 on #0b4f8a: 1.85:1 < 3:1", "link in main (its own background)")
    ]
    # in the dark header a light ring is right: the page background is not next to it
    header = sample(
        part="header", outlineColor="rgb(255, 255, 255)", behind=[{"colour": "rgb(11, 53, 89)"}]
    )
    assert focus_problems({"samples": [header], "page": page}) == []
    none = sample(outlineStyle="none", outlineWidth=0)
    assert focus_problems({"samples": [none], "page": page})[0][0].startswith("no focus")
    hidden = sample(focusVisible=False)
    assert focus_problems({"samples": [hidden], "page": page})[0][0].startswith("not :focus")


def test_axe_core_is_pinned_and_installed_by_the_test_command():
    """The README's `make test` and CI install the exact axe-core of the lock file."""
    import json
    import re

    root = a11y.ROOT
    wanted = json.loads((root / "package.json").read_text())["devDependencies"]["axe-core"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", wanted), f"axe-core {wanted!r} is not an exact version"
    lock = json.loads((root / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/axe-core"]["version"] == wanted
    makefile = (root / "Makefile").read_text()
    assert re.search(r"^AXE := node_modules/axe-core/axe\.min\.js$", makefile, re.M)
    assert re.search(r"^test: .*\$\(AXE\)", makefile, re.M)
    assert re.search(r"^\$\(AXE\): package\.json package-lock\.json\n\tnpm ci", makefile, re.M)
    assert "npm ci" in (root / ".ci" / "run").read_text()
    assert "node_modules/" in (root / ".gitignore").read_text().splitlines()
