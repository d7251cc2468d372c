"""Data-protection pages: thin views, each checking its named rule."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from ..changes import describe
from ..models import School, User
from ..permissions import (
    can_act_as_dpo,
    can_use_privacy_pages,
    can_view_audit,
    can_view_read_audit,
)
from . import export, retention, selectors
from .forms import AuditFilterForm, PersonSearchForm, ReadAccessFilterForm

PAGE_SIZE = 50


def _require(allowed: bool) -> None:
    # 404, not 403: the pages of roles one does not hold do not exist for them.
    if not allowed:
        raise Http404


def _page(request, queryset, size=PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


@login_required
@require_GET
def home(request):
    _require(can_use_privacy_pages(request.user))
    return render(
        request,
        "portal/privacy/home.html",
        {
            "is_dpo": can_act_as_dpo(request.user),
            "audit": can_view_audit(request.user),
            "reads": can_view_read_audit(request.user),
            "years": [
                (retention.KIND_LABELS[kind], n) for kind, n in retention.retention_years().items()
            ],
        },
    )


@login_required
@require_GET
def people(request):
    _require(can_act_as_dpo(request.user))
    form = PersonSearchForm(request.GET)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    page = _page(request, selectors.person_search(q=q), 25) if q else None
    return render(request, "portal/privacy/people.html", {"form": form, "q": q, "page": page})


def _rectification_schools(person: User):
    """The schools whose admins can correct the person's data."""
    return School.objects.filter(
        Q(years__classes__enrolments__pupil=person)
        | Q(role_assignments__user=person)
        | Q(years__classes__enrolments__pupil__guardian_links__guardian=person)
        | Q(years__classes__assignments__teacher=person)
    ).distinct()


@login_required
@require_GET
def person(request, pk):
    _require(can_act_as_dpo(request.user))
    person = get_object_or_404(User, pk=pk)
    return render(
        request,
        "portal/privacy/person.html",
        {"person": person, "schools": _rectification_schools(person)},
    )


@login_required
@require_GET
def person_export(request, pk, fmt):
    _require(can_act_as_dpo(request.user))
    person = get_object_or_404(User, pk=pk)
    data = export.person_export(person=person)
    export.export_recorded(actor=request.user, person=person, fmt=fmt)
    stamp = timezone.localdate().isoformat()
    if fmt == "json":
        response = HttpResponse(
            export.export_json(data), content_type="application/json; charset=utf-8"
        )
    else:
        pdf = export.export_pdf(data, person=person, base_url=request.build_absolute_uri("/"))
        response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="dane-osoby-{pk}-{stamp}.{fmt}"'
    return response


def _target_model(event):
    if not event.target_type_id:
        return None
    return ContentType.objects.get_for_id(event.target_type_id).model_class()


@login_required
@require_GET
def audit_trail(request):
    _require(can_view_audit(request.user))
    form = AuditFilterForm(request.GET)
    page = _page(request, selectors.audit_events_for(user=request.user, **form.filters()))
    describe(page, model_of=_target_model)
    return render(request, "portal/privacy/audit.html", {"form": form, "page": page})


@login_required
@require_GET
def read_audit(request):
    _require(can_view_read_audit(request.user))
    form = ReadAccessFilterForm(request.GET)
    page = _page(request, selectors.read_accesses_for(user=request.user, **form.filters()))
    return render(request, "portal/privacy/reads.html", {"form": form, "page": page})


@login_required
@require_GET
def anonymisation_report(request):
    _require(can_act_as_dpo(request.user))
    report = retention.anonymisation_candidates()
    return render(
        request,
        "portal/privacy/anonymisation.html",
        {"report": report},
    )
