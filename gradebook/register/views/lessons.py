"""Teacher: the day view, a lesson (topic and attendance), one-off lessons and missing entries."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from portal.permissions import (
    managed_schools,
    user_roles,
)

from .. import forms, selectors, services
from ..attendance_render import attendance_rows_html
from ..models import (
    Attendance,
    Lesson,
    TimetableEntry,
)
from ..permissions import (
    assignments_for,
    can_take_lesson,
    lessons_for,
)
from ._common import (
    _page,
    _parse_date,
    _staff_only,
)


@login_required
def day_view(request):
    _staff_only(request)
    day = _parse_date(request.GET.get("date"))
    slots = selectors.teacher_slots(request.user, day, day)
    return render(
        request,
        "register/day.html",
        {
            "day": day,
            "slots": slots,
            "previous": day - datetime.timedelta(days=1),
            "next": day + datetime.timedelta(days=1),
            "today": timezone.localdate(),
            "managed": list(managed_schools(request.user)),
        },
    )


@login_required
def missing_view(request):
    _staff_only(request)
    slots = selectors.missing_entries(request.user)
    return render(request, "register/missing.html", {"page": _page(request, slots)})


def _lesson_for_slot(request, assignment_id: int, day: datetime.date, number: int):
    # `assignment__pk`, not `assignment_id`: an id of the address beyond any column
    # is no row through a primary key, but an OverflowError on SQLite through the
    # foreign key's own lookup (the same SQL otherwise).
    lesson = (
        lessons_for(request.user)
        .filter(assignment__pk=assignment_id, date=day, number=number)
        .with_related()
        .first()
    )
    if lesson:
        return lesson, lesson.assignment
    assignment = get_object_or_404(
        assignments_for(request.user).select_related(
            "school_class__school_year__school", "group", "subject", "teacher"
        ),
        pk=assignment_id,
    )
    return None, assignment


def _save_lesson(request, lesson, assignment, day, number, rows):
    """Materialise the lesson when needed and record topic and attendance;
    returns the lesson and the errors to show (none when saved)."""
    marks, errors = forms.attendance_marks(request.POST)
    if errors:
        return lesson, errors
    try:
        if lesson is None:
            lesson = services.lesson_materialise(
                assignment=assignment, date=day, number=number, user=request.user
            )
        services.lesson_record(
            lesson=lesson,
            topic=request.POST.get("topic", ""),
            marks=marks,
            pupil_ids=[r["pupil"].pk for r in rows],
            user=request.user,
        )
    except services.RegisterError as exc:
        if exc.code == "foreign_pupil":
            raise Http404 from exc
        return lesson, [exc.message]
    return lesson, []


Status = Attendance.Status
# The statuses of nearly every lesson are large buttons under the thumb, with short
# words; the rare ones are one tap further ("Inne"), under their full names.
COMMON_STATUSES = [
    (Status.PRESENT, pgettext_lazy("attendance button", "present")),
    (Status.UNEXCUSED, pgettext_lazy("attendance button", "absent")),
    (Status.LATE, pgettext_lazy("attendance button", "late")),
]
OTHER_STATUSES = [
    (code, label) for code, label in Status.choices if code not in dict(COMMON_STATUSES)
]


@login_required
def lesson_view(request, assignment_id: int, date: str, number: int):
    """Topic and attendance of one lesson on one screen, saved in one request."""
    day = _parse_date(date)
    if not 1 <= number <= 10:
        raise Http404
    lesson, assignment = _lesson_for_slot(request, assignment_id, day, number)
    probe = lesson or Lesson(assignment=assignment, date=day, number=number)
    if not can_take_lesson(request.user, probe):
        raise Http404
    refusal = services.entry_refusal(assignment=assignment, day=day)
    rows = selectors.attendance_sheet(probe)
    errors = []
    if request.method == "POST":
        if refusal:
            errors = [refusal.message]
        else:
            lesson, errors = _save_lesson(request, lesson, assignment, day, number, rows)
            if not errors:
                messages.success(request, _("The lesson has been saved."))
                return redirect(request.path)
        for row in rows:  # show what was typed again
            pid = row["pupil"].pk
            row["status"] = request.POST.get(f"s-{pid}", row["status"])
            row["minutes_late"] = request.POST.get(f"m-{pid}", row["minutes_late"])
    return render(
        request,
        "register/lesson.html",
        {
            "lesson": lesson,
            "assignment": assignment,
            "day": day,
            "number": number,
            "rows": rows,
            "pupil_rows": attendance_rows_html(
                rows,
                common_statuses=COMMON_STATUSES,
                other_statuses=OTHER_STATUSES,
                disabled=bool(refusal),
            ),
            "topic": request.POST.get("topic", lesson.topic if lesson else ""),
            "refusal": refusal,
            "errors": errors,
            "absent_count": sum(1 for r in rows if r["status"] in Attendance.ABSENT),
            "late_count": sum(1 for r in rows if r["status"] == Status.LATE),
        },
    )


@login_required
def lesson_add_view(request):
    """A one-off lesson, or a substitution on a timetable slot."""
    _staff_only(request)
    assignments = assignments_for(request.user)
    school_ids = set(user_roles(request.user).staff_school_ids)
    form = forms.LessonAddForm(request.POST or None, assignments=assignments, school_ids=school_ids)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lesson = services.lesson_materialise(
                assignment=data["assignment"],
                date=data["date"],
                number=data["number"],
                user=request.user,
                one_off=not TimetableEntry.objects.filter(
                    assignment=data["assignment"],
                    weekday=data["date"].weekday(),
                    number=data["number"],
                ).exists(),
            )
            if data["substitute"] and data["substitute"].pk != lesson.substitute_teacher_id:
                services.lesson_set_substitute(
                    lesson=lesson, substitute=data["substitute"], user=request.user
                )
        except services.RegisterError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The lesson has been added."))
            return redirect(
                "register:lesson", lesson.assignment_id, lesson.date.isoformat(), lesson.number
            )
    return render(request, "register/form.html", {"form": form, "title": _("Add a lesson")})
