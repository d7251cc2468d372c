"""Views of the catalogue: public search and pages, librarian tools."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.confirm import confirm_delete
from portal.files import PRIVATE_STORAGE, serve_protected_file
from portal.inputs import parse_id
from portal.models import School

from . import cataloguing, editor, exporting, marc, selectors
from .errors import LibraryError
from .forms import (
    AddToForm,
    CatalogueForm,
    MarcEditForm,
    ReadingListForm,
    SearchForm,
    TopicForm,
    UploadForm,
)
from .languages import LANGUAGE_NAMES
from .models import ReadingList, Record, Topic
from .models.catalogue import MATERIAL_CHOICES
from .pdfs import reading_list_pdf
from .permissions import (
    can_edit_record,
    can_manage_school_library,
    is_any_librarian,
    librarian_schools,
    reading_lists_visible_to,
)
from .search import Query, did_you_mean, extra_facets, facet_kinds, search
from .services import (
    import_job_create,
    reading_list_add,
    reading_list_records,
    reading_list_remove,
    reading_list_save,
    record_save,
    record_save_marc,
    topic_add,
    topic_save,
)
from .tasks import run_marc_import

PAGE_SIZE = 20
EXPORT_LIMIT = 1000


def _query_from(request) -> tuple[SearchForm, Query]:
    form = SearchForm(request.GET or None, schools=School.objects.order_by("name"))
    query = Query()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        query = Query(
            q=data["q"] or "",
            title=data["title"] or "",
            author=data["author"] or "",
            subject=data["subject"] or "",
            series=data["series"] or "",
            isbn=data["isbn"] or "",
            ukd=data["ukd"] or "",
            year_from=data["year_from"],
            year_to=data["year_to"],
            language=(data["language"] or "").lower(),
            material=data["material"] or "",
            school_id=data["library"],
            sort=data["sort"] or "relevance",
        )
    query.selected = {
        kind: request.GET.getlist(f"f_{kind}")[:5]
        for kind in facet_kinds()
        if request.GET.getlist(f"f_{kind}")
    }
    return form, query


def catalogue_search(request):
    form, query = _query_from(request)
    context = {"form": form, "query": query, "searched": not query.is_empty()}
    if not query.is_empty():
        results = search(query)
        facets = _labelled(results.facets())  # first: it counts the hits too
        page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
        context.update(
            page=page,
            records=list(page.object_list),
            total=results.count(),
            facets=facets,
            # English (LCSH) headings among the subject facets get lang="en"
            facet_langs=selectors.heading_languages(v for v, _n, _l in facets.get("subject", [])),
            facet_titles=_facet_titles(),
            clear_facets=_without_facets(request),
            selected=query.selected,
        )
        if results.count() == 0 and query.q:
            context["suggestion"] = did_you_mean(query.q)
    else:
        context["newest"] = selectors.newest_records(10)
    context["results_label"] = _results_label(form, query) if context["searched"] else ""
    context["advanced_open"] = any(
        request.GET.get(k)
        for k in (
            "title",
            "author",
            "subject",
            "series",
            "isbn",
            "ukd",
            "year_from",
            "year_to",
            "language",
            "material",
            "library",
        )
    )
    return render(request, "library/search.html", context)


def _labelled(facets: dict) -> dict:
    """(value, count) -> (value, count, label): codes shown as words."""
    materials = dict(MATERIAL_CHOICES)
    extra = extra_facets()
    out = {}
    for kind, values in facets.items():
        if kind in extra:
            out[kind] = [(value, count, extra[kind].label(value)) for value, count in values]
            continue
        names = {"material": materials, "language": LANGUAGE_NAMES}.get(kind, {})
        out[kind] = [(value, count, names.get(value, value)) for value, count in values]
    return out


def _results_label(form: SearchForm, query: Query) -> str:
    """What was searched, in words, for the page title ("żółw, Autor: Kowalski"):
    each results page gets a title of its own."""
    parts = [query.q] if query.q else []
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    for name in ("title", "author", "subject", "series", "isbn", "ukd"):
        if data.get(name):
            parts.append(f"{form[name].label}: {data[name]}")
    if query.year_from or query.year_to:
        parts.append(f"{query.year_from or ''}–{query.year_to or ''}")
    names = {"language": LANGUAGE_NAMES, "material": dict(MATERIAL_CHOICES)}
    if query.language:
        parts.append(str(LANGUAGE_NAMES.get(query.language, query.language)))
    if data.get("material"):
        parts.append(str(names["material"].get(data["material"], data["material"])))
    if query.school_id:
        parts.append(dict(form.fields["library"].widget.choices).get(query.school_id, ""))
    for kind, values in query.selected.items():
        parts += [str(names.get(kind, {}).get(v, v)) for v in values]
    return ", ".join(p for p in parts if p)[:150]


def _facet_titles() -> dict:
    titles = {
        "subject": _("Subject"),
        "genre": _("Genre/form"),
        "language": _("Language"),
        "year": _("Decade"),
        "material": _("Material type"),
    }
    titles.update({kind: facet.title for kind, facet in extra_facets().items()})
    return titles


def _without_facets(request) -> str:
    query = request.GET.copy()
    for key in list(query):
        if key.startswith("f_") or key == "page":
            del query[key]
    return query.urlencode()


def _download(data: bytes, fmt: str, name: str) -> HttpResponse:
    content_type, ext = exporting.EXPORT_FORMATS[fmt]
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{ext}"'
    return response


def results_export(request, fmt):
    if fmt not in exporting.EXPORT_FORMATS:
        raise Http404
    _form, query = _query_from(request)
    if query.is_empty():
        raise Http404
    records = search(query)[0:EXPORT_LIMIT]
    return _download(exporting.export(records, fmt), fmt, "wyniki")


def record_detail(request, pk):
    record = get_object_or_404(Record.objects.select_related("host", "school"), pk=pk)
    can_edit = can_edit_record(request.user, record)
    schools = (
        librarian_schools(request.user) if can_edit or is_any_librarian(request.user) else None
    )
    context = {
        "record": record,
        "parts": selectors.record_parts(record)[:100],
        "citation": exporting.citation(record),
        # "<" escaped so a title can never close the <script> element
        "jsonld": json.dumps(_schema_org(request, record), ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026"),
        "can_edit": can_edit,
    }
    if can_edit:
        parsed = marc.from_stored(record.marc)
        context["marc_text"] = editor.to_text(parsed)
        context["warnings"] = marc.description_warnings(marc.describe(parsed))
    if schools is not None:
        context["my_lists"] = ReadingList.objects.filter(school__in=schools).exclude(
            kind=ReadingList.Kind.NEW
        )
        context["my_topics"] = Topic.objects.filter(school__in=schools)
    return render(request, "library/record.html", context)


def _schema_org(request, record: Record) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "Chapter" if record.host_id or record.host_title else "Book",
        "name": record.title,
        "url": request.build_absolute_uri(record.get_absolute_url()),
    }
    if record.names:
        data["author"] = [{"@type": "Person", "name": n} for n in record.names]
    if record.year:
        data["datePublished"] = str(record.year)
    if record.publisher:
        data["publisher"] = {"@type": "Organization", "name": record.publisher}
    if record.isbns:
        data["isbn"] = record.isbns
    if record.language:
        data["inLanguage"] = record.language
    if record.subjects:
        data["about"] = record.subjects
    if record.summary:
        data["description"] = record.summary
    if record.edition:
        data["bookEdition"] = record.edition
    if record.host_title:
        data["isPartOf"] = {"@type": "CreativeWork", "name": record.host_title}
    return data


def record_export(request, pk, fmt):
    if fmt not in exporting.EXPORT_FORMATS:
        raise Http404
    record = get_object_or_404(Record, pk=pk)
    return _download(exporting.export([record], fmt), fmt, f"rekord-{record.pk}")


@login_required
def record_edit(request, pk=None):
    record = None
    if pk is not None:
        record = get_object_or_404(Record, pk=pk)
        if not can_edit_record(request.user, record):
            raise Http404
        initial = {"text": editor.to_text(marc.from_stored(record.marc))}
        schools = None
    else:
        if not is_any_librarian(request.user):
            raise Http404
        schools = librarian_schools(request.user)
        initial = {"text": "LDR 00000nam a2200000 a 4500\n245 10 $a"}
    form = MarcEditForm(request.POST or None, initial=initial, schools=schools)
    if request.method == "POST" and form.is_valid():
        try:
            record = record_save_marc(
                user=request.user,
                text=form.cleaned_data["text"],
                record=record,
                school=form.cleaned_data.get("school"),
            )
        except LibraryError as exc:
            form.add_error("text", exc.message)
        else:
            messages.success(request, _("The record has been saved."))
            for warning in record.save_warnings:
                messages.warning(request, warning)
            return redirect(record)
    return render(request, "library/record_edit.html", {"form": form, "record": record})


@login_required
def record_form(request, pk=None):
    """The cataloguing form: new records of the common kinds, and the fields it
    manages of an existing record (the rest of its MARC stays as it is)."""
    record, base, schools = None, None, None
    if pk is not None:
        record = get_object_or_404(Record, pk=pk)
        if not can_edit_record(request.user, record):
            raise Http404
        base = marc.from_stored(record.marc)
        initial = cataloguing.form_initial(base, record.host_id)
    else:
        if not is_any_librarian(request.user):
            raise Http404
        schools = librarian_schools(request.user)
        initial = {"kind": "book", "language": "pol"}
        host_id = parse_id(request.GET.get("host", ""))
        if host_id is not None:
            host = Record.objects.filter(pk=host_id).first()
            if host is not None:  # "an article in this item" from the host's page
                initial.update(kind="article", host=host.pk, host_title=host.title)
    form = CatalogueForm(request.POST or None, initial=initial, schools=schools)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = record_save(
                user=request.user,
                parsed=cataloguing.build_record(data, base),
                record=record,
                school=data.get("school"),
                host=data.get("host"),
            )
        except LibraryError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The record has been saved."))
            for warning in record.save_warnings:
                messages.warning(request, warning)
            return redirect(record)
    return render(request, "library/record_form.html", {"form": form, "record": record})


@login_required
def record_history(request, pk):
    record = get_object_or_404(Record, pk=pk)
    if not can_edit_record(request.user, record):
        raise Http404
    changes = Paginator(record.changes.select_related("actor"), 20).get_page(
        request.GET.get("page")
    )
    rows = []
    for change in changes:
        before = (
            editor.to_text(marc.from_stored(change.before)).splitlines() if change.before else []
        )
        after = editor.to_text(marc.from_stored(change.after)).splitlines()
        rows.append(
            {
                "change": change,
                "removed": [line for line in before if line not in after],
                "added": [line for line in after if line not in before],
            }
        )
    return render(
        request, "library/record_history.html", {"record": record, "page": changes, "rows": rows}
    )


def subjects(request):
    letter = (request.GET.get("letter") or "")[:1]
    prefix = (request.GET.get("q") or "").strip()[:100]
    page = Paginator(selectors.subject_headings(letter, prefix), 50).get_page(
        request.GET.get("page")
    )
    headings = [row["value"] for row in page]
    refs = selectors.references_for(headings)
    langs = selectors.heading_languages(headings)
    rows = [
        dict(row, lang=langs.get(row["value"], ""), **refs.get(row["value"], {})) for row in page
    ]
    context = {
        "page": page,
        "rows": rows,
        "letter": letter,
        "prefix": prefix,
        "letters": "AĄBCĆDEĘFGHIJKLŁMNŃOÓPQRSŚTUVWXYZŹŻ",
        "see": selectors.see_references(letter, prefix) if (letter or prefix) else [],
    }
    return render(request, "library/subjects.html", context)


# --- Kartoteka zagadnieniowa ---------------------------------------------------------------


def topics(request):
    page = Paginator(selectors.topics_with_counts(), 50).get_page(request.GET.get("page"))
    return render(
        request, "library/topics.html", {"page": page, "can_add": is_any_librarian(request.user)}
    )


def topic_detail(request, slug):
    topic = get_object_or_404(Topic.objects.select_related("school"), slug=slug)
    page = Paginator(selectors.topic_entries(topic), 50).get_page(request.GET.get("page"))
    return render(request, "library/topic.html", {"topic": topic, "page": page})


def _librarian_create(request, form_class, save, title):
    """A librarian's "new list/topic" form: scoped to their schools, saved by a service."""
    if not is_any_librarian(request.user):
        raise Http404
    form = form_class(request.POST or None, schools=librarian_schools(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            obj = save(request.user, form.save(commit=False))
        except LibraryError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(obj)
    return render(request, "library/form.html", {"form": form, "title": title})


@login_required
def topic_new(request):
    return _librarian_create(
        request, TopicForm, lambda user, obj: topic_save(user=user, topic=obj), _("New topic")
    )


@login_required
@require_POST
def topic_add_record(request, pk):
    record = get_object_or_404(Record, pk=pk)
    form = AddToForm(request.POST)
    if not form.is_valid():
        raise Http404
    topic = get_object_or_404(
        Topic, pk=form.cleaned_data["target"], school__in=librarian_schools(request.user)
    )
    topic_add(user=request.user, topic=topic, record=record, note=form.cleaned_data["note"])
    messages.success(request, _("Added to the topic “%(name)s”.") % {"name": topic.name})
    return redirect(record)


# --- Reading lists ---------------------------------------------------------------------------


def reading_lists(request):
    page = Paginator(reading_lists_visible_to(request.user), 30).get_page(request.GET.get("page"))
    return render(
        request, "library/lists.html", {"page": page, "can_add": is_any_librarian(request.user)}
    )


def reading_list_detail(request, slug, pdf=False):
    reading_list = get_object_or_404(reading_lists_visible_to(request.user), slug=slug)
    if pdf:
        return _reading_list_pdf(request, reading_list)
    notes = dict(reading_list.items.values_list("record_id", "note"))
    records = reading_list_records(reading_list)
    can_edit = can_manage_school_library(request.user, reading_list.school)
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "library/list.html",
        {"list": reading_list, "page": page, "notes": notes, "can_edit": can_edit},
    )


def _reading_list_pdf(request, reading_list):
    """The PDF of the list's current version, rendered once (library.pdfs)."""
    try:
        name = reading_list_pdf(reading_list=reading_list, base_url=request.build_absolute_uri("/"))
    except LibraryError as exc:
        response = HttpResponse(exc.message, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = "30"
        return response
    return serve_protected_file(
        request, PRIVATE_STORAGE, name, f"{reading_list.slug}.pdf", as_attachment=False
    )


def reading_list_export(request, slug, fmt):
    if fmt not in exporting.EXPORT_FORMATS:
        raise Http404
    reading_list = get_object_or_404(reading_lists_visible_to(request.user), slug=slug)
    return _download(
        exporting.export(reading_list_records(reading_list)[:EXPORT_LIMIT], fmt),
        fmt,
        reading_list.slug,
    )


@login_required
def reading_list_new(request):
    return _librarian_create(
        request,
        ReadingListForm,
        lambda user, obj: reading_list_save(user=user, reading_list=obj),
        _("New reading list"),
    )


@login_required
@require_POST
def reading_list_add_record(request, pk):
    record = get_object_or_404(Record, pk=pk)
    form = AddToForm(request.POST)
    if not form.is_valid():
        raise Http404
    reading_list = get_object_or_404(
        ReadingList, pk=form.cleaned_data["target"], school__in=librarian_schools(request.user)
    )
    reading_list_add(
        user=request.user, reading_list=reading_list, record=record, note=form.cleaned_data["note"]
    )
    messages.success(request, _("Added to the list “%(name)s”.") % {"name": reading_list.title})
    return redirect(record)


@login_required
@require_POST
def reading_list_remove_record(request, slug, pk):
    reading_list = get_object_or_404(
        ReadingList, slug=slug, school__in=librarian_schools(request.user)
    )
    asked = confirm_delete(
        request,
        what=_("The record leaves the list %(name)s; the catalogue keeps it.")
        % {"name": reading_list.title},
        cancel_url=reading_list.get_absolute_url(),
    )
    if asked:
        return asked
    reading_list_remove(user=request.user, reading_list=reading_list, record_id=pk)
    return redirect(reading_list)


class NewAcquisitionsFeed(Feed):
    def title(self):
        return _("New in the school libraries")

    def description(self):
        return _("Records added to the catalogue in the last 60 days.")

    def link(self):
        return reverse("library:search")

    def items(self):
        since = timezone.now() - timezone.timedelta(days=60)
        return Record.objects.filter(created_at__gte=since).order_by("-created_at", "-pk")[:50]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return exporting.citation(item)

    def item_pubdate(self, item):
        return item.created_at


# --- Import from the librarian's screen --------------------------------------------------------


@login_required
def import_home(request):
    if not is_any_librarian(request.user):
        raise Http404
    schools = librarian_schools(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, schools=schools)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_job_create(
                user=request.user,
                school=form.cleaned_data["school"],
                file_name=upload.name,
                data=upload.read(),
                fmt=form.cleaned_data["fmt"],
            )
        except LibraryError as exc:
            form.add_error("file", exc.message)
        else:
            run_marc_import.enqueue(job.pk)
            return redirect("library:import_detail", pk=job.pk)
    page = Paginator(selectors.jobs_for(schools), 20).get_page(request.GET.get("page"))
    return render(request, "library/import.html", {"form": form, "page": page})


@login_required
def import_detail(request, pk):
    job = get_object_or_404(selectors.jobs_for(librarian_schools(request.user)), pk=pk)
    lines = job.lines.select_related("record")
    outcome = request.GET.get("outcome")
    if outcome:
        lines = lines.filter(outcome=outcome)
    page = Paginator(lines, 100).get_page(request.GET.get("page"))
    running = not job.is_final
    return render(
        request,
        "library/import_detail.html",
        {"job": job, "page": page, "running": running, "outcome": outcome},
    )
