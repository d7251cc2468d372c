"""Views of the grades part of the e-register: thin, each parses input, checks a
named rule, calls one service or selector and renders. Objects out of the user's
reach answer 404 (scoped querysets), never 403."""

from __future__ import annotations

import datetime
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.audit import note_reads
from portal.class_years import class_year_choice
from portal.confirm import confirm_delete
from portal.family import family_of
from portal.inputs import id_from, id_param
from portal.models import ReadAccess, School, Term
from portal.permissions import (
    children_of,
    managed_schools,
    pupils_visible_to,
    user_roles,
)

from . import selectors, services
from .forms import AssessmentForm, CategoryForm, GradingSettingsForm
from .models import Assessment, BehaviourGrade, GradeCategory, TermGrade
from .permissions import (
    assignments_visible_to,
    can_edit_assignment,
    can_manage_grading,
    can_set_behaviour,
    can_view_assignment,
    can_view_class_register,
    can_view_grade_history,
    can_view_pupil_register,
    classes_visible_to,
    is_gradebook_staff,
)
from .sheet_render import sheet_body_html, sheet_head_html, sheet_link
from .yearend.completeness import term_completeness
from .yearend.permissions import can_view_class_classification

CELL_RE = re.compile(r"^g-(\d+)-(\d+)$")
PAGE_SIZE = 50


def _page(request, qs, size=PAGE_SIZE):
    return Paginator(qs, size).get_page(request.GET.get("page"))


def _assignment(request, pk):
    assignment = get_object_or_404(assignments_visible_to(request.user), pk=pk)
    if not can_view_assignment(request.user, assignment):
        raise Http404
    return assignment


def _school_class(request, pk):
    school_class = get_object_or_404(classes_visible_to(request.user), pk=pk)
    if not can_view_class_register(request.user, school_class):
        raise Http404
    return school_class


def _note_grade_reads(request, pupils, school_class) -> None:
    """Read auditing: staff saw these pupils' grades (written once per request)."""
    school_id = school_class.school_year.school_id if school_class else None
    note_reads(request, pupils=pupils, what=ReadAccess.What.GRADES, school=school_id)


def _term_id(request) -> int | None:
    """The term chosen in the address (`?term=`) or, on a save, in the form."""
    return id_param(request.GET, "term") or id_param(request.POST, "term")


def _term(assignment, term_id: int | None):
    year = assignment.school_class.school_year
    if term_id is not None:
        return get_object_or_404(Term, pk=term_id, school_year=year)
    term = selectors.current_term(year)
    if term is None:
        raise Http404
    return term


@login_required
def home(request):
    roles = user_roles(request.user)
    if not is_gradebook_staff(request.user):
        if roles.is_guardian:
            child = children_of(request.user).first()
            return redirect("gradebook:pupil", child.pk)
        elif roles.is_pupil:
            return redirect("gradebook:pupil", request.user.pk)
        else:
            raise Http404
    assignments = (
        assignments_visible_to(request.user)
        .current()
        .filter(teacher=request.user)
        .order_by("school_class__level", "school_class__name", "subject__name")
    )
    classes = classes_visible_to(request.user).current().order_by("level", "name")
    return render(
        request,
        "gradebook/home.html",
        {
            "assignments": assignments,
            "classes": _page(request, classes),
            "schools": managed_schools(request.user),
            "children": children_of(request.user) if roles.is_guardian else [],
        },
    )


def _day(request, term):
    """The day whose class list the sheet shows (?day=YYYY-MM-DD), kept in the term."""
    text = request.POST.get("day") or request.GET.get("day") or ""
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        return selectors.sheet_day(term)
    return selectors.sheet_day(term, day)


def _cells_from_post(post) -> list[services.CellInput]:
    cells = []
    for name, text in post.items():
        match = CELL_RE.match(name)
        if match:
            aid, pid = id_from(match.group(1), name), id_from(match.group(2), name)
            cells.append(
                services.CellInput(aid, pid, text[:10], post.get(f"o-{aid}-{pid}", "")[:10])
            )
    return cells


def _sheet_url(pk, term, day, **mode) -> str:
    """The sheet's address with its term, day and entry mode (no #fragment: a
    form posted to a page opened through the skip link landed focus on <main>)."""
    query = f"term={term.pk}&day={day.isoformat()}"
    query += "".join(f"&{name}={value}" for name, value in mode.items() if value)
    return f"{reverse('gradebook:sheet', args=[pk])}?{query}"


def _sheet_mode(request) -> dict:
    """The phone's entry modes: `?pupil=ID`, one pupil's grades as a vertical form;
    `?column=ID`, one column for the whole class. Empty: the whole sheet."""
    pupil_id = id_param(request.GET, "pupil")
    column_id = id_param(request.GET, "column")
    if pupil_id is not None and column_id is not None:
        raise BadRequest("pupil and column")
    return {"pupil": pupil_id, "column": column_id}


def _entry(key, saved, *, typed, posted, cell_errors) -> dict:
    """One cell of an entry mode, as the sheet's cell would post it."""
    name, orig_name = f"g-{key[0]}-{key[1]}", f"o-{key[0]}-{key[1]}"
    return {
        "name": name,
        "orig_name": orig_name,
        "saved": saved,
        "value": typed.get(key, saved),
        "original": posted.get(orig_name, saved) if typed else saved,
        "error": cell_errors.get(key),
    }


def _neighbours(items, index):
    return (items[index - 1] if index > 0 else None), (
        items[index + 1] if index + 1 < len(items) else None
    )


def _sheet_entry_context(data, mode, *, typed, posted, cell_errors) -> dict:
    """What the pupil or column entry page shows; 404 for a pupil or column that
    is not in this sheet (another class, another term, left before the day)."""
    entries = []
    if mode["pupil"] is not None:
        index = next((i for i, r in enumerate(data.rows) if r.pupil.pk == mode["pupil"]), None)
        if index is None:
            raise Http404
        row = data.rows[index]
        for assessment, grade in row.cells:
            entry = _entry(
                (assessment.pk, row.pupil.pk),
                grade.symbol if grade else "",
                typed=typed,
                posted=posted,
                cell_errors=cell_errors,
            )
            entries.append({**entry, "assessment": assessment})
        previous, following = _neighbours([r.pupil for r in data.rows], index)
        return {"row": row, "entries": entries, "previous": previous, "next": following}
    ids = [a.pk for a in data.assessments]
    if mode["column"] not in ids:
        raise Http404
    index = ids.index(mode["column"])
    assessment = data.assessments[index]
    for row in data.rows:
        grade = row.cells[index][1]
        entry = _entry(
            (assessment.pk, row.pupil.pk),
            grade.symbol if grade else "",
            typed=typed,
            posted=posted,
            cell_errors=cell_errors,
        )
        entries.append({**entry, "pupil": row.pupil})
    previous, following = _neighbours(data.assessments, index)
    return {"assessment": assessment, "entries": entries, "previous": previous, "next": following}


@login_required
@require_http_methods(["GET", "POST"])
def sheet(request, pk):
    """The grade sheet: the whole class × columns table, or with `?pupil=` or
    `?column=` one pupil's or one column's cells as a vertical form for a phone.
    Every mode posts the same cells to the same service."""
    assignment = _assignment(request, pk)
    term = _term(assignment, _term_id(request))
    mode = _sheet_mode(request)
    editable = can_edit_assignment(request.user, assignment)
    typed, cell_errors = {}, {}
    if request.method == "POST":
        if not editable:
            raise Http404
        cells = _cells_from_post(request.POST)
        day = _day(request, term)
        try:
            result = services.sheet_save(
                assignment=assignment, user=request.user, cells=cells, day=day
            )
        except services.GradebookError as exc:
            if exc.code == "not_found":
                raise Http404 from exc
            messages.error(request, exc.message)
            typed = {(c.assessment_id, c.pupil_id): c.text for c in cells}
            cell_errors = exc.cell_errors
        else:
            messages.success(request, _("Saved: %(n)s changed grade(s).") % {"n": result.changed})
            return redirect(_sheet_url(pk, term, day, **mode))
    data = selectors.grade_sheet(assignment, term, day=_day(request, term))
    # Keep what the teacher typed on screen; the hidden originals keep the values
    # they saw, so a second save still detects a concurrent change.
    can_history = can_view_grade_history(request.user, assignment)
    sheet_editable = editable and not data.is_closed
    context = {
        "assignment": assignment,
        "sheet": data,
        "editable": sheet_editable,
        "can_history": can_history,
        "cell_errors": [
            {"id": f"err-g-{key[0]}-{key[1]}", "message": message}
            for key, message in cell_errors.items()
        ],
        "symbols": data.scale.ordered_symbols(),
        "action": _sheet_url(pk, term, data.day, **mode),
    }
    status = 400 if cell_errors else 200
    if mode["pupil"] is not None or mode["column"] is not None:
        context.update(
            _sheet_entry_context(
                data, mode, typed=typed, posted=request.POST, cell_errors=cell_errors
            )
        )
        shown = [context["row"].pupil] if "row" in context else [r.pupil for r in data.rows]
        _note_grade_reads(request, shown, assignment.school_class)
        return render(request, "gradebook/sheet_entry.html", context, status=status)
    link = sheet_link(request.path, data.term, data.day)
    context["sheet_head"] = sheet_head_html(assessments=data.assessments, link=link)
    context["sheet_body"] = sheet_body_html(
        rows=data.rows,
        assessments=data.assessments,
        link=link,
        editable=sheet_editable,
        typed=typed,
        posted_originals=request.POST,
        cell_errors=cell_errors,
    )
    _note_grade_reads(request, [r.pupil for r in data.rows], assignment.school_class)
    return render(request, "gradebook/sheet.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_edit(request, pk, assessment_pk=None):
    assignment = _assignment(request, pk)
    if not can_edit_assignment(request.user, assignment):
        raise Http404
    school = assignment.school_class.school_year.school
    instance = None
    if assessment_pk:
        instance = get_object_or_404(Assessment, pk=assessment_pk, assignment=assignment)
    else:
        term = _term(assignment, id_param(request.GET, "term"))
        instance = Assessment(
            assignment=assignment, term=term, date=selectors.sheet_day(term, timezone.localdate())
        )
    categories = selectors.categories_of(school)
    form = AssessmentForm(
        request.POST or None,
        instance=instance,
        assignment=assignment,
        categories=categories,
        terms=assignment.school_class.school_year.terms.all(),
    )
    if request.method == "POST":
        if "delete" in request.POST and instance.pk:
            asked = confirm_delete(
                request,
                what=_("The column %(name)s and every grade in it are deleted.")
                % {"name": instance.name},
                cancel_url=request.path,
            )
            if asked:
                return asked
            try:
                services.assessment_delete(assessment=instance, user=request.user)
            except services.GradebookError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("The column and its grades were deleted."))
                return redirect(f"{reverse('gradebook:sheet', args=[pk])}?term={instance.term_id}")
        elif form.is_valid():
            try:
                saved = services.assessment_save(assessment=form.instance, user=request.user)
            except services.GradebookError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Saved."))
                return redirect(f"{reverse('gradebook:sheet', args=[pk])}?term={saved.term_id}")
    return render(
        request,
        "gradebook/assessment_form.html",
        {"assignment": assignment, "form": form, "assessment": instance},
    )


@login_required
def history(request, pk):
    assignment = _assignment(request, pk)
    if not can_view_grade_history(request.user, assignment):
        raise Http404
    pupil = assessment = None
    pupil_id, assessment_id = id_param(request.GET, "pupil"), id_param(request.GET, "assessment")
    if pupil_id is not None:
        pupil = get_object_or_404(pupils_visible_to(request.user), pk=pupil_id)
    if assessment_id is not None:
        assessment = get_object_or_404(Assessment, pk=assessment_id, assignment=assignment)
    entries = selectors.assignment_history(assignment, pupil=pupil, assessment=assessment)
    page = _page(request, entries)
    _note_grade_reads(request, [h.pupil_id for h in page], assignment.school_class)
    return render(
        request,
        "gradebook/history.html",
        {
            "assignment": assignment,
            "page_obj": page,
            "pupil": pupil,
            "assessment": assessment,
        },
    )


def _int_or_none(value):
    """A whole number in ASCII digits (`"²".isdigit()` is true, `int("²")` fails)."""
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() else None


def _term_grade_rows(data, posted: dict, errors: dict) -> list[dict]:
    """Per pupil, the proposed and final cells as shown: saved values, or on a
    refused save what the teacher chose, with the error at its cell."""
    rows = []
    for row in data.rows:
        cells = []
        for kind in (TermGrade.Kind.PROPOSED, TermGrade.Kind.FINAL):
            saved = row.term_grades.get(kind)
            key = (row.pupil.pk, kind.value)
            grade, description = posted.get(
                key, (saved.grade if saved else None, saved.description if saved else "")
            )
            cells.append(
                {
                    "kind": kind.value,
                    "label": kind.label,
                    "name": f"{kind.value}-{row.pupil.pk}",
                    "grade": "" if grade is None else str(grade),
                    "description": description,
                    "error": errors.get(key),
                }
            )
        rows.append({"row": row, "cells": cells})
    return rows


def _term_grade_entries(post) -> tuple[list, dict, dict]:
    """The posted term grades, what was typed (to show it again) and the cells
    refused: a grade that is no whole number from 1 to 6."""
    entries, posted, errors = [], {}, {}
    for name in post:
        match = re.match(r"^(proposed|final)-(\d+)$", name)
        if not match:
            continue
        kind, pid = match.group(1), id_from(match.group(2), name)
        grade_text = post[name].strip()
        description = post.get(f"{kind}-desc-{pid}", "")
        grade = _int_or_none(grade_text)
        posted[(pid, kind)] = (grade_text, description)
        if grade_text and (grade is None or not 1 <= grade <= 6):
            errors[(pid, kind)] = _("A term grade is from 1 to 6.")
            continue
        entries.append(
            services.TermGradeInput(pupil_id=pid, kind=kind, grade=grade, description=description)
        )
    return entries, posted, errors


def _saved_or_refused(request, save, success: str, term):
    """Run a save of term-end grades: a refusal becomes an error message, an
    unknown pupil a 404; either way back to the same term of the same page."""
    try:
        save()
    except services.GradebookError as exc:
        if exc.code == "not_found":
            raise Http404 from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(f"{request.path}?term={term.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def term_grades(request, pk):
    assignment = _assignment(request, pk)
    term = _term(assignment, _term_id(request))
    editable = can_edit_assignment(request.user, assignment)
    posted, errors = {}, {}
    if request.method == "POST":
        if not editable:
            raise Http404
        entries, posted, errors = _term_grade_entries(request.POST)
        if not errors:
            return _saved_or_refused(
                request,
                lambda: services.term_grades_save(
                    assignment=assignment, term=term, user=request.user, entries=entries
                ),
                _("Term grades saved; guardians are notified."),
                term,
            )
    # A refused cell shows the page again with every choice kept: nothing saved.
    data = selectors.grade_sheet(assignment, term)
    rows = _term_grade_rows(data, posted, errors)
    names = {r["row"].pupil.pk: r["row"].pupil.sort_name for r in rows}
    if any(pid not in names for pid, _kind in errors):
        raise Http404
    cell_errors = [
        {
            "id": f"err-{kind}-{pid}",
            "message": f"{names[pid]}, {TermGrade.Kind(kind).label}: {message}",
        }
        for (pid, kind), message in errors.items()
    ]
    _note_grade_reads(request, [r.pupil for r in data.rows], assignment.school_class)
    return render(
        request,
        "gradebook/term_grades.html",
        {
            "assignment": assignment,
            "sheet": data,
            "rows": rows,
            "cell_errors": cell_errors,
            "editable": editable and not data.is_closed,
            "descriptive": assignment.school_class.descriptive_assessment,
            "grades": [str(g) for g in range(1, 7)],
        },
    )


@login_required
def class_register(request, pk):
    school_class = _school_class(request, pk)
    year = school_class.school_year
    term_id = id_param(request.GET, "term")
    if term_id is not None:
        term = get_object_or_404(Term, pk=term_id, school_year=year)
    else:
        term = selectors.current_term(year)
    summary = selectors.class_summary(school_class, term) if term else None
    _note_grade_reads(request, [r["pupil"] for r in summary.rows] if summary else [], school_class)
    return render(
        request,
        "gradebook/class_register.html",
        {
            "school_class": school_class,
            "assignments": selectors.class_assignments(school_class),
            "summary": summary,
            "terms": year.terms.all(),
            "term": term,
            "can_behaviour": can_set_behaviour(request.user, school_class),
            "can_classification": can_view_class_classification(request.user, school_class),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def behaviour(request, pk):
    school_class = _school_class(request, pk)
    year = school_class.school_year
    term_id = _term_id(request)
    if term_id is not None:
        term = get_object_or_404(Term, pk=term_id, school_year=year)
    else:
        term = selectors.current_term(year)
        if term is None:
            raise Http404
    editable = can_set_behaviour(request.user, school_class)
    if request.method == "POST":
        if not editable:
            raise Http404
        entries = []
        for name, value in request.POST.items():
            match = re.match(r"^(proposed|final)-(\d+)$", name)
            if match:
                entries.append((id_from(match.group(2), name), match.group(1), value))
        return _saved_or_refused(
            request,
            lambda: services.behaviour_grades_save(
                school_class=school_class, term=term, user=request.user, entries=entries
            ),
            _("Behaviour grades saved."),
            term,
        )
    rows = selectors.class_behaviour(school_class, term)
    _note_grade_reads(request, [pupil for pupil, _grades in rows], school_class)
    return render(
        request,
        "gradebook/behaviour.html",
        {
            "school_class": school_class,
            "term": term,
            "terms": year.terms.all(),
            "rows": rows,
            "values": BehaviourGrade.Value.choices,
            "editable": editable and not selectors.term_is_closed(term),
        },
    )


@login_required
def pupil(request, pk):
    # A family member comes from the request's family, read once for the page (it
    # also lists the children to switch between); anyone else by the viewer's scope.
    family = family_of(request)
    child = next((m for m in family.members if m.pk == pk), None) if pk in family.ids else None
    if child is None:
        child = get_object_or_404(pupils_visible_to(request.user), pk=pk)
    if not can_view_pupil_register(request.user, child):
        raise Http404
    # The class shown is the latest one whose period the viewer may see: after a
    # transfer the old school sees its own class, never the new school's. Earlier
    # years (finished, read-only) are chosen with `?klasa=<enrolment>`.
    choice = class_year_choice(request.user, child, request.GET)
    register = selectors.pupil_register(
        child, viewer=request.user, mark_seen=True, enrolment=choice.enrolment
    )
    _note_grade_reads(request, [child], register.school_class)
    layout = _pupil_layout(request)
    compact = None
    if layout == "tabela":
        compact = selectors.compact_grades(register, term_number=id_param(request.GET, "okres"))
    return render(
        request,
        "gradebook/pupil.html",
        {
            "register": register,
            "compact": compact,
            "layout": layout,
            "children": [m for m in family.members if m.pk in family.child_ids],
            "kinds": TermGrade.Kind,
            "year_choice": choice,
        },
    )


PUPIL_LAYOUTS = ("tabela", "karty")  # the compact table (default) and the cards
PUPIL_LAYOUT_KEY = "gradebook_pupil_layout"


def _pupil_layout(request) -> str:
    """The layout chosen in the address (`?widok=karty`), remembered in the session."""
    chosen = request.GET.get("widok")
    if chosen in PUPIL_LAYOUTS:
        if request.session.get(PUPIL_LAYOUT_KEY) != chosen:
            request.session[PUPIL_LAYOUT_KEY] = chosen
        return chosen
    remembered = request.session.get(PUPIL_LAYOUT_KEY)
    return remembered if remembered in PUPIL_LAYOUTS else PUPIL_LAYOUTS[0]


@login_required
def notifications(request):
    """The e-register's old notification list: now the notification centre."""
    return redirect("notifications:list")


def _school(request, pk) -> School:
    school = get_object_or_404(managed_schools(request.user), pk=pk)
    if not can_manage_grading(request.user, school):
        raise Http404
    return school


@login_required
@require_http_methods(["GET", "POST"])
def school_settings(request, pk):
    school = _school(request, pk)
    settings = selectors.grading_settings(school)
    categories = selectors.categories_of(school)
    form = GradingSettingsForm(request.POST or None, instance=settings, prefix="s")
    category_form = CategoryForm(request.POST or None, prefix="c")
    if request.method == "POST":
        if "save_settings" in request.POST and form.is_valid():
            try:
                services.grading_settings_update(settings=form.instance, user=request.user)
            except services.GradebookError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Grading settings saved."))
                return redirect(request.path)
        elif "add_category" in request.POST and category_form.is_valid():
            category_form.instance.school = school
            try:
                services.category_save(category=category_form.instance, user=request.user)
            except services.GradebookError as exc:
                category_form.add_error(None, exc.message)
            else:
                messages.success(request, _("Category added."))
                return redirect(request.path)
    terms = Term.objects.filter(school_year__school=school, school_year__is_current=True)
    return render(
        request,
        "gradebook/settings.html",
        {
            "school": school,
            "form": form,
            "category_form": category_form,
            "categories": categories,
            "terms": terms,
            "closed": selectors.closed_term_ids(terms),
        },
    )


@login_required
@require_POST
def category_delete(request, pk, category_pk):
    school = _school(request, pk)
    category = get_object_or_404(GradeCategory, pk=category_pk, school=school)
    asked = confirm_delete(
        request,
        what=_("The category %(name)s is removed from the school's list.")
        % {"name": category.name},
        cancel_url=reverse("gradebook:settings", args=[school.pk]),
    )
    if asked:
        return asked
    try:
        services.category_delete(category=category, user=request.user)
    except services.GradebookError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Category deleted."))
    return redirect("gradebook:settings", school.pk)


@login_required
@require_http_methods(["GET", "POST"])
def term_status(request, pk, term_pk):
    """Close a term (after the report of what is still missing, and with gaps
    only on an explicit "close despite the gaps") or reopen it."""
    school = _school(request, pk)
    term = get_object_or_404(
        Term.objects.select_related("school_year__school"), pk=term_pk, school_year__school=school
    )
    error = None
    if request.method == "POST":
        closed = request.POST.get("closed") == "1"
        try:
            services.term_set_closed(
                term=term,
                user=request.user,
                closed=closed,
                accept_gaps=request.POST.get("accept_gaps") == "1",
            )
        except services.GradebookError as exc:
            error = exc.message
        else:
            messages.success(
                request, _("The term is closed.") if closed else _("The term is reopened.")
            )
            return redirect("gradebook:settings", school.pk)
    report = term_completeness(school=school, term=term)
    return render(
        request,
        "gradebook/term_close.html",
        {
            "school": school,
            "term": term,
            "report": report,
            "is_closed": selectors.term_is_closed(term),
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def term_grades_copy(request, pk):
    """The "final = proposed" button, for the whole sheet of one term; replacing finals
    already entered only after a confirmation page."""
    assignment = _assignment(request, pk)
    if not can_edit_assignment(request.user, assignment):
        raise Http404
    term = _term(assignment, id_param(request.POST, "term"))
    overwrite = request.POST.get("overwrite") == "1"
    back = f"{reverse('gradebook:term_grades', args=[pk])}?term={term.pk}"
    if overwrite and request.POST.get("confirm") != "1":
        # Replacing finals already entered is asked once more, on a page of its own.
        return render(
            request,
            "gradebook/term_grades_copy_confirm.html",
            {"assignment": assignment, "term": term, "cancel_url": back},
        )
    try:
        result = services.term_grades_copy_proposed(
            assignment=assignment, term=term, user=request.user, overwrite=overwrite
        )
    except services.GradebookError as exc:
        if exc.code == "not_found":
            raise Http404 from exc
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _(
                "Proposed grades copied to final: %(copied)s; skipped (a final grade is "
                "already there): %(skipped)s; without a proposed grade: %(empty)s."
            )
            % {
                "copied": result.copied,
                "skipped": result.skipped,
                "empty": result.without_proposed,
            },
        )
    return redirect(back)
