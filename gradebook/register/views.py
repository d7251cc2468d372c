"""Thin views of the class register: parse input, call one service or selector,
render. Objects are looked up through scoped querysets (permissions.py), so a
foreign id answers 404."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.audit import note_reads
from portal.confirm import confirm_delete
from portal.exports import ical_calendar, ical_event, ical_response
from portal.files import PRIVATE_STORAGE, serve_protected_file
from portal.http import safe_next_url
from portal.inputs import id_from, id_list_param, id_param
from portal.models import ReadAccess, SchoolClass, Term, User
from portal.permissions import (
    can_manage_school,
    managed_schools,
    pupils_visible_to,
    shown_enrolment,
    user_roles,
)
from portal.selectors import current_class_of

from . import forms, selectors, services
from .models import (
    AnnouncementRead,
    Attendance,
    CalendarToken,
    Excuse,
    FreeDay,
    Homework,
    Lesson,
    PlannedTest,
    RegisterSettings,
    Remark,
    TimetableEntry,
)
from .permissions import (
    announcement_schools,
    assignments_for,
    can_acknowledge_remark,
    can_announce,
    can_decide_excuse,
    can_edit_remark,
    can_excuse_for,
    can_take_lesson,
    can_write_remark,
    classes_for_staff,
    decidable_classes,
    excuses_for,
    family_pupils,
    homework_visible_to,
    is_family,
    is_register_staff,
    lessons_for,
    remarks_for,
)

PAGE_SIZE = 30
ATTENDANCE, REMARKS = ReadAccess.What.ATTENDANCE, ReadAccess.What.REMARKS


def _note_reads(request, pupils, what: str, school_class) -> None:
    """Read auditing: staff saw these pupils' attendance or remarks (written once
    per request by portal.audit.ReadAuditMiddleware)."""
    school_id = school_class.school_year.school_id if school_class else None
    note_reads(request, pupils=pupils, what=what, school=school_id)


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _parse_date(value, default=None) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value) if value else (default or timezone.localdate())
    except ValueError as exc:
        raise Http404 from exc


def _staff_only(request):
    if not is_register_staff(request.user):
        raise Http404


# --- Teacher: day view, lesson screen, missing entries ----------------------------------


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
            errors.append(refusal.message)
        else:
            marks = {}
            pupil_ids = [r["pupil"].pk for r in rows]
            for key, value in request.POST.items():
                if not key.startswith("s-"):
                    continue
                pupil_id = id_from(key[2:], key)
                minutes = request.POST.get(f"m-{pupil_id}") or None
                try:
                    minutes = int(minutes) if minutes else None
                except ValueError:
                    errors.append(_("Minutes late must be a whole number."))
                    break
                marks[pupil_id] = services.Mark(value, minutes)
            if not errors:
                try:
                    if lesson is None:
                        lesson = services.lesson_materialise(
                            assignment=assignment, date=day, number=number, user=request.user
                        )
                    services.lesson_record(
                        lesson=lesson,
                        topic=request.POST.get("topic", ""),
                        marks=marks,
                        pupil_ids=pupil_ids,
                        user=request.user,
                    )
                except services.RegisterError as exc:
                    if exc.code == "foreign_pupil":
                        raise Http404 from exc
                    errors.append(exc.message)
                else:
                    messages.success(request, _("The lesson has been saved."))
                    return redirect(request.path)
        for row in rows:
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
            "statuses": Attendance.Status.choices,
            "topic": request.POST.get("topic", lesson.topic if lesson else ""),
            "refusal": refusal,
            "errors": errors,
            "absent_count": sum(1 for r in rows if r["status"] in Attendance.ABSENT),
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


# --- School admin: timetable and settings ------------------------------------------------


@login_required
def timetable_view(request, class_id: int):
    school_class = get_object_or_404(classes_for_staff(request.user), pk=class_id)
    may_edit = can_manage_school(request.user, school_class.school_year.school_id)
    form = forms.TimetableEntryForm(request.POST or None, school_class=school_class)
    if request.method == "POST":
        if not may_edit:
            raise Http404
        if "delete" in request.POST:
            entry_id = id_param(request.POST, "delete")
            asked = confirm_delete(
                request, what=_("The lesson disappears from the class's timetable.")
            )
            if asked:
                return asked
            services.timetable_entry_delete(
                school_class=school_class, entry_id=entry_id, user=request.user
            )
            return redirect(request.path)
        if form.is_valid():
            try:
                warnings = services.timetable_entry_save(entry=form.instance, user=request.user)
            except services.RegisterError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The timetable has been updated."))
                for warning in warnings:
                    messages.warning(request, warning)
                return redirect(request.path)
    entries = (
        TimetableEntry.objects.filter(assignment__school_class=school_class)
        .select_related("assignment__subject", "assignment__teacher", "assignment__group")
        .order_by("weekday", "number")
    )
    grid = {}
    for entry in entries:
        grid.setdefault(entry.number, {}).setdefault(entry.weekday, []).append(entry)
    numbers = sorted(grid)
    table = [(n, [grid[n].get(d, []) for d in range(5)]) for n in numbers]
    return render(
        request,
        "register/timetable.html",
        {
            "school_class": school_class,
            "table": table,
            "entries": entries,
            "form": form if may_edit else None,
            "weekdays": [label for _v, label in TimetableEntry._meta.get_field("weekday").choices],
        },
    )


@login_required
def settings_view(request, school_id: int):
    school = get_object_or_404(managed_schools(request.user), pk=school_id)
    if not can_manage_school(request.user, school):
        raise Http404
    instance = RegisterSettings.for_school(school.pk)
    form = forms.RegisterSettingsForm(
        request.POST if "settings" in request.POST else None, instance=instance
    )
    free_form = forms.FreeDayForm(request.POST if "free_day" in request.POST else None)
    if request.method == "POST":
        if "delete" in request.POST:
            free_day_id = id_param(request.POST, "delete")
            asked = confirm_delete(request, what=_("The day becomes a school day again."))
            if asked:
                return asked
            services.free_day_delete(school=school, free_day_id=free_day_id, user=request.user)
            return redirect(request.path)
        if "settings" in request.POST and form.is_valid():
            form.instance.school = school
            services.register_settings_save(settings=form.instance, user=request.user)
            messages.success(request, _("The settings have been saved."))
            return redirect(request.path)
        if "free_day" in request.POST and free_form.is_valid():
            free_form.instance.school = school
            services.free_day_save(free_day=free_form.instance, user=request.user)
            messages.success(request, _("The free day has been added."))
            return redirect(request.path)
    classes = SchoolClass.objects.current().for_school(school)
    return render(
        request,
        "register/settings.html",
        {
            "school": school,
            "form": form,
            "free_form": free_form,
            "free_days": FreeDay.objects.filter(school=school),
            "classes": classes,
        },
    )


# --- Attendance statistics ---------------------------------------------------------------


def _period(request, school_class: SchoolClass):
    """The chosen month (YYYY-MM) or term (term=N); the current term by default."""
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


@login_required
def pupil_stats_view(request):
    """A pupil's attendance per subject and per month (pupils, guardians, staff)."""
    pupil = get_object_or_404(pupils_visible_to(request.user), pk=id_param(request.GET, "pupil"))
    enrolment = shown_enrolment(request.user, pupil)
    if enrolment is None:
        raise Http404
    school_class = enrolment.school_class
    start, end, terms, month, term = _period(request, school_class)
    # Only the period the viewer may see (a transferred pupil's old school).
    start, end = max(start, enrolment.start_date), min(end, enrolment.end_date or end)
    stats = selectors.pupil_attendance_stats(
        pupil, start=start, end=end, school_id=school_class.school_year.school_id
    )
    _note_reads(request, [pupil], ATTENDANCE, school_class)
    return render(
        request,
        "register/pupil_stats.html",
        {
            "pupil": pupil,
            "school_class": school_class,
            "stats": stats,
            "start": start,
            "end": end,
            "terms": terms,
            "term": term,
            "statuses": Attendance.Status.choices,
        },
    )


# --- Excuses -----------------------------------------------------------------------------


@login_required
def excuses_view(request):
    roles = user_roles(request.user)
    decidable = decidable_classes(request.user)
    excuses = (
        excuses_for(request.user)
        .select_related("pupil", "school_class", "submitted_by", "decided_by")
        .prefetch_related(
            Prefetch(
                "attendances",
                queryset=Attendance.objects.select_related("lesson__assignment__subject").order_by(
                    "lesson__date", "lesson__number"
                ),
            ),
            "days",
        )
    )
    status = request.GET.get("status")
    if status in Excuse.Status.values:
        excuses = excuses.filter(status=status)
    return render(
        request,
        "register/excuses.html",
        {
            "page": _page(request, excuses),
            "is_guardian": roles.is_guardian,
            "may_decide": decidable.exists(),
            "children": family_pupils(request.user).filter(pk__in=roles.child_ids),
            "decision_form": forms.DecisionForm(),
            "statuses": Excuse.Status.choices,
            "status": status,
        },
    )


@login_required
def excuse_new_view(request):
    roles = user_roles(request.user)
    children = User.objects.filter(pk__in=roles.child_ids)
    pupil = get_object_or_404(children, pk=id_param(request.GET, "pupil"))
    if not can_excuse_for(request.user, pupil):
        raise Http404
    absences = selectors.excusable_absences(pupil)
    form = forms.ExcuseForm(request.POST or None, absences=absences)
    if request.method == "POST":
        ids = id_list_param(request.POST, "attendances")
        if ids and Attendance.objects.filter(pk__in=ids, pupil=pupil).count() != len(ids):
            raise Http404
        if form.is_valid():
            try:
                services.excuse_submit(
                    guardian=request.user,
                    pupil=pupil,
                    attendance_ids=form.cleaned_data["attendance_ids"],
                    reason=form.cleaned_data["reason"],
                    days=form.cleaned_data["whole_days"],
                )
            except services.RegisterError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The excuse has been sent to the homeroom teacher."))
                return redirect("register:excuses")
    return render(
        request,
        "register/form.html",
        {
            "form": form,
            "title": _("Excuse absences of %(name)s") % {"name": pupil},
            "empty": not absences.exists(),
            "empty_text": _("There are no absences to excuse."),
        },
    )


@login_required
@require_POST
def excuse_decide_view(request, pk: int):
    excuse = get_object_or_404(
        Excuse.objects.filter(school_class__in=decidable_classes(request.user)), pk=pk
    )
    if not can_decide_excuse(request.user, excuse):
        raise Http404
    form = forms.DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.excuse_decide(
                excuse=excuse,
                user=request.user,
                accept=form.cleaned_data["accept"],
                reason=form.cleaned_data["reason"],
            )
        except services.RegisterError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The decision has been saved."))
    else:
        messages.error(request, _("Choose accept or reject."))
    return redirect("register:excuses")


# --- Remarks -----------------------------------------------------------------------------


@login_required
def remarks_view(request):
    remarks = remarks_for(request.user).select_related(
        "pupil", "author", "school_class__school_year"
    )
    pupil_id = id_param(request.GET, "pupil")
    if pupil_id is not None:
        remarks = remarks.filter(pupil_id=pupil_id)
    page = _page(request, remarks)
    for remark in page:
        _note_reads(request, [remark.pupil_id], REMARKS, remark.school_class)
    return render(
        request,
        "register/remarks.html",
        {
            "page": page,
            "may_write": is_register_staff(request.user),
            "family_ids": set(user_roles(request.user).child_ids),
        },
    )


@login_required
def remark_new_view(request):
    """A remark starts from a class: choose one of your classes, then its pupil."""
    _staff_only(request)
    classes = (
        classes_for_staff(request.user)
        .select_related("school_year__school")
        .order_by("level", "name", "school_year__school__short_name")
    )
    class_id = id_param(request.GET, "class")
    if class_id is None:
        return render(request, "register/remark_class.html", {"classes": classes})
    school_class = get_object_or_404(classes, pk=class_id)
    if not can_write_remark(request.user, school_class):
        raise Http404
    form = forms.RemarkForm(request.POST or None, pupils=selectors.class_pupils(school_class))

    def save(data):
        services.remark_create(
            author=request.user,
            pupil=data["pupil"],
            school_class=school_class,
            kind=data["kind"],
            text=data["text"],
        )

    title = _("New remark: %(class)s (%(school)s)") % {
        "class": school_class.name,
        "school": school_class.school_year.school.short_name,
    }
    return _remark_form(request, form, save, title)


def _remark_form(request, form, save, title):
    """Shared by creating and correcting a remark: save, or show the form with the error."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except services.RegisterError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The remark has been saved."))
            return redirect("register:remarks")
    return render(request, "register/form.html", {"form": form, "title": title})


@login_required
def remark_edit_view(request, pk: int):
    """The author corrects a remark; the change is kept in the history."""
    remark = get_object_or_404(Remark.objects.filter(author=request.user), pk=pk)
    if not can_edit_remark(request.user, remark):
        raise Http404
    form = forms.RemarkEditForm(request.POST or None, instance=remark)

    def save(data):
        services.remark_update(
            remark=Remark.objects.get(pk=remark.pk),
            user=request.user,
            kind=data["kind"],
            text=data["text"],
        )

    return _remark_form(request, form, save, _("Edit the remark"))


@login_required
@require_POST
def remark_acknowledge_view(request, pk: int):
    roles = user_roles(request.user)
    remark = get_object_or_404(Remark.objects.filter(pupil_id__in=roles.child_ids), pk=pk)
    if not can_acknowledge_remark(request.user, remark):
        raise Http404
    services.remark_acknowledge(remark=remark, user=request.user)
    messages.success(request, _("Thank you, the remark is marked as read."))
    return redirect(safe_next_url(request, reverse("register:remarks")))


# --- Homework ----------------------------------------------------------------------------


@login_required
def homework_view(request):
    _staff_only(request)
    assignments = assignments_for(request.user)
    form = forms.HomeworkForm(request.POST or None, request.FILES or None, assignments=assignments)
    if request.method == "POST" and form.is_valid():
        try:
            services.homework_create(
                assignment=form.cleaned_data["assignment"],
                due_date=form.cleaned_data["due_date"],
                description=form.cleaned_data["description"],
                attachment=form.cleaned_data["attachment"],
                user=request.user,
            )
        except services.RegisterError as exc:
            form.add_error("attachment", exc.message)
        else:
            messages.success(request, _("The homework has been set."))
            return redirect("register:homework")
    items = (
        Homework.objects.filter(assignment__in=assignments)
        .select_related("assignment__school_class", "assignment__subject", "assignment__group")
        .order_by("-due_date")
    )
    return render(request, "register/homework.html", {"form": form, "page": _page(request, items)})


@login_required
def homework_attachment_view(request, pk: int):
    homework = get_object_or_404(homework_visible_to(request.user), pk=pk)
    if not homework.attachment:
        raise Http404
    return serve_protected_file(
        request,
        PRIVATE_STORAGE,
        homework.attachment.name,
        homework.attachment_name or homework.attachment.name,
        as_attachment=True,
    )


def _own_or_404(qs, request, pk):
    """A teacher's own homework or test (their class and subject), else 404."""
    return get_object_or_404(qs.filter(assignment__teacher=request.user), pk=pk)


def _delete_flow(request, item, *, template: str, delete, done: str, back: str):
    """The shared delete pattern: "Usuń" first shows a confirmation on the same
    page; only the confirmation's own button deletes. None when no delete was asked."""
    if request.method != "POST" or "delete" not in request.POST:
        return None
    if "confirm" not in request.POST:
        return render(request, template, _edit_ctx(item, None))
    delete()
    messages.success(request, done)
    return redirect(back)


@login_required
def homework_edit_view(request, pk: int):
    _staff_only(request)
    homework = _own_or_404(
        Homework.objects.select_related("assignment__school_class", "assignment__subject"),
        request,
        pk,
    )
    deleted = _delete_flow(
        request,
        homework,
        template="register/homework_edit.html",
        delete=lambda: services.homework_delete(homework=homework, user=request.user),
        done=_("The homework has been deleted."),
        back="register:homework",
    )
    if deleted is not None:
        return deleted
    initial = {"due_date": homework.due_date, "description": homework.description}
    form = forms.HomeworkEditForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.homework_update(
                homework=homework,
                due_date=data["due_date"],
                description=data["description"],
                attachment=data["attachment"],
                remove_attachment=data["remove_attachment"],
                user=request.user,
            )
        except services.RegisterError as exc:
            form.add_error("attachment", exc.message)
        else:
            messages.success(request, _("The homework has been saved."))
            return redirect("register:homework")
    return render(request, "register/homework_edit.html", _edit_ctx(homework, form))


def _edit_ctx(item, form, warnings=()) -> dict:
    return {"item": item, "form": form, "confirm_delete": form is None, "warnings": warnings}


# --- Test calendar -----------------------------------------------------------------------


@login_required
def tests_view(request):
    _staff_only(request)
    assignments = assignments_for(request.user)
    form = forms.PlannedTestForm(request.POST or None, assignments=assignments)
    warnings = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            test, warnings = services.test_plan(
                assignment=data["assignment"],
                date=data["date"],
                kind=data["kind"],
                scope=data["scope"],
                user=request.user,
                confirmed=data["confirmed"],
            )
        except services.RegisterError as exc:
            form.add_error(None, exc.message)
        else:
            if test:
                messages.success(request, _("The test has been added to the calendar."))
                return redirect("register:tests")
    class_ids = set(assignments.values_list("school_class_id", flat=True))
    tests = (
        PlannedTest.objects.filter(
            assignment__school_class_id__in=class_ids,
            date__gte=timezone.localdate() - datetime.timedelta(days=7),
        )
        .select_related("assignment__school_class", "assignment__subject", "assignment__teacher")
        .order_by("date")
    )
    return render(
        request,
        "register/tests.html",
        {"form": form, "warnings": warnings, "page": _page(request, tests)},
    )


@login_required
def test_edit_view(request, pk: int):
    _staff_only(request)
    test = _own_or_404(
        PlannedTest.objects.select_related("assignment__school_class", "assignment__subject"),
        request,
        pk,
    )
    deleted = _delete_flow(
        request,
        test,
        template="register/test_edit.html",
        delete=lambda: services.test_delete(test=test, user=request.user),
        done=_("The test is off the calendar; the families are told."),
        back="register:tests",
    )
    if deleted is not None:
        return deleted
    initial = {"date": test.date, "kind": test.kind, "scope": test.scope}
    form = forms.PlannedTestEditForm(request.POST or None, initial=initial)
    warnings = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        moved = data["date"] != test.date
        try:
            saved, warnings = services.test_update(
                test=test,
                date=data["date"],
                kind=data["kind"],
                scope=data["scope"],
                confirmed=data["confirmed"],
                user=request.user,
            )
        except services.RegisterError as exc:
            form.add_error(None, exc.message)
        else:
            if saved:
                messages.success(
                    request,
                    _("The test has been moved; the families are told.")
                    if moved
                    else _("The test has been saved."),
                )
                return redirect("register:tests")
    return render(request, "register/test_edit.html", _edit_ctx(test, form, warnings))


# --- Announcements -----------------------------------------------------------------------


@login_required
def announcements_view(request):
    items = selectors.announcements_for(request.user).order_by("-created_at")
    return render(
        request,
        "register/announcements.html",
        {"page": _page(request, items), "may_announce": can_announce(request.user)},
    )


@login_required
def announcement_view(request, pk: int):
    announcement = get_object_or_404(selectors.announcements_for(request.user), pk=pk)
    if announcement.author_id != request.user.pk:
        services.announcement_mark_read(announcement=announcement, user=request.user)
    receipts = None
    if announcement.author_id == request.user.pk:
        receipts = _page(
            request,
            AnnouncementRead.objects.filter(announcement=announcement)
            .select_related("user")
            .order_by("-read_at"),
        )
    return render(
        request,
        "register/announcement.html",
        {"announcement": announcement, "receipts": receipts},
    )


@login_required
def announcement_new_view(request):
    if not can_announce(request.user):
        raise Http404
    from portal.models import School

    schools = School.objects.filter(pk__in=announcement_schools(request.user))
    if user_roles(request.user).is_superuser:
        schools = School.objects.all()
    roles = user_roles(request.user)
    classes = SchoolClass.objects.current().filter(school_year__school__in=schools)
    if not managed_schools(request.user).exists():
        classes = classes.filter(pk__in=roles.taught_class_ids | roles.homeroom_class_ids)
    form = forms.AnnouncementForm(request.POST or None, schools=schools, classes=classes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.announcement_create(
                author=request.user,
                school_id=data["school"].pk,
                audience=data["audience"],
                title=data["title"],
                body=data["body"],
                classes=list(data["classes"]),
            )
        except services.RegisterError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The announcement has been published."))
            return redirect("register:announcements")
    return render(request, "register/form.html", {"form": form, "title": _("New announcement")})


# --- Pupils and parents: week view and calendar feed -------------------------------------


@login_required
def week_view(request):
    pupils = list(family_pupils(request.user))
    if not pupils:
        raise Http404
    pupil_id = request.GET.get("pupil")
    pupil = pupils[0]
    if pupil_id:
        pupil = next((p for p in pupils if str(p.pk) == pupil_id), None)
        if pupil is None:
            raise Http404
    school_class = current_class_of(pupil)
    monday = selectors.week_start(_parse_date(request.GET.get("week")))
    context = {"pupils": pupils, "pupil": pupil, "school_class": school_class}
    if school_class:
        context.update(selectors.pupil_week(pupil, school_class, monday, request.user))
    context["announcements"] = list(selectors.unread_announcements(request.user)[:5])
    context["is_guardian"] = pupil.pk in user_roles(request.user).child_ids
    return render(request, "register/week.html", context)


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


# --- History -----------------------------------------------------------------------------


@login_required
def lesson_history_view(request, pk: int):
    lesson = get_object_or_404(lessons_for(request.user).with_related(), pk=pk)
    if not can_take_lesson(request.user, lesson):
        raise Http404
    page = _page(request, selectors.lesson_history(lesson))
    selectors.describe_lesson_changes(lesson, page)
    return render(request, "register/history.html", {"lesson": lesson, "page": page})
