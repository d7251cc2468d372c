"""The statutory printouts' screens: choose a class and a month (or the whole
year) and download its register or attendance report; a school's admin also
prepares the whole school's registers as one ZIP in the background.

A homeroom teacher prints their own class; a school's admins and headteachers
any class of the school. Classes are looked up through the user's scoped
queryset, so another school's class, or a class that is not one's own, is 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.audit import audit_record
from portal.models import AuditEvent, School, SchoolClass, SchoolYear
from portal.pdfs import pdf_response
from portal.permissions import user_roles
from portal.services import PortalError

from .export_jobs import register_export_job_create
from .models import RegisterExportJob
from .permissions import (
    can_run_year_end,
    can_view_class_classification,
    classes_visible_to,
    year_end_school_ids,
)
from .statutory.attendance_pdf import (
    attendance_filename,
    attendance_report_csv,
    attendance_report_pdf,
    class_attendance_report,
)
from .statutory.forms import PrintoutForm, month_error, parse_month
from .statutory.register_pdf import class_register_pdf, register_filename

JOBS_SHOWN = 10
BATCH = RegisterExportJob.Format.REGISTER_PDFS


def _schools(user):
    """Schools where the user prints something: those whose year end they run
    and those of their homeroom classes."""
    school_ids = year_end_school_ids(user)
    if school_ids is None:
        return School.objects.all()
    homeroom = user_roles(user).homeroom_class_ids
    return School.objects.filter(
        Q(pk__in=school_ids) | Q(years__classes__pk__in=homeroom)
    ).distinct()


def _class(request, class_pk) -> SchoolClass:
    school_class = get_object_or_404(classes_visible_to(request.user), pk=class_pk)
    if not can_view_class_classification(request.user, school_class):
        raise Http404
    return school_class


def _audit(request, school_class: SchoolClass, document: str, period: str) -> None:
    audit_record(
        actor=request.user,
        category=AuditEvent.Category.YEAR_END,
        action=f"statutory_print.{document}",
        school=school_class.school_year.school_id,
        target=school_class,
        after={"school_year": school_class.school_year_id},
        reason=period,
        only_changes=False,
    )


def _month_or_back(request, school_class: SchoolClass, *, required: bool):
    """The `?month=` of a download, or a redirect back to the form with the
    reason (a link typed by hand, a month outside the class's year)."""
    try:
        month = parse_month(request.GET.get("month", ""))
    except ValueError:
        error = _("Give the month as year and month, e.g. 2027-03.")
    else:
        error = month_error(school_class, month)
        if error is None and month is None and required:
            error = _("The attendance report is made for one month: choose it.")
        if error is None:
            return month, None
    messages.error(request, error)
    return None, redirect("yearend:statutory", school_class.school_year.school_id)


@login_required
@require_GET
def statutory_index(request):
    schools = list(_schools(request.user).order_by("name"))
    if not schools:
        raise Http404
    if len(schools) == 1:
        return redirect("yearend:statutory", schools[0].pk)
    return render(request, "yearend/statutory/index.html", {"schools": schools})


@login_required
@require_GET
def statutory_school(request, school_pk):
    school = get_object_or_404(_schools(request.user), pk=school_pk)
    classes = (
        classes_visible_to(request.user)
        .filter(school_year__school=school)
        .order_by("-school_year__start", "level", "name")
    )
    runs_year_end = can_run_year_end(request.user, school)
    bound = "school_class" in request.GET
    form = PrintoutForm(request.GET if bound else None, classes=classes)
    if bound and form.is_valid():
        data = form.cleaned_data
        document, month = data["document"], data["month"]
        if document == "register":
            url = reverse("yearend:statutory_register", args=[data["school_class"].pk])
        else:
            fmt = document.removeprefix("attendance-")
            url = reverse("yearend:statutory_attendance", args=[data["school_class"].pk, fmt])
        return redirect(f"{url}?month={month:%Y-%m}" if month else url)
    context = {"school": school, "form": form, "runs_year_end": runs_year_end}
    if runs_year_end:
        jobs = list(
            RegisterExportJob.objects.filter(school=school, fmt=BATCH)
            .select_related("school_year", "requested_by")
            .order_by("-created_at", "-pk")[:JOBS_SHOWN]
        )
        context |= {
            "years": SchoolYear.objects.filter(school=school).order_by("-start"),
            "jobs": jobs,
            "running": any(not job.is_final for job in jobs),
        }
    return render(
        request, "yearend/statutory/school.html", context, status=400 if form.errors else 200
    )


@login_required
@require_GET
def statutory_register(request, class_pk):
    school_class = _class(request, class_pk)
    month, back = _month_or_back(request, school_class, required=False)
    if back:
        return back
    data = class_register_pdf(school_class, month=month)
    _audit(request, school_class, "register", f"{month:%Y-%m}" if month else "")
    return pdf_response(data, filename=register_filename(school_class, month), inline=False)


@login_required
@require_GET
def statutory_attendance(request, class_pk, fmt):
    if fmt not in ("pdf", "csv"):
        raise Http404
    school_class = _class(request, class_pk)
    month, back = _month_or_back(request, school_class, required=True)
    if back:
        return back
    report = class_attendance_report(school_class, month=month)
    _audit(request, school_class, f"attendance_{fmt}", f"{month:%Y-%m}")
    if fmt == "csv":
        return attendance_report_csv(report)
    return pdf_response(
        attendance_report_pdf(report), filename=attendance_filename(report), inline=False
    )


@login_required
@require_POST
def statutory_batch_start(request, school_pk, year_pk):
    school = get_object_or_404(_schools(request.user), pk=school_pk)
    if not can_run_year_end(request.user, school):
        raise Http404
    school_year = get_object_or_404(SchoolYear, pk=year_pk, school=school)
    try:
        register_export_job_create(user=request.user, school_year=school_year, fmt=BATCH)
    except PortalError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _(
                "The registers of the whole school are being prepared; "
                "they appear below when ready."
            ),
        )
    return redirect(f"{reverse('yearend:statutory', args=[school.pk])}#batches")
