"""The register export screens: a school's years and classes with XML and JSON
downloads, the whole school's export prepared in the background."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.files import PRIVATE_STORAGE, serve_protected_file
from portal.models import SchoolClass, SchoolYear
from portal.services import PortalError

from .export_jobs import (
    CLASS_KINDS,
    job_filename,
    register_export_audit,
    register_export_class,
    register_export_job_create,
)
from .models import RegisterExportJob
from .permissions import year_end_schools
from .xml_export import CONTENT_TYPES

JOBS_SHOWN = 20


def _school(request, school_pk):
    """The school, if the user runs its year's end (another school's: 404)."""
    return get_object_or_404(year_end_schools(request.user), pk=school_pk)


@login_required
@require_GET
def export_index(request):
    schools = list(year_end_schools(request.user).order_by("name"))
    if not schools:
        raise Http404
    if len(schools) == 1:
        return redirect("yearend:export", schools[0].pk)
    return render(request, "yearend/export_index.html", {"schools": schools})


@login_required
@require_GET
def export_school(request, school_pk):
    school = _school(request, school_pk)
    years = SchoolYear.objects.filter(school=school).prefetch_related(
        Prefetch(
            "classes",
            queryset=SchoolClass.objects.select_related("homeroom_teacher").order_by(
                "level", "name"
            ),
        )
    )
    jobs = list(
        RegisterExportJob.objects.filter(school=school)
        .exclude(fmt__in=CLASS_KINDS)  # listed on their class's page
        .select_related("school_year", "requested_by")
        .order_by("-created_at", "-pk")[:JOBS_SHOWN]
    )
    return render(
        request,
        "yearend/export.html",
        {
            "school": school,
            "years": years,
            "jobs": jobs,
            "running": any(not job.is_final for job in jobs),
        },
    )


@login_required
@require_GET
def export_class(request, school_pk, class_pk, fmt):
    school = _school(request, school_pk)
    school_class = get_object_or_404(
        SchoolClass.objects.select_related("school_year__school"),
        pk=class_pk,
        school_year__school=school,
    )
    try:
        out, name = register_export_class(user=request.user, school_class=school_class, fmt=fmt)
    except PortalError as exc:  # the URL admits xml and json only: not reached
        raise Http404 from exc
    response = FileResponse(out, as_attachment=True, filename=name)
    response["Content-Type"] = f"{CONTENT_TYPES[fmt]}; charset=utf-8"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def export_school_start(request, school_pk, year_pk, fmt):
    school = _school(request, school_pk)
    school_year = get_object_or_404(SchoolYear, pk=year_pk, school=school)
    try:
        register_export_job_create(user=request.user, school_year=school_year, fmt=fmt)
    except PortalError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The export of the whole school is being prepared; it will appear below when ready."),
        )
    return redirect("yearend:export", school.pk)


@login_required
@require_GET
def export_job_file(request, school_pk, job_pk):
    school = _school(request, school_pk)
    job = get_object_or_404(
        RegisterExportJob.objects.select_related("school_year__school", "school_class"),
        pk=job_pk,
        school=school,
        status=RegisterExportJob.Status.SUCCEEDED,
    )
    if job.fmt in CLASS_KINDS:  # downloaded from the class's page, which notes the reads
        raise Http404
    if not job.file:
        raise Http404
    register_export_audit(
        user=request.user,
        school_year=job.school_year,
        school_class=job.school_class,
        fmt=job.fmt,
        job=job,
    )
    return serve_protected_file(request, PRIVATE_STORAGE, job.file.name, job_filename(job))
