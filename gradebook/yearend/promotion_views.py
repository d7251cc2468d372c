"""Promotion decisions and exam retakes: thin views that find the class or
school in the user's reach (another school's answers 404), check the named
rule, parse the form, call one service of `promotion` and render."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gradebook import scale
from gradebook.services import GradebookError
from portal.audit import note_reads
from portal.inputs import IdField, id_param
from portal.models import ReadAccess, SchoolYear

from . import promotion
from .permissions import can_run_year_end, can_view_class_classification, classes_visible_to
from .views import _school

# --- Forms ----------------------------------------------------------------------------------


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Decision"))
    note = forms.CharField(
        label=gettext_lazy("Reason or note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, school_class, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [
            (o.value, o.label) for o in promotion.outcomes_for(school_class)
        ]


class DateInput(forms.DateInput):
    input_type = "date"


class ResolutionForm(forms.Form):
    resolution_number = forms.CharField(label=gettext_lazy("Resolution number"), max_length=50)
    resolution_date = forms.DateField(
        label=gettext_lazy("Resolution date"), widget=DateInput(format="%Y-%m-%d")
    )


GRADE_CHOICES = [(g, f"{g} ({scale.grade_word(g)})") for g in range(1, 7)]


class RetakeForm(forms.Form):
    # An id, not a choice: a subject without a failing grade reaches the service,
    # which refuses it with its reason.
    subject = IdField(label=gettext_lazy("Subject"))
    date = forms.DateField(label=gettext_lazy("Exam date"), widget=DateInput(format="%Y-%m-%d"))
    grade = forms.TypedChoiceField(
        label=gettext_lazy("Annual grade after the exam"), choices=GRADE_CHOICES, coerce=int
    )
    board = forms.CharField(label=gettext_lazy("Exam board"), required=False, max_length=300)
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    council_allows_two = forms.BooleanField(
        label=gettext_lazy("The teachers' council allowed retakes in two subjects"),
        required=False,
    )

    def __init__(self, *args, subjects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].widget = forms.Select(choices=[(s.pk, s.name) for s in subjects])


def _form_error(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


# --- Lookups --------------------------------------------------------------------------------


def _class(request, class_pk):
    """The class, for its homeroom teacher and those who run the school's year end."""
    school_class = get_object_or_404(classes_visible_to(request.user), pk=class_pk)
    if not can_view_class_classification(request.user, school_class):
        raise Http404
    return school_class


def _admin_class(request, class_pk):
    school_class = _class(request, class_pk)
    if not can_run_year_end(request.user, school_class.school_year.school_id):
        raise Http404
    return school_class


def _decisions(request, school_class):
    page = promotion.class_decisions(school_class=school_class)
    if page is None:
        raise Http404
    # Read auditing: the pupils' annual grades were shown.
    note_reads(
        request,
        pupils=[r.pupil for r in page.rows],
        what=ReadAccess.What.GRADES,
        school=school_class.school_year.school_id,
    )
    return page


def _class_url(school_class, anchor=""):
    url = reverse("yearend:promotion_class", args=[school_class.pk])
    return f"{url}#{anchor}" if anchor else url


def _class_page(request, school_class, *, error=None, resolution_form=None):
    page = _decisions(request, school_class)
    return render(
        request,
        "yearend/promotion_class.html",
        {
            "school_class": school_class,
            "page": page,
            "can_run": can_run_year_end(request.user, school_class.school_year.school_id),
            "resolution_form": resolution_form or ResolutionForm(),
            "error": error,
        },
        status=400 if error else 200,
    )


# --- Views ----------------------------------------------------------------------------------


@login_required
@require_GET
def promotion_class(request, class_pk):
    """Each pupil's proposed outcome, decision and confirmations; the forms to
    decide, to confirm as homeroom teacher and (admins) for the school."""
    return _class_page(request, _class(request, class_pk))


@login_required
@require_POST
def promotion_decision(request, class_pk, pupil_pk):
    school_class = _class(request, class_pk)
    form = DecisionForm(request.POST, school_class=school_class)
    if not form.is_valid():
        return _class_page(request, school_class, error=_form_error(form))
    try:
        promotion.decision_set(
            school_class=school_class,
            pupil_id=pupil_pk,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
            user=request.user,
        )
    except GradebookError as exc:
        return _class_page(request, school_class, error=exc.message)
    messages.success(request, _("The decision is saved."))
    return redirect(_class_url(school_class, f"pupil-{pupil_pk}"))


@login_required
@require_POST
def promotion_confirm_homeroom(request, class_pk):
    school_class = _class(request, class_pk)
    try:
        count = promotion.decisions_confirm_homeroom(school_class=school_class, user=request.user)
    except GradebookError as exc:
        return _class_page(request, school_class, error=exc.message)
    messages.success(
        request, _("Decisions confirmed by the homeroom teacher: %(n)s.") % {"n": count}
    )
    return redirect(_class_url(school_class))


@login_required
@require_POST
def promotion_confirm_school(request, class_pk):
    school_class = _admin_class(request, class_pk)
    form = ResolutionForm(request.POST)
    if not form.is_valid():
        return _class_page(request, school_class, error=_form_error(form), resolution_form=form)
    try:
        count = promotion.decisions_confirm_school(
            school_class=school_class,
            user=request.user,
            resolution_number=form.cleaned_data["resolution_number"],
            resolution_date=form.cleaned_data["resolution_date"],
        )
    except GradebookError as exc:
        return _class_page(request, school_class, error=exc.message, resolution_form=form)
    messages.success(request, _("Decisions confirmed by the school: %(n)s.") % {"n": count})
    return redirect(_class_url(school_class))


@login_required
@require_http_methods(["GET", "POST"])
def promotion_retake(request, class_pk, pupil_pk):
    """Record an exam retake of one pupil (school admins and headteachers)."""
    school_class = _admin_class(request, class_pk)
    page = _decisions(request, school_class)
    row = next((r for r in page.rows if r.pupil.pk == pupil_pk), None)
    if row is None:
        raise Http404
    form = RetakeForm(request.POST or None, subjects=row.failing_subjects)
    error = None
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                promotion.retake_record(
                    school_class=school_class,
                    pupil_id=pupil_pk,
                    subject_id=data["subject"],
                    date=data["date"],
                    grade=data["grade"],
                    board=data["board"],
                    note=data["note"],
                    council_allows_two=data["council_allows_two"],
                    user=request.user,
                )
            except GradebookError as exc:
                error = exc.message
            else:
                messages.success(
                    request,
                    _("The retake exam is recorded; confirm the decision again."),
                )
                return redirect(_class_url(school_class, f"pupil-{pupil_pk}"))
        else:
            error = _form_error(form)
    return render(
        request,
        "yearend/promotion_retake.html",
        {"school_class": school_class, "row": row, "form": form, "error": error},
        status=400 if error else 200,
    )


@login_required
@require_GET
def promotion_school(request, school_pk):
    """The school's classes with their outcome counts, confirmations and pending
    retakes (`?year=` among the school's years; default the current one)."""
    school = _school(request, school_pk)
    years = SchoolYear.objects.filter(school=school).order_by("-start")
    year_id = id_param(request.GET, "year")
    if year_id is not None:
        year = get_object_or_404(years, pk=year_id)
    else:
        year = school.current_year() or years.first()
    if year is None:
        raise Http404
    overview = promotion.school_decisions(school=school, school_year=year)
    return render(
        request,
        "yearend/promotion_school.html",
        {"school": school, "overview": overview, "years": years, "year": year},
    )
