"""Writes of the site search's index of pages (issue 17; the table is in
`cms.search_models`, the query in `cms.selectors.site_search`).

A page's title and its text (search description, lead, introduction, body ...)
are analysed by `portal.search.analysis`, the same Polish analysis as the
library catalogue: folded Morfeusz lemmas, Stempel and Snowball for words the
dictionary does not know. Besides, every word is a key as written, folded
("pierwszoklasistow" for "pierwszoklasistów"): a word typed without its
diacritics finds its page even when the analysis does not reach its accented
spelling (it tries at most analysis.MAX_CANDIDATES of them) or the dictionary
knows neither. Title keys are marked so that title matches rank first.

Everything here takes its models from an app registry, so the data migration
that fills the table runs the same code on the historical models.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps as global_apps
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator

from wagtail.rich_text import get_text_for_indexing

from portal.search.analysis import analyzer, normalise_phrase, words

from .search_models import KEY_LENGTH

LANGUAGE = "pl"
# Text fields of the page types besides those in their Wagtail `search_fields`
TEXT_FIELDS = ("search_description", "lead", "intro", "hours", "place", "description", "body")
# derived or not text: never read as a page's own text
SKIP_FIELDS = frozenset({"title", "search_folded"})
SUMMARY_WORDS = 40
STEPLEN = 4  # of Wagtail's materialised paths (Page.steplen)
BATCH = 200


_NOT_KEY = re.compile(r"[^a-z0-9]")


def _folded_words(text: str) -> set[str]:
    return {k[:KEY_LENGTH] for w in normalise_phrase(text).split() if (k := _NOT_KEY.sub("", w))}


def text_keys(text: str) -> set[str]:
    """The keys a page's text is indexed under: the analysis's and the folded words."""
    keys = {k[:KEY_LENGTH] for k in analyzer().index_keys(text, LANGUAGE)}
    return keys | _folded_words(text)


def query_groups(query: str) -> list[tuple[str, ...]]:
    """One group of keys per word of a query (any key of a group matches the word)."""
    groups = []
    for word in words(query):
        keys = {k for group in analyzer().query_keys(word, LANGUAGE) for k in group}
        keys |= _folded_words(word)
        if keys:
            groups.append(tuple(sorted(k[:KEY_LENGTH] for k in keys)))
    return groups


@dataclass
class Document:
    page_id: int
    school_id: int | None
    title: str
    summary: str
    date: object
    title_keys: set[str]
    body_keys: set[str]


class _Models:
    """The index's models, and the page models of the cms app, from `registry`
    (the global one, or a migration's historical one)."""

    def __init__(self, registry=None):
        registry = registry or global_apps
        self.entry = registry.get_model("cms", "PageSearchEntry")
        self.key = registry.get_model("cms", "PageSearchKey")
        self.school_page = registry.get_model("cms", "SchoolPage")
        self.pages = [
            model
            for model in registry.get_app_config("cms").get_models()
            if any(f.name == "page_ptr" for f in model._meta.fields)
        ]


def _field_names(page) -> list[str]:
    """The names of a page's text fields: ours and what its current class declares
    searchable for Wagtail (the historical models of a migration declare nothing)."""
    try:
        declared = global_apps.get_model("cms", type(page).__name__).search_fields
    except LookupError:
        declared = []
    names = dict.fromkeys(TEXT_FIELDS)
    names.update(dict.fromkeys(getattr(f, "field_name", "") for f in declared))
    return [n for n in names if n and n not in SKIP_FIELDS]


def _texts(value) -> list[str]:
    if value is None or callable(value):
        return []
    if hasattr(value, "stream_block"):  # a StreamField's value
        return [str(p) for p in value.stream_block.get_searchable_content(value)]
    return [get_text_for_indexing(str(value))]


def _school_of(page, school_paths: dict[str, int]) -> int | None:
    """The school whose section holds `page` (its nearest SchoolPage, itself included)."""
    for end in range(len(page.path), 0, -STEPLEN):
        school_id = school_paths.get(page.path[:end])
        if school_id is not None:
            return school_id
    return None


def _date(page):
    """News: its date, else the day of first publication; events: the first day."""
    name = type(page).__name__
    if name == "EventPage":
        return page.start_date
    if name == "NewsPage":
        if page.date:
            return page.date
        if page.first_published_at:
            return timezone.localdate(page.first_published_at)
    return None


def page_document(page, school_paths: dict[str, int]) -> Document:
    """What the index holds of one (specific) page."""
    parts: list[str] = []
    for name in _field_names(page):
        parts.extend(_texts(getattr(page, name, None)))
    parts = [p.strip() for p in parts if p and p.strip()]
    title_keys = text_keys(page.title)
    body_keys = set()
    for part in parts:
        body_keys |= text_keys(part)
    summary = next(iter(parts), "")
    return Document(
        page_id=page.pk,
        school_id=_school_of(page, school_paths),
        title=page.title[:255],
        summary=Truncator(" ".join(summary.split())).words(SUMMARY_WORDS),
        date=_date(page),
        title_keys=title_keys,
        body_keys=body_keys,
    )


def _school_paths(models: _Models) -> dict[str, int]:
    return dict(models.school_page.objects.values_list("path", "school_id"))


def _write(models: _Models, documents: list[Document]) -> None:
    if not documents:
        return
    ids = [d.page_id for d in documents]
    models.key.objects.filter(entry_id__in=ids).delete()
    models.entry.objects.filter(page_id__in=ids).delete()
    models.entry.objects.bulk_create(
        models.entry(
            page_id=d.page_id,
            school_id=d.school_id,
            title=d.title,
            title_norm=normalise_phrase(d.title)[:255],
            summary=d.summary,
            date=d.date,
        )
        for d in documents
    )
    models.key.objects.bulk_create(
        (
            models.key(entry_id=d.page_id, key=key, in_title=key in d.title_keys)
            for d in documents
            for key in sorted(d.title_keys | d.body_keys)
        ),
        batch_size=2000,
    )


@transaction.atomic
def page_index_update(*, pages: Iterable) -> int:
    """Index (or re-index) pages after they were published or moved; a page that
    is not live, or not a page type of the portal, leaves the index. Returns how
    many pages are in the index now of those given."""
    models = _Models()
    pages = list(pages)
    indexed = [p for p in pages if p.live and p._meta.app_label == "cms"]
    kept = {p.pk for p in indexed}
    gone = [p.pk for p in pages if p.pk not in kept]
    if gone:
        page_index_remove(page_ids=gone)
    school_paths = _school_paths(models)
    _write(models, [page_document(p, school_paths) for p in indexed])
    return len(indexed)


def page_index_remove(*, page_ids: Iterable[int]) -> None:
    """Take pages out of the index (unpublished)."""
    models = _Models()
    ids = list(page_ids)
    models.key.objects.filter(entry_id__in=ids).delete()
    models.entry.objects.filter(page_id__in=ids).delete()


@transaction.atomic
def page_index_rebuild(*, registry=None) -> int:
    """Empty the index and index every live page again; returns the number of
    pages indexed. `registry`: a migration's historical apps."""
    models = _Models(registry)
    models.key.objects.all().delete()
    models.entry.objects.all().delete()
    school_paths = _school_paths(models)
    count = 0
    for model in models.pages:
        batch = []
        for page in model.objects.filter(live=True).order_by("pk").iterator(chunk_size=BATCH):
            batch.append(page_document(page, school_paths))
            if len(batch) >= BATCH:
                _write(models, batch)
                count += len(batch)
                batch = []
        _write(models, batch)
        count += len(batch)
    return count
