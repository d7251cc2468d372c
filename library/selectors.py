"""Reads of the library: record pages, subject browse, lists, topics."""

from __future__ import annotations

from django.db.models import Count, Min

from .analysis import fold, normalise_phrase
from .languages import PAGE_LANGUAGE
from .marc import RecordError, from_stored, subject_languages
from .models import Authority, AuthorityReference, FacetValue, ImportJob, Record, Topic


def record_parts(record: Record):
    return record.parts.order_by("title", "pk")


def subject_headings(letter: str = "", prefix: str = ""):
    """Headings in use (A–Z) with record counts, as a queryset of dicts."""
    qs = FacetValue.objects.filter(kind="subject")
    if prefix:
        qs = qs.filter(value__istartswith=prefix)
    elif letter:
        qs = qs.filter(value__istartswith=letter)
    return qs.values("value").annotate(records=Count("record_id")).order_by("value")


def references_for(headings: list[str]) -> dict[str, dict]:
    """See/see-also for the given headings, and the authority form for variants."""
    norms = {normalise_phrase(h): h for h in headings}
    out: dict[str, dict] = {h: {"see_also": [], "variants": []} for h in headings}
    authorities = Authority.objects.filter(heading_norm__in=norms).prefetch_related("references")
    for authority in authorities:
        heading = norms[authority.heading_norm]
        for ref in authority.references.all():
            key = "see_also" if ref.kind == AuthorityReference.Kind.SEE_ALSO else "variants"
            out[heading][key].append(ref.heading)
    return out


def see_references(letter: str = "", prefix: str = ""):
    """Variant headings ("see") starting with the letter, pointing at the
    authorised heading."""
    start = prefix or letter
    qs = AuthorityReference.objects.filter(kind=AuthorityReference.Kind.SEE).select_related(
        "authority"
    )
    if start:
        qs = qs.filter(heading_norm__startswith=fold(start))
    return qs.order_by("heading_norm")[:200]


def topics_with_counts():
    return (
        Topic.objects.select_related("school")
        .annotate(items=Count("entries"))
        .order_by("name", "pk")
    )


def topic_entries(topic: Topic):
    return topic.entries.select_related("record", "record__host")


def jobs_for(schools):
    return (
        ImportJob.objects.filter(school__in=schools).select_related("school", "user").defer("data")
    )


def newest_records(limit: int = 20):
    return Record.objects.order_by("-created_at", "-pk")[:limit]


def heading_languages(headings) -> dict[str, str]:
    """The `lang` of subject headings shown without their record (facets, the subject
    browse): the thesaurus' language in the first record that uses each heading, from
    its MARC ("en" for LCSH). One query for a page of headings."""
    headings = {h for h in headings if h}
    if not headings:
        return {}
    firsts = (
        FacetValue.objects.filter(kind="subject", value__in=headings)
        .values("value")
        .annotate(first=Min("record_id"))
        .values("first")
    )
    out: dict[str, str] = {}
    for record in Record.objects.filter(pk__in=firsts).only("pk", "marc"):
        try:
            langs = subject_languages(from_stored(record.marc))
        except (RecordError, ValueError, TypeError, AttributeError):
            continue
        for heading, tag in langs.items():
            if heading in headings and heading not in out and tag and tag != PAGE_LANGUAGE:
                out[heading] = tag
    return out
