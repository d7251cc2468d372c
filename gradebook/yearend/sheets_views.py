"""The record sheets (arkusze ocen): the school's classes by year, a class's
pupils, and the PDFs of one pupil or of the whole class, the latter also
prepared in the background. Those who run the school's year end see every class
of the school; a homeroom teacher sees their own class; anyone else, and
anything of another school, gets 404. Opening a sheet is recorded in the read
audit (personal data and grades)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.audit import note_reads
from portal.files import PRIVATE_STORAGE, serve_protected_file
from portal.models import ReadAccess, SchoolClass
from portal.pdfs import pdf_response
from portal.permissions import user_roles
from portal.services import PortalError

from .export_jobs import class_sheets_job_create, job_filename, register_export_audit
from .models import RegisterExportJob
from .permissions import can_view_class_classification, classes_visible_to, year_end_schools
from .statutory import sheets
from .views import _school

CLASSES_PER_PAGE = 60
JOBS_SHOWN = 10
SHEETS_JOB = RegisterExportJob.Format.SHEETS_PDF


def _sheet_class(request, class_pk) -> SchoolClass:
    school_class = get_object_or_404(
        classes_visible_to(request.user).select_related("homeroom_teacher"), pk=class_pk
    )
    if not can_view_class_classification(request.user, school_class):
        raise Http404
    return school_class


def _note_sheet_reads(request, pupils, school) -> None:
    for what in (ReadAccess.What.PERSONAL, ReadAccess.What.GRADES):
        note_reads(request, pupils=pupils, what=what, school=school)


@login_required
@require_GET
def sheets_index(request):
    """The schools whose sheets the user keeps, and their own classes as
    homeroom teacher; one school and no class goes straight to it."""
    schools = list(year_end_schools(request.user).order_by("name"))
    classes = list(
        classes_visible_to(request.user)
        .filter(pk__in=user_roles(request.user).homeroom_class_ids)
        .order_by("-school_year__start", "level", "name")
    )
    if not schools and not classes:
        raise Http404
    if len(schools) == 1 and not classes:
        return redirect("yearend:sheets_school", schools[0].pk)
    return render(request, "yearend/sheets/index.html", {"schools": schools, "classes": classes})


@login_required
@require_GET
def sheets_school(request, school_pk):
    school = _school(request, school_pk)
    classes = (
        SchoolClass.objects.for_school(school)
        .select_related("school_year", "homeroom_teacher")
        .order_by("-school_year__start", "level", "name")
    )
    page = Paginator(classes, CLASSES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "yearend/sheets/school.html", {"school": school, "page": page})


@login_required
@require_GET
def sheets_class(request, class_pk):
    school_class = _sheet_class(request, class_pk)
    enrolments = sheets.class_sheet_pupils(school_class)
    jobs = list(
        RegisterExportJob.objects.filter(school_class=school_class, fmt=SHEETS_JOB)
        .select_related("requested_by")
        .order_by("-created_at", "-pk")[:JOBS_SHOWN]
    )
    return render(
        request,
        "yearend/sheets/class.html",
        {
            "school_class": school_class,
            "enrolments": enrolments,
            "jobs": jobs,
            "running": any(not job.is_final for job in jobs),
        },
    )


@login_required
@require_POST
def sheets_class_job_start(request, class_pk):
    """Queue the class's record sheets as one PDF for the task worker."""
    school_class = _sheet_class(request, class_pk)
    try:
        class_sheets_job_create(user=request.user, school_class=school_class)
    except PortalError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The class's record sheets are being prepared; they appear below when ready."),
        )
    return redirect(f"{reverse('yearend:sheets_class', args=[school_class.pk])}#sheet-jobs")


@login_required
@require_GET
def sheets_class_job_file(request, class_pk, job_pk):
    """The PDF a finished job made; recorded like a direct download: the audit
    trail's `register_export.sheets-pdf` and a read of every pupil the class
    keeps a sheet of."""
    school_class = _sheet_class(request, class_pk)
    job = get_object_or_404(
        RegisterExportJob.objects.select_related("school_year__school", "school_class"),
        pk=job_pk,
        school_class=school_class,
        fmt=SHEETS_JOB,
        status=RegisterExportJob.Status.SUCCEEDED,
    )
    if not job.file:
        raise Http404
    register_export_audit(
        user=request.user,
        school_year=job.school_year,
        school_class=school_class,
        fmt=job.fmt,
        job=job,
    )
    school = school_class.school_year.school
    _note_sheet_reads(request, [e.pupil for e in sheets.class_sheet_pupils(school_class)], school)
    return serve_protected_file(request, PRIVATE_STORAGE, job.file.name, job_filename(job))


@login_required
@require_GET
def sheets_class_pdf(request, class_pk):
    school_class = _sheet_class(request, class_pk)
    school = school_class.school_year.school
    pupils = [e.pupil for e in sheets.class_sheet_pupils(school_class)]
    data = sheets.sheets_pdf(pupils, school, base_url=request.build_absolute_uri("/"))
    _note_sheet_reads(request, pupils, school)
    name = f"arkusze-ocen-{school_class.name}-{school_class.school_year.name}"
    return pdf_response(data, filename=name)


@login_required
@require_GET
def sheets_pupil_pdf(request, class_pk, pupil_pk):
    school_class = _sheet_class(request, class_pk)
    enrolment = next(
        (e for e in sheets.class_sheet_pupils(school_class) if e.pupil_id == pupil_pk), None
    )
    if enrolment is None:
        raise Http404
    school = school_class.school_year.school
    data = sheets.pupil_sheet_pdf(enrolment.pupil, school, base_url=request.build_absolute_uri("/"))
    _note_sheet_reads(request, [enrolment.pupil], school)
    return pdf_response(data, filename=f"arkusz-ocen-{enrolment.pupil.sort_name}")
