"""Attendance statistics of a class and of one pupil."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from portal.class_years import YEAR_PARAM, class_year_choice
from portal.inputs import id_param
from portal.models import SchoolClass, Term
from portal.permissions import (
    can_manage_school,
    pupils_visible_to,
    user_roles,
)

from .. import selectors
from ..models import (
    Attendance,
)
from ..permissions import (
    assignments_for,
    classes_for_staff,
)
from ._common import (
    ATTENDANCE,
    _note_reads,
    _page,
)

# `term=rok`: the whole school year (the default for a year with no current term).
WHOLE_YEAR = "rok"


def _period(request, school_class: SchoolClass):
    """The chosen month (YYYY-MM), term (term=N) or whole year (term=rok); the
    current term by default, the whole year when none is current."""
    today = timezone.localdate()
    month = request.GET.get("month")
    terms = list(Term.objects.filter(school_year=school_class.school_year))
    if month:
        try:
            first = datetime.date.fromisoformat(f"{month}-01")
        except ValueError as exc:
            raise Http404 from exc
        last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
        return first, last, terms, month, None
    number = request.GET.get("term")
    for term in terms:
        if (number and str(term.number) == number) or (
            not number and term.start <= today <= term.end
        ):
            return term.start, term.end, terms, None, term
    year = school_class.school_year
    return year.start, year.end, terms, None, None


@login_required
def stats_view(request):
    classes = classes_for_staff(request.user).select_related("school_year__school")
    class_id = id_param(request.GET, "class")
    if class_id is None:
        return render(request, "register/stats_index.html", {"classes": classes})
    school_class = get_object_or_404(classes, pk=class_id)
    roles = user_roles(request.user)
    subject_ids = None
    if not (
        school_class.pk in roles.homeroom_class_ids
        or can_manage_school(request.user, school_class.school_year.school_id)
    ):
        subject_ids = set(
            assignments_for(request.user)
            .filter(school_class=school_class)
            .values_list("subject_id", flat=True)
        )
    start, end, terms, month, term = _period(request, school_class)
    stats = selectors.class_attendance_stats(
        school_class, start=start, end=end, subject_ids=subject_ids
    )
    _note_reads(request, [r.pupil_id for r in stats["rows"]], ATTENDANCE, school_class)
    return render(
        request,
        "register/stats.html",
        {
            "school_class": school_class,
            "stats": stats,
            "start": start,
            "end": end,
            "terms": terms,
            "month": month,
            "term": term,
            "statuses": Attendance.Status.choices,
        },
    )


def _pupil_period(request):
    """The pupil of ?pupil= the user may see (a guardian their children, a pupil
    themself, staff their classes' pupils; else 404), the school year and class
    (the current one, or an earlier one of ?klasa= the user may see; else 404)
    and the chosen period, cut to the part of that enrolment the user may see."""
    pupil = get_object_or_404(pupils_visible_to(request.user), pk=id_param(request.GET, "pupil"))
    choice = class_year_choice(request.user, pupil, request.GET)
    enrolment = choice.enrolment
    if enrolment is None:
        raise Http404
    school_class = enrolment.school_class
    start, end, terms, _month, term = _period(request, school_class)
    # Only the period the viewer may see (a transferred pupil's old school).
    start, end = max(start, enrolment.start_date), min(end, enrolment.end_date or end)
    _note_reads(request, [pupil], ATTENDANCE, school_class)
    return (
        pupil,
        school_class,
        {
            "pupil": pupil,
            "school_class": school_class,
            "start": start,
            "end": end,
            "terms": terms,
            "term": term,
            "year_choice": choice,
            "whole_year": WHOLE_YEAR,
            "period_query": urlencode(
                {"pupil": pupil.pk, "term": term.number if term else WHOLE_YEAR}
                | ({YEAR_PARAM: choice.chosen_id} if choice.chosen else {})
            ),
        },
    )


@login_required
def pupil_stats_view(request):
    """A pupil's attendance per subject and per month (pupils, guardians, staff)."""
    pupil, school_class, context = _pupil_period(request)
    context["stats"] = selectors.pupil_attendance_stats(
        pupil,
        start=context["start"],
        end=context["end"],
        school_id=school_class.school_year.school_id,
    )
    context["statuses"] = Attendance.Status.choices
    return render(request, "register/pupil_stats.html", context)


@login_required
def pupil_absences_view(request):
    """A pupil's absences and lateness one by one, with where each excuse stands."""
    pupil, school_class, context = _pupil_period(request)
    absences = selectors.pupil_absences(
        pupil,
        start=context["start"],
        end=context["end"],
        school_id=school_class.school_year.school_id,
    )
    page = _page(request, absences)
    context["page"] = page
    context["rows"] = [(a, selectors.excuse_state(a)) for a in page]
    context["is_guardian"] = pupil.pk in user_roles(request.user).child_ids
    return render(request, "register/pupil_absences.html", context)
