"""No English in the Polish interface.

A list of English phrases is built from the catalogues:

- every msgid of the project's Polish catalogues whose msgstr is empty or fuzzy (for
  plurals, any empty form);
- every msgid of a third-party app's English source catalogue (Wagtail, allauth,
  Django, taggit, ...) that no Polish catalogue (the app's own, ours or
  `third_party/locale`) translates: Wagtail's Polish is incomplete, and its missing
  strings are ours to translate;
- every msgid that is translated, but differently: shown in English in a Polish page
  it was not translated at render time (gettext at import time, a string kept outside
  gettext that happens to equal a msgid, Django's label of a field with no verbose
  name). One of a single word counts only as the whole text of an element or attribute.

Then each role of tests/test_url_walk.py opens its pages in Polish, with the junk
crawler's crawl (tests/test_junk_input.py) without the junk (each POST form is sent once,
blank, to show its errors), plus the allauth account pages and, for the editor, Wagtail's
admin (dashboard, explorer, edit and create forms, images, documents).
The visible text of every HTML page (text outside <script>/<style>, and the title,
aria-label, alt, placeholder and button values users see) may hold none of the phrases.

The catalogues must also hold every msgid of the project's source: the source is read
as makemessages reads it (the same keywords; templates through Django's templatize),
without GNU gettext, which a fresh machine lacks.
"""

from __future__ import annotations

import ast
import html
import io
import json
import re
import sys
import tokenize
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import polib

from django.apps import apps
from django.conf import settings
from django.test import Client
from django.utils.translation.template import templatize

from cms.models import (
    ContactFormPage,
    ContentPage,
    EventIndexPage,
    HomePage,
    NewsIndexPage,
    SchoolPage,
)
from cms.services import editor_groups_sync
from tests import test_junk_input as junk
from tests import test_url_walk as url_walk
from tests.test_project import po_files
from tests.test_url_walk import ROLES, user_of

# The walk's world with the rows behind every form (a loan, a hold, closed days, ...).
school_day = url_walk.school_day
walk_world = url_walk.walk_world
junk_world = junk.junk_world

ROOT = Path(__file__).resolve().parent.parent
SOURCE_SKIP = {".venv", "var", "tests", "bench", "node_modules", "static", "media"}

# English msgids that read the same in a Polish page, where the page means the Polish
# word. Any other such msgid is translated to itself in its catalogue ("Token"); the
# matcher passes over msgids of one or two letters, of placeholders only, and of one
# word beside placeholders.
SAME_IN_POLISH = {
    "English",  # the language switch names each language in its own tongue
    "Start",  # the portal menu's first item ("Start" is Polish for a home page)
    "Status",  # Polish too: a copy's status in the catalogue, a page's in Wagtail
}
# English that Wagtail's templates write without gettext, so no catalogue can translate
# it: the header's aria-label "Actions", the screen-reader-only button "Search" of its
# search forms, and a hidden counter that shows Python's None.
WAGTAIL_WITHOUT_GETTEXT = {"Actions", "Search", "None"}


# --- The English phrases ------------------------------------------------------------------


def _forms(entry) -> list[str]:
    return [entry.msgid, entry.msgid_plural] if entry.msgid_plural else [entry.msgid]


def _is_translated(entry) -> bool:
    if entry.obsolete or "fuzzy" in entry.flags:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def _third_party_sources() -> list[Path]:
    """The English source catalogues of the installed apps outside the project, and
    Django's own."""
    paths = [Path(sys.modules["django"].__file__).parent / "conf"]
    paths += [Path(app.path) for app in apps.get_app_configs()]
    found = []
    for path in paths:
        if "site-packages" not in path.parts:
            continue  # the project's own apps
        source = path / "locale" / "en" / "LC_MESSAGES" / "django.po"
        if source.exists():
            found.append(source)
    return found


def _polish_catalogues() -> list[Path]:
    """Every Polish catalogue Django merges: the apps', Django's and LOCALE_PATHS."""
    paths = [Path(sys.modules["django"].__file__).parent / "conf"]
    paths += [Path(app.path) for app in apps.get_app_configs()]
    dirs = [path / "locale" for path in paths] + [Path(p) for p in settings.LOCALE_PATHS]
    found = [d / "pl" / "LC_MESSAGES" / "django.po" for d in dirs]
    return sorted({p for p in found if p.exists()})


@dataclass(frozen=True)
class English:
    msgid: str
    why: str  # "untranslated in <catalogue>" or "translated in <catalogue>"
    whole: bool = False  # found only as the whole text of an element or attribute


def english_phrases(project=None, polish=None, sources=None) -> list[English]:
    """The phrases a Polish page may not show (see the module's docstring)."""
    project = po_files() if project is None else project
    polish = _polish_catalogues() if polish is None else polish
    sources = _third_party_sources() if sources is None else sources
    phrases, translated = {}, {}
    for path in polish:
        for entry in polib.pofile(str(path)):
            if _is_translated(entry):
                translated[(entry.msgctxt, entry.msgid)] = (entry, path)
    for path in project:
        where = _short(path)
        for entry in polib.pofile(str(path)):
            if not entry.obsolete and not _is_translated(entry):
                for msgid in _forms(entry):
                    phrases.setdefault(msgid, English(msgid, f"untranslated in {where}"))
    for path in sources:
        where = _short(path)
        for entry in polib.pofile(str(path)):
            if not entry.obsolete and (entry.msgctxt, entry.msgid) not in translated:
                for msgid in _forms(entry):
                    phrases.setdefault(msgid, English(msgid, f"no Polish for {where}"))
    for entry, path in translated.values():
        polish_forms = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for msgid in _forms(entry):
            if msgid not in polish_forms:
                why = f"translated in {_short(path)}"
                phrases.setdefault(msgid, English(msgid, why, whole=_words(msgid) == 1))
    return [p for p in phrases.values() if p.msgid not in SAME_IN_POLISH]


def _short(path: Path) -> str:
    path = Path(path).resolve()
    for base in (ROOT, Path(sys.modules["django"].__file__).parent.parent):
        if base in path.parents:
            return str(path.relative_to(base))
    return str(path)


PLACEHOLDER = re.compile(r"%\(\w+\)[sdifr]|%[sdifr]|\{\w*\}")
TAG = re.compile(r"<[^>]*>")
WORD = re.compile(r"\w+")


def _words(msgid: str) -> int:
    return len(WORD.findall(PLACEHOLDER.sub(" ", TAG.sub(" ", msgid))))


def _fragments(msgid: str) -> list[str]:
    """The literal parts of a msgid as it reads on a page: tags dropped, entities
    decoded, whitespace collapsed, placeholders as cuts."""
    text = html.unescape(TAG.sub(" ", msgid)).replace("%%", "%")
    return [" ".join(part.split()) for part in PLACEHOLDER.split(text)]


@dataclass
class Matcher:
    """Finds the phrases in a page's text: a phrase is tried only when the page has
    its first literal word (a word index, so thousands of phrases cost little). A
    translated msgid of one word ("School") is looked for only as the whole text of an
    element or attribute (a label, a column head, a button), as it is, or capitalised as
    Django capitalises a field's verbose name into its label: inside a sentence, one
    word could be Polish."""

    by_word: dict
    whole: dict = field(default_factory=dict)

    @classmethod
    def of(cls, phrases):
        by_word, whole = defaultdict(list), {}
        for phrase in phrases:
            if phrase.whole:
                for shown in {phrase.msgid, phrase.msgid[:1].upper() + phrase.msgid[1:]}:
                    if len(shown) > 2 and shown not in SAME_IN_POLISH:
                        whole.setdefault(shown, phrase)
                continue
            parts = _fragments(phrase.msgid)
            literal = [part for part in parts if WORD.search(part)]
            if not literal or sum(len(WORD.findall(p)) for p in literal) == 0:
                continue  # placeholders and punctuation only
            if _words(phrase.msgid) == 1 and len(literal[0]) <= 2:
                continue  # one or two letters: "No", "ID", "h"
            if len(parts) > 1 and max(len(WORD.findall(p)) for p in literal) < 2:
                continue  # "%(n)s page", "Edit %(title)s": a word and anything else
            pieces = [re.escape(part) for part in parts]
            body = r".{0,80}?".join(pieces).replace(r"\ ", r"\s+")
            # whole words: not "Page" in "Pages", nor "slug" in "[my-slug]"
            start = r"(?<![\w/-])" if parts[0][:1].isalnum() else ""
            end = r"(?![\w/-])" if parts[-1][-1:].isalnum() else ""
            pattern = re.compile(start + body + end)
            by_word[WORD.findall(literal[0])[0]].append((phrase, pattern))
        return cls(by_word, whole)

    def find(self, text: str, pieces=()) -> list:
        found = []
        for word in set(WORD.findall(text)):
            for phrase, pattern in self.by_word.get(word, ()):
                if pattern.search(text):
                    found.append(phrase)
        for piece in set(pieces):
            phrase = self.whole.get(piece.strip().rstrip(":*").strip())
            if phrase is not None and phrase not in found:
                found.append(phrase)
        return found


# --- A page's visible text ----------------------------------------------------------------

SEEN_ATTRIBUTES = ("title", "aria-label", "alt", "placeholder", "aria-description")


class VisibleText(HTMLParser):
    """The text a user reads or hears: the text outside <script> and <style>, and the
    attributes shown or read out (a button's value too). Text runs join with a space
    (inline tags split sentences); each attribute is a line of its own."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.runs, self.attributes, self.hidden = [], [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.hidden += 1
        a = {name: value for name, value in attrs if value}
        self.attributes += [a[name] for name in SEEN_ATTRIBUTES if name in a]
        if tag == "input" and a.get("type") in ("submit", "button", "reset") and "value" in a:
            self.attributes.append(a["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.runs.append(data)

    @classmethod
    def read(cls, content: str) -> tuple[str, list[str]]:
        """The page's text, and its pieces: each text run and attribute on its own."""
        parser = cls()
        parser.feed(content)
        parser.close()
        text = "\n".join([" ".join(" ".join(parser.runs).split()), *parser.attributes])
        pieces = [" ".join(run.split()) for run in parser.runs if run.strip()]
        return text, pieces + parser.attributes

    @classmethod
    def of(cls, content: str) -> str:
        return cls.read(content)[0]


def english_in(content: str, matcher: Matcher) -> list[English]:
    return matcher.find(*VisibleText.read(content))


# --- The crawl ------------------------------------------------------------------------------


class ReadingCrawl(junk.Crawl):
    """The junk crawler's walk of a role's pages without the junk: it keeps each HTML
    page it reads."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.read = {}  # path -> HTML

    def send(self, method, path, data, what=None, junk=None):
        response = super().send(method, path, data, what, junk)
        kind = response.get("Content-Type", "")
        if response.status_code == 200 and "html" in kind:
            self.read.setdefault(f"{method.upper()} {path}", response.content.decode())
        elif response.status_code == 200 and "json" in kind and path.startswith("/cms-admin/"):
            # Wagtail's choosers send their HTML inside JSON
            self.read.setdefault(f"{method.upper()} {path}", response.json().get("html", ""))
        return response

    def junk_path(self, path):
        pass

    def junk_query(self, path, query):
        pass

    def junk_form(self, form, path, query):
        """Submit a form with a field to fill once (in the whole crawl) with every field
        blank, as a user who presses the button at once: the form comes back with its
        errors, which must read in Polish too."""
        pattern = junk._pattern(path)
        names = tuple(sorted({n for n, _v in form.fields} - {"csrfmiddlewaretoken"}))
        key = ("blank", pattern, names)
        if pattern is None or not names or key in self.done:
            return
        self.done.add(key)
        data = {n: v for n, v in form.fields if n == "csrfmiddlewaretoken"}
        data.update(dict.fromkeys(names, ""))
        data.update(dict(form.buttons[:1]))
        self.send("post", f"{path}?{query}" if query else path, data)

    def sweep(self):
        pass


# The account pages (allauth, left out of the crawl by the walk's SKIPPED_PREFIXES).
ACCOUNT_PAGES = {
    "anonymous": ["/konto/login/", "/konto/password/reset/", "/nie-ma-takiej-strony/"],
    "signed in": [
        "/konto/password/change/",
        "/konto/email/",
        "/konto/2fa/",
        "/konto/sessions/",
        "/nie-ma-takiej-strony/",
    ],
}


def wagtail_pages(world, role) -> list[str]:
    """Wagtail's admin for an editor of school A's section (the dashboard, the explorer,
    the section's edit, copy and history views, the forms of a new news item and event,
    the media, reports and choosers: every panel, label and help text of ours), and for a
    superuser the edit forms of the home, content and contact pages and the screens only
    they reach (users, groups, workflows, sites, ...)."""
    if role == "superuser":
        pages = [HomePage, ContentPage, ContactFormPage]
        return [f"/cms-admin/pages/{model.objects.get().pk}/edit/" for model in pages] + [
            "/cms-admin/users/",
            "/cms-admin/groups/",
            "/cms-admin/workflows/list/",
            "/cms-admin/workflows/tasks/index/",
            "/cms-admin/redirects/",
            "/cms-admin/sites/",
            "/cms-admin/collections/",
            "/cms-admin/reports/locked/",
        ]
    if role != "editor":
        return []
    editor_groups_sync(user=world.editor)
    section = SchoolPage.objects.get(school=world.a.school)
    news = section.get_children().type(NewsIndexPage).get()
    events = section.get_children().type(EventIndexPage).get()
    return [
        "/cms-admin/",
        "/cms-admin/account/",
        f"/cms-admin/pages/{section.pk}/",
        f"/cms-admin/pages/{section.pk}/edit/",
        f"/cms-admin/pages/{section.pk}/add_subpage/",
        f"/cms-admin/pages/{news.pk}/edit/",
        f"/cms-admin/pages/{news.pk}/copy/",
        f"/cms-admin/pages/{news.pk}/history/",
        f"/cms-admin/pages/{news.pk}/usage/",
        f"/cms-admin/pages/add/cms/newspage/{news.pk}/",
        f"/cms-admin/pages/add/cms/eventpage/{events.pk}/",
        "/cms-admin/pages/search/?q=szkola",
        "/cms-admin/images/",
        "/cms-admin/images/multiple/add/",
        "/cms-admin/documents/",
        "/cms-admin/documents/multiple/add/",
        "/cms-admin/reports/site-history/",
        "/cms-admin/reports/aging-pages/",
        "/cms-admin/forms/",
        "/cms-admin/choose-page/",
        "/cms-admin/images/chooser/",
        "/cms-admin/documents/chooser/",
    ]


def read_pages(world, role, done) -> dict:
    """A role's pages in Polish: path -> HTML."""
    user = user_of(world, role)
    if user is not None:
        junk.enable_mfa(user)
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="pl")
    run = ReadingCrawl(client, role, user, done)
    run.sign_in()
    run.run(junk.seeds(world, role))
    extra = ACCOUNT_PAGES["anonymous" if user is None else "signed in"]
    extra = extra + wagtail_pages(world, role)
    for path in extra:
        run.send("get", path, {})
    return run.read


def test_no_english_in_any_role_s_polish_pages(junk_world, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", SimpleNamespace(HTML=url_walk._StubPDF))
    monkeypatch.setattr(junk.logging.getLogger("django.request"), "disabled", True)
    matcher = Matcher.of(english_phrases())
    found, read, done = {}, {}, set()
    for role in ROLES:
        read[role] = read_pages(junk_world, role, done)
        for path, content in read[role].items():
            for phrase in english_in(content, matcher):
                if "/cms-admin/" in path and phrase.msgid in WAGTAIL_WITHOUT_GETTEXT:
                    continue
                found.setdefault((phrase.msgid, phrase.why), []).append(f"{role} {path}")
    counts = {role: len(pages) for role, pages in read.items()}
    print(f"untranslated crawl: {sum(counts.values())} pages read; {counts}")
    assert all(counts.values()), counts
    for role in ("editor", "superuser"):
        missed = {f"GET {path}" for path in wagtail_pages(junk_world, role)} - set(read[role])
        assert not missed, f"{role} could not read {sorted(missed)}"
    assert not found, f"{len(found)} English phrases in Polish pages:\n" + "\n".join(
        f"{msgid!r} ({why}): {', '.join(places[:3])}"
        for (msgid, why), places in sorted(found.items())
    )


# --- The control: a msgid left untranslated is found ----------------------------------------

CONTROL_MSGID = "Main navigation"  # base.html's nav aria-label, root catalogue only


def test_a_msgid_left_untranslated_is_found_on_the_page(world, settings, tmp_path):
    """The negative control: the root catalogue with one msgstr emptied, compiled and
    put in LOCALE_PATHS' place, shows the English on the page and the check names it;
    the real catalogues show Polish there and the check is silent."""
    root_po = ROOT / "locale" / "pl" / "LC_MESSAGES" / "django.po"
    holders = [
        p for p in _polish_catalogues() if any(e.msgid == CONTROL_MSGID for e in polib.pofile(p))
    ]
    assert holders == [root_po]  # no other catalogue would fill the gap at render time
    client = Client(HTTP_ACCEPT_LANGUAGE="pl")
    client.force_login(junk.enable_mfa(world.a.teacher))

    matcher = Matcher.of(english_phrases())
    page = client.get("/panel/", follow=True).content.decode()
    assert "Nawigacja główna" in page and CONTROL_MSGID not in page
    assert CONTROL_MSGID not in [p.msgid for p in english_in(page, matcher)]

    broken = polib.pofile(str(root_po))
    broken.find(CONTROL_MSGID).msgstr = ""
    catalogue = tmp_path / "locale" / "pl" / "LC_MESSAGES" / "django.po"
    catalogue.parent.mkdir(parents=True)
    broken.save(str(catalogue))
    broken.save_as_mofile(str(catalogue.with_suffix(".mo")))
    others = [Path(p) for p in settings.LOCALE_PATHS if Path(p) != root_po.parents[2]]
    settings.LOCALE_PATHS = [tmp_path / "locale", *others]  # resets Django's catalogues

    project = [catalogue if p == root_po else p for p in po_files()]
    matcher = Matcher.of(english_phrases(project=project))
    page = client.get("/panel/").content.decode()
    assert CONTROL_MSGID in page
    found = [p for p in english_in(page, matcher) if p.msgid == CONTROL_MSGID]
    assert found == [English(CONTROL_MSGID, f"untranslated in {_short(catalogue)}")]


def test_visible_text_reads_attributes_and_skips_scripts():
    content = (
        '<p>Zapisz <b>teraz</b></p><script>var s = "Save now";</script>'
        '<input type="submit" value="Save changes"><img alt="Front cover">'
        '<input type="hidden" value="Hidden value"><a title="Open the page">x</a>'
    )
    matcher = Matcher.of(
        English(m, "test")
        for m in ("Save now", "Save changes", "Front cover", "Hidden value", "Open the page")
    )
    assert sorted(p.msgid for p in english_in(content, matcher)) == [
        "Front cover",
        "Open the page",
        "Save changes",
    ]
    assert "Zapisz teraz" in VisibleText.of(content)


def test_a_phrase_matches_whole_words_with_its_placeholders():
    matcher = Matcher.of(
        [
            English(m, "t")
            for m in ("Edit the %(title)s page", "Page", "%(count)s", "%(n)s page", "slug")
        ]
    )
    found = {
        p.msgid for p in matcher.find("Edit the Dzień otwarty page · Pages · 3 page · my-slug")
    }
    # not "Page" inside "Pages" nor "slug" inside "my-slug"; a placeholder and one word
    # (or none) would match too much English that is another msgid's
    assert found == {"Edit the %(title)s page"}


# --- Every msgid of the source is in a catalogue --------------------------------------------

# makemessages' keywords (xgettext's Python defaults and Django's): the argument
# positions of (context, singular, plural).
KEYWORDS = {
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}
SKIPPED_TOKENS = {tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT}


def _literal(tokens):
    """The string an argument spells with literals only ("a" "b" joined), or None."""
    if not tokens or any(t.type != tokenize.STRING for t in tokens):
        return None
    if any(t.string.lstrip("rbuRBU")[:1] not in "'\"" for t in tokens):
        return None  # an f-string
    return "".join(ast.literal_eval(t.string) for t in tokens)


def msgids_in(source: str):
    """(msgctxt, msgid, msgid_plural) of each gettext call with literal arguments."""
    tokens = [
        t
        for t in tokenize.generate_tokens(io.StringIO(source).readline)
        if t.type not in SKIPPED_TOKENS and t.type != tokenize.DEDENT
    ]
    for i, token in enumerate(tokens[:-1]):
        if token.type != tokenize.NAME or token.string not in KEYWORDS:
            continue
        if tokens[i + 1].string != "(" or (i and tokens[i - 1].string == "def"):
            continue
        args, current, depth = [], [], 0
        for t in tokens[i + 2 :]:
            if t.type == tokenize.OP and t.string in "([{":
                depth += 1
            elif t.type == tokenize.OP and t.string in ")]}":
                if depth == 0:
                    break
                depth -= 1
            elif t.type == tokenize.OP and t.string == "," and depth == 0:
                args.append(current)
                current = []
                continue
            current.append(t)
        args.append(current)
        values = [_literal(arg) for arg in args]
        context, singular, plural = (
            values[n] if n is not None and n < len(values) else None for n in KEYWORDS[token.string]
        )
        if singular is None or (KEYWORDS[token.string][0] is not None and context is None):
            continue
        yield context, singular, plural


def _source_files():
    for path in sorted(ROOT.rglob("*")):
        parts = set(path.relative_to(ROOT).parts)
        if parts & SOURCE_SKIP or any(p.startswith(".") for p in parts):
            continue
        if path.suffix in (".py", ".html", ".txt") and path.is_file():
            yield path


def _catalogue_of(path: Path, catalogues) -> Path:
    """The catalogue makemessages writes a file's msgids to: the nearest folder above
    it with a locale folder, else the project's."""
    for folder in path.parents:
        po = folder / "locale" / "pl" / "LC_MESSAGES" / "django.po"
        if po in catalogues:
            return po
    return ROOT / "locale" / "pl" / "LC_MESSAGES" / "django.po"


def source_msgids() -> dict:
    """catalogue -> {(msgctxt, msgid): "file:line"} for the project's source."""
    catalogues = set(po_files())
    found = defaultdict(dict)
    for path in _source_files():
        text = path.read_text(encoding="utf-8")
        if path.suffix != ".py":
            text = "\n".join(line.lstrip() for line in templatize(text, str(path)).splitlines())
        for context, singular, _plural in msgids_in(text):
            where = str(path.relative_to(ROOT))
            found[_catalogue_of(path, catalogues)].setdefault((context, singular), where)
    return found


def test_every_msgid_of_the_source_is_in_its_catalogue():
    missing = []
    for catalogue, msgids in source_msgids().items():
        held = {(e.msgctxt, e.msgid) for e in polib.pofile(str(catalogue)) if not e.obsolete}
        missing += [
            f"{where}: {msgid!r} (context {context!r}) not in {_short(catalogue)}"
            for (context, msgid), where in msgids.items()
            if (context, msgid) not in held
        ]
    assert not missing, "run makemessages -l pl and translate:\n" + "\n".join(missing)


def test_the_source_reader_finds_what_makemessages_finds():
    source = (
        'x = _("One")\ny = ngettext("%(n)s apple", "%(n)s apples", n)\n'
        'z = pgettext_lazy("audit", "closed")\nw = gettext(f"{a}")\n'
        'v = gettext_lazy("Two " "parts")\nu = _(name)\ndef gettext(message): pass\n'
    )
    assert list(msgids_in(source)) == [
        (None, "One", None),
        (None, "%(n)s apple", "%(n)s apples"),
        ("audit", "closed", None),
        (None, "Two parts", None),
    ]
    template = templatize(
        '{% load i18n %}<p>{% translate "Hello" %}</p>\n  <a title="{% translate '
        '"Open" context "verb" %}">{% blocktranslate count n=k %}{{ n }} day{% plural %}'
        "{{ n }} days{% endblocktranslate %}</a>"
    )
    text = "\n".join(line.lstrip() for line in template.splitlines())
    assert list(msgids_in(text)) == [
        (None, "Hello", None),
        ("verb", "Open", None),
        (None, "%(n)s day", "%(n)s days"),
    ]


def test_a_one_word_msgid_is_found_only_as_a_whole_label():
    matcher = Matcher.of([English("school", "t", whole=True), English("status", "t", whole=True)])
    page = '<label for="s">School:</label><p>School w nazwie</p><th scope="col">Status</th>'
    # "School" as a label is Django's English label; "Status" reads the same in Polish
    assert [p.msgid for p in english_in(page, matcher)] == ["school"]


def test_wagtail_admin_scripts_have_polish_for_every_string(client):
    """Wagtail's admin scripts read their strings from its JavaScript catalogue, not from
    pages, so the crawl cannot see them: the catalogue served in Polish must hold every
    msgid of Wagtail's English source for the scripts."""
    source = Path(apps.get_app_config("wagtailadmin").path) / "locale" / "en" / "LC_MESSAGES"
    response = client.get("/cms-admin/jsi18n/", HTTP_ACCEPT_LANGUAGE="pl")
    served = json.loads(re.search(r"newcatalog = (\{.*?\});\n", response.text, re.S)[1])
    missing = [
        entry.msgid
        for entry in polib.pofile(str(source / "djangojs.po"))
        if not entry.obsolete
        and ("\x04".join(filter(None, [entry.msgctxt, entry.msgid]))) not in served
    ]
    assert response.status_code == 200 and served
    assert not missing, f"no Polish in third_party/locale/pl/LC_MESSAGES/djangojs.po for {missing}"
