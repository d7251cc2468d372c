"""Pupils and parents: the week view and the calendar feed."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.exports import ical_calendar, ical_event, ical_response
from portal.family import family_of
from portal.inputs import id_param
from portal.permissions import (
    user_roles,
)
from portal.selectors import current_class_of

from .. import selectors, services
from ..models import (
    CalendarToken,
)
from ..permissions import (
    family_pupils,
    is_family,
    is_register_teacher,
)
from ..week_render import week_days_html
from ._common import (
    _parse_date,
)


@login_required
def week_view(request):
    family = family_of(request)
    pupils = family.members
    if not pupils:
        raise Http404
    pupil_id = request.GET.get("pupil")
    pupil = pupils[0]
    if pupil_id:
        pupil = next((p for p in pupils if str(p.pk) == pupil_id), None)
        if pupil is None:
            raise Http404
    school_class = family.current_class(pupil.pk)
    monday = selectors.week_start(_parse_date(request.GET.get("week")))
    context = {"pupils": pupils, "pupil": pupil, "school_class": school_class}
    if school_class:
        context.update(selectors.pupil_week(pupil, school_class, monday, request.user))
        context["week_days"] = week_days_html(context["days"])
    context["announcements"] = list(
        selectors.unread_announcements(request.user, family.enrolments)[:5]
    )
    context["is_guardian"] = pupil.pk in user_roles(request.user).child_ids
    return render(request, "register/week.html", context)


@login_required
def lesson_plan_view(request):
    """The weekly timetable with the school's lesson hours: a pupil's own, a
    guardian's child's (?pupil=, only their own children), or a teacher's lessons."""
    pupils = list(family_pupils(request.user))
    pupil_id = id_param(request.GET, "pupil")
    teacher = is_register_teacher(request.user)
    today = timezone.localdate()
    context = {"pupils": pupils, "teacher": None, "pupil": None, "user_teaches": teacher}
    if pupils and (pupil_id is not None or not teacher):
        pupil = next((p for p in pupils if pupil_id in (None, p.pk)), None)
        if pupil is None:
            raise Http404
        school_class = current_class_of(pupil)
        context.update(pupil=pupil, school_class=school_class)
        if school_class:
            context.update(selectors.pupil_timetable(pupil, school_class, today))
    elif teacher and pupil_id is None:
        context["teacher"] = request.user
        context.update(selectors.teacher_timetable(request.user, today))
    else:
        raise Http404
    return render(request, "register/lesson_plan.html", context)


@login_required
def calendar_view(request):
    if not is_family(request.user):
        raise Http404
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.calendar_token_revoke(user=request.user)
            messages.success(request, _("The calendar address no longer works."))
        else:
            services.calendar_token_rotate(user=request.user)
            messages.success(request, _("A new calendar address has been created."))
        return redirect("register:calendar")
    token = CalendarToken.objects.filter(user=request.user).first()
    url = (
        request.build_absolute_uri(reverse("register:ical", args=[token.token])) if token else None
    )
    return render(request, "register/calendar.html", {"token": token, "url": url})


def ical_view(request, token: str):
    """The iCalendar feed of homework and tests; the URL's secret is the only key."""
    found = CalendarToken.objects.select_related("user").filter(token=token).first()
    if found is None or not found.user.is_active:
        raise Http404
    homework, tests = selectors.calendar_items(found.user)
    calendar = ical_calendar(
        prodid="-//Portal Oswiatowy//Dziennik//PL", name=_("School: homework and tests")
    )
    stamp = timezone.now()
    host = request.get_host().split(":")[0]

    def add_event(uid, day, summary, description):
        calendar.add_component(
            ical_event(
                uid=f"{uid}@{host}",
                stamp=stamp,
                start=day,
                end=day + datetime.timedelta(days=1),
                summary=summary,
                description=description,
            )
        )

    for item in homework:
        summary = _("Homework: %(subject)s (%(class)s)") % {
            "subject": item.assignment.subject.name,
            "class": item.assignment.school_class.name,
        }
        add_event(f"homework-{item.pk}", item.due_date, summary, item.description)
    for item in tests:
        summary = (
            f"{item.get_kind_display().capitalize()}: {item.assignment.subject.name} "
            f"({item.assignment.school_class.name})"
        )
        add_event(f"test-{item.pk}", item.date, summary, item.scope)
    response = ical_response(calendar)
    response["Cache-Control"] = "private, max-age=900"
    return response
