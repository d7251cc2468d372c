"""The classification summaries: thin views that find the school or class in the
user's reach (another school's answers 404), check the named rule, call one
selector and render the page, the CSV or the PDF."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from gradebook.selectors import current_term
from portal.audit import note_reads
from portal.inputs import id_param
from portal.models import ReadAccess, Term
from portal.permissions import user_roles

from . import hub, printouts, selectors
from .permissions import (
    can_run_year_end,
    can_view_class_classification,
    classes_visible_to,
    year_end_schools,
)


def _school(request, school_pk):
    school = get_object_or_404(year_end_schools(request.user), pk=school_pk)
    if not can_run_year_end(request.user, school):
        raise Http404
    return school


def _school_term(request, school, terms):
    """The term chosen by `?term=` among the school's, else the current one."""
    term_id = id_param(request.GET, "term")
    if term_id is not None:
        return get_object_or_404(terms, pk=term_id)
    year = school.current_year()
    term = current_term(year) if year else None
    if term is None:
        term = terms.first()
    if term is None:
        raise Http404
    return Term.objects.select_related("school_year").get(pk=term.pk)


def _school_result(request, school_pk):
    school = _school(request, school_pk)
    terms = selectors.terms_of_school(school)
    term = _school_term(request, school, terms)
    return selectors.school_classification(school=school, term=term), terms


def _class_result(request, class_pk):
    school_class = get_object_or_404(classes_visible_to(request.user), pk=class_pk)
    if not can_view_class_classification(request.user, school_class):
        raise Http404
    terms = Term.objects.filter(school_year=school_class.school_year).select_related("school_year")
    term_id = id_param(request.GET, "term")
    if term_id is not None:
        term = get_object_or_404(terms, pk=term_id)
    else:
        term = current_term(school_class.school_year)
        if term is None:
            raise Http404
    result = selectors.class_classification(school_class=school_class, term=term)
    # Read auditing: the pupils' grades were shown (one INSERT for all of them).
    note_reads(
        request,
        pupils=[r.pupil for r in result.rows],
        what=ReadAccess.What.GRADES,
        school=school_class.school_year.school_id,
    )
    return result, terms


@login_required
@require_GET
def index(request):
    """ "Koniec roku": for each school whose year end the user runs, the steps of
    closing the year; for a homeroom teacher, their classes' steps."""
    schools = list(year_end_schools(request.user).order_by("name"))
    roles = user_roles(request.user)
    classes = list(
        classes_visible_to(request.user)
        .current()
        .filter(pk__in=roles.homeroom_class_ids)
        .select_related("school_year__school")
        .order_by("level", "name")
    )
    if not schools and not classes:
        raise Http404
    context = {
        "schools": [(school, hub.school_links(school)) for school in schools],
        "classes": [(c, hub.class_links(c)) for c in classes],
    }
    return render(request, "yearend/index.html", context)


@login_required
@require_GET
def school_summary(request, school_pk):
    result, terms = _school_result(request, school_pk)
    return render(
        request,
        "yearend/school.html",
        {"school": result.school, "result": result, "terms": terms, "term": result.term},
    )


@login_required
@require_GET
def school_csv(request, school_pk):
    result, _terms = _school_result(request, school_pk)
    return printouts.school_csv(result)


@login_required
@require_GET
def school_pdf(request, school_pk):
    result, _terms = _school_result(request, school_pk)
    return printouts.school_pdf(result, base_url=request.build_absolute_uri("/"))


@login_required
@require_GET
def class_summary(request, class_pk):
    result, terms = _class_result(request, class_pk)
    school_class = result.school_class
    return render(
        request,
        "yearend/class.html",
        {
            "school_class": school_class,
            "result": result,
            "terms": terms,
            "term": result.term,
            "can_run": can_run_year_end(request.user, school_class.school_year.school_id),
        },
    )


@login_required
@require_GET
def class_csv(request, class_pk):
    result, _terms = _class_result(request, class_pk)
    return printouts.class_csv(result)


@login_required
@require_GET
def class_pdf(request, class_pk):
    result, _terms = _class_result(request, class_pk)
    return printouts.class_pdf(result, base_url=request.build_absolute_uri("/"))
