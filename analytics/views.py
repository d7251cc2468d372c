"""The officer's pages: the overview of the gmina's schools, the definitions of
every figure, and the button that asks for a computation now."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.inputs import parse_id
from portal.models import School
from portal.pdfs import pdf_response, render_pdf

from . import exports, reports
from .charts import charts_for
from .measures import MEASURES, MIN_POPULATION, open_data_licence
from .permissions import can_compute_analytics, can_view_analytics
from .selectors import municipal_overview
from .services import aggregation_run_queue

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_response(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _check(user, rule) -> None:
    # Like every page of the portal: a refused role gets 404, never 403.
    if not rule(user):
        raise Http404


@login_required
@require_GET
def overview(request):
    _check(request.user, can_view_analytics)
    return render(request, "analytics/overview.html", municipal_overview())


@login_required
@require_GET
def definitions(request):
    _check(request.user, can_view_analytics)
    return render(request, "analytics/definitions.html", {"measures": MEASURES.values()})


@login_required
@require_POST
def compute(request):
    _check(request.user, can_compute_analytics)
    aggregation_run_queue(user=request.user, full=request.POST.get("full") == "1")
    messages.success(
        request, _("The figures will be computed again in the background; this page shows when.")
    )
    return redirect("analytics:overview")


# --- Trends, comparisons, drill-down, exports ---------------------------------------------


def _figure_page(request, template: str, tables: list, **context):
    """A page of tables, or one of its tables as a file (`?eksport=csv|xlsx`,
    `&tabela=<slug>`; XLSX without a table is every table of the page)."""
    fmt = request.GET.get("eksport")
    if fmt in ("csv", "xlsx"):
        wanted = request.GET.get("tabela")
        chosen = [t for t in tables if t.slug == wanted] if wanted else tables
        if not chosen or (fmt == "csv" and len(chosen) != 1):
            raise Http404
        name = chosen[0].slug if len(chosen) == 1 else template.split("/")[-1][:-5]
        if fmt == "csv":
            return file_response(
                exports.as_csv(chosen[0]), f"{name}.csv", "text/csv; charset=utf-8"
            )
        return file_response(
            exports.as_xlsx(chosen, computed_at=reports.computed_at()), f"{name}.xlsx", XLSX
        )
    keys = [c.measure for t in tables for c in t.columns if c.measure]
    if context.get("measure"):
        keys.insert(0, context["measure"].key)
    context.update(
        tables=tables,
        about=[MEASURES[k] for k in dict.fromkeys(keys)],
        keep=urlencode({k: v for k, v in request.GET.items() if k not in ("eksport", "tabela")}),
        computed_at=reports.computed_at(),
        min_population=MIN_POPULATION,
        measures=MEASURES,
    )
    return render(request, template, context)


@login_required
@require_GET
def measure(request, key):
    _check(request.user, can_view_analytics)
    if key not in MEASURES:
        raise Http404
    school = None
    if request.GET.get("szkola"):
        # A school id that is not a number is a school that does not exist (404, not 500).
        wanted = parse_id(request.GET["szkola"])
        if wanted is None:
            raise Http404
        school = get_object_or_404(School.objects.active(), pk=wanted)
    today = timezone.localdate()
    if key in reports.TRENDS:
        tables = reports.measure_trend(key=key, today=today, school=school)
    else:
        tables = []
    return _figure_page(
        request,
        "analytics/measure.html",
        tables,
        measure=MEASURES[key],
        school=school,
        schools=School.objects.active().order_by("name"),
        charts=charts_for(tables, key=key),
    )


@login_required
@require_GET
def compare(request, school_type):
    _check(request.user, can_view_analytics)
    if school_type not in School.Type.values:
        raise Http404
    tables = reports.school_comparison(school_type=school_type, today=timezone.localdate())
    key = request.GET.get("miara", "attendance")
    if key not in MEASURES:
        key = "attendance"
    return _figure_page(
        request,
        "analytics/compare.html",
        tables,
        school_type=School.Type(school_type),
        chosen=MEASURES[key],
        charts=charts_for(tables, key=key),
    )


@login_required
@require_GET
def school(request, pk):
    _check(request.user, can_view_analytics)
    chosen = get_object_or_404(School.objects.active(), pk=pk)
    tables = reports.school_drilldown(school=chosen)
    return _figure_page(
        request,
        "analytics/school.html",
        tables,
        school=chosen,
        charts=charts_for(tables, key="attendance"),
    )


@login_required
@require_GET
def workbook(request):
    _check(request.user, can_view_analytics)
    tables = reports.year_tables(today=timezone.localdate())
    data = exports.as_xlsx(tables, computed_at=reports.computed_at())
    return file_response(data, "gmina-zestawienie.xlsx", XLSX)


@login_required
@require_GET
def report_pdf(request):
    _check(request.user, can_view_analytics)
    today = timezone.localdate()
    tables = reports.year_tables(today=today)
    context = {
        "tables": tables,
        "charts": charts_for(tables, key="attendance"),
        "measures": MEASURES,
        "computed_at": reports.computed_at(),
        "today": today,
        "min_population": MIN_POPULATION,
    }
    data = render_pdf("analytics/report_pdf.html", context, request.build_absolute_uri("/"))
    return pdf_response(data, filename=_("Education in the gmina %(date)s") % {"date": today})


# --- Open data: public ----------------------------------------------------------------------


@require_GET
def open_data(request):
    table = reports.open_data()
    return render(
        request,
        "analytics/open_data.html",
        {
            "tables": [table],
            "about": [MEASURES[k] for k in reports.OPEN_DATA],
            "licence": open_data_licence(),
            "measures": MEASURES,
            "computed_at": reports.computed_at(),
            "min_population": MIN_POPULATION,
        },
    )


@require_GET
def open_data_csv(request):
    data = exports.open_data_csv(reports.open_data(), licence=open_data_licence())
    return file_response(data, "dane-oswiata-gmina.csv", "text/csv; charset=utf-8")
