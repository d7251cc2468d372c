"""The year-end archive screens: a school's signed archives with their
retention dates and verification, the button that archives a year in the
background, the ZIP download and the check of an archive."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.models import SchoolYear
from portal.services import PortalError

from .archive import ArchiveReport, year_archive_request, year_archive_verify, year_archive_zip
from .archive_signing import signing_configured
from .models import YearArchive
from .permissions import year_end_schools

ARCHIVES_PER_PAGE = 20


def _school(request, school_pk):
    """The school, if the user runs its year's end (another school's: 404)."""
    return get_object_or_404(year_end_schools(request.user), pk=school_pk)


def _archive(school, archive_pk, **filters):
    return get_object_or_404(
        YearArchive.objects.select_related("school_year__school", "requested_by", "verified_by"),
        pk=archive_pk,
        school=school,
        **filters,
    )


@login_required
@require_GET
def archive_index(request):
    schools = list(year_end_schools(request.user).order_by("name"))
    if not schools:
        raise Http404
    if len(schools) == 1:
        return redirect("yearend_archive:school", schools[0].pk)
    return render(request, "yearend/archive_index.html", {"schools": schools})


@login_required
@require_GET
def archive_school(request, school_pk):
    school = _school(request, school_pk)
    archives = Paginator(
        YearArchive.objects.filter(school=school).select_related(
            "school_year", "requested_by", "verified_by"
        ),
        ARCHIVES_PER_PAGE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "yearend/archive_school.html",
        {
            "school": school,
            "years": SchoolYear.objects.filter(school=school).order_by("-start"),
            "archives": archives,
            "configured": signing_configured(school),
            "running": any(not archive.is_final for archive in archives),
        },
    )


@login_required
@require_POST
def archive_start(request, school_pk, year_pk):
    school = _school(request, school_pk)
    school_year = get_object_or_404(SchoolYear, pk=year_pk, school=school)
    try:
        year_archive_request(user=request.user, school_year=school_year)
    except PortalError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The archive of %(year)s is being made; it will appear below when ready.")
            % {"year": school_year.name},
        )
    return redirect("yearend_archive:school", school.pk)


@login_required
@require_GET
def archive_detail(request, school_pk, archive_pk):
    school = _school(request, school_pk)
    archive = _archive(school, archive_pk)
    report = ArchiveReport.from_dict(archive.verification) if archive.verified_at else None
    return render(
        request,
        "yearend/archive_detail.html",
        {"school": school, "archive": archive, "report": report},
    )


@login_required
@require_POST
def archive_verify(request, school_pk, archive_pk):
    school = _school(request, school_pk)
    archive = _archive(school, archive_pk, status=YearArchive.Status.SUCCEEDED)
    try:
        report = year_archive_verify(archive=archive, user=request.user)
    except PortalError as exc:  # not reached: the archive is looked up finished and allowed
        messages.error(request, exc.message)
    else:
        if report.ok:
            messages.success(request, _("The archive is intact: every file and signature checks."))
        else:
            messages.error(request, _("The archive differs from its manifest or signatures."))
    return redirect("yearend_archive:detail", school.pk, archive.pk)


@login_required
@require_GET
def archive_download(request, school_pk, archive_pk):
    school = _school(request, school_pk)
    archive = _archive(school, archive_pk, status=YearArchive.Status.SUCCEEDED)
    try:
        out, name = year_archive_zip(archive=archive, user=request.user)
    except PortalError as exc:
        raise Http404 from exc
    response = FileResponse(out, as_attachment=True, filename=name, content_type="application/zip")
    response["Cache-Control"] = "private, no-store"
    return response
