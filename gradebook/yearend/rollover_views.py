"""The next-year wizard and the finished years' page: thin views that find the
school in the user's reach (another school's: 404), keep the admin's choices of
steps 1 and 2 in the session, and call the rollover selector and services."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.forms import DateInput, teachers_of
from portal.models import SchoolClass, SchoolYear
from portal.services import PortalError

from . import rollover
from .models import PromotionOutcome
from .permissions import can_run_year_end, year_end_schools


def _school(request, school_pk):
    school = get_object_or_404(year_end_schools(request.user), pk=school_pk)
    if not can_run_year_end(request.user, school):
        raise Http404
    return school


def _session_key(school) -> str:
    return f"yearend_rollover_{school.pk}"


def _choices(request, school) -> tuple[rollover.YearInput | None, dict[int, int | None]]:
    """Steps 1 and 2 as the admin left them (the year of step 1 is None until then)."""
    data = request.session.get(_session_key(school)) or {}
    year = rollover.YearInput.from_session(data["year"]) if data.get("year") else None
    homerooms = {int(k): v for k, v in (data.get("homerooms") or {}).items()}
    return year, homerooms


def _store(request, school, **parts) -> None:
    data = dict(request.session.get(_session_key(school)) or {})
    data.update(parts)
    request.session[_session_key(school)] = data


class YearForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the school year"), max_length=20)
    start = forms.DateField(label=gettext_lazy("First day of lessons"), widget=DateInput())
    end = forms.DateField(label=gettext_lazy("Last day of lessons"), widget=DateInput())

    def __init__(self, *args, term_numbers, **kwargs):
        super().__init__(*args, **kwargs)
        self.term_numbers = term_numbers
        for n in term_numbers:
            self.fields[f"term_{n}_start"] = forms.DateField(
                label=_("Term %(number)s starts") % {"number": n}, widget=DateInput()
            )
            self.fields[f"term_{n}_end"] = forms.DateField(
                label=_("Term %(number)s ends") % {"number": n}, widget=DateInput()
            )

    @classmethod
    def initial_from(cls, year: rollover.YearInput) -> dict:
        initial = {"name": year.name, "start": year.start, "end": year.end}
        for t in year.terms:
            initial[f"term_{t.number}_start"] = t.start
            initial[f"term_{t.number}_end"] = t.end
        return initial

    def year_input(self) -> rollover.YearInput:
        d = self.cleaned_data
        return rollover.YearInput(
            name=d["name"].strip(),
            start=d["start"],
            end=d["end"],
            terms=tuple(
                rollover.TermInput(number=n, start=d[f"term_{n}_start"], end=d[f"term_{n}_end"])
                for n in self.term_numbers
            ),
        )

    def term_rows(self):
        return [(n, self[f"term_{n}_start"], self[f"term_{n}_end"]) for n in self.term_numbers]


def _current_year(school):
    year = school.current_year()
    if year is None:
        raise Http404
    return year


@login_required
@require_GET
def rollover_index(request):
    schools = list(year_end_schools(request.user).order_by("name"))
    if not schools:
        raise Http404
    if len(schools) == 1:
        return redirect("yearend_rollover:year", schools[0].pk)
    return render(request, "yearend/rollover_index.html", {"schools": schools})


@login_required
@require_http_methods(["GET", "POST"])
def rollover_year(request, school_pk):
    """Step 1: the next year's name, dates and terms."""
    school = _school(request, school_pk)
    old_year = _current_year(school)
    stored, _homerooms = _choices(request, school)
    proposal = stored or rollover.next_year_defaults(old_year)
    numbers = [t.number for t in proposal.terms] or [1, 2]
    form = YearForm(
        request.POST or None, term_numbers=numbers, initial=YearForm.initial_from(proposal)
    )
    problems = []
    if request.method == "POST" and form.is_valid():
        year_input = form.year_input()
        problems = rollover.year_input_problems(year_input, old_year)
        if not problems:
            _store(request, school, year=year_input.to_session())
            return redirect("yearend_rollover:classes", school.pk)
    return render(
        request,
        "yearend/rollover_year.html",
        {"school": school, "old_year": old_year, "form": form, "problems": problems, "step": 1},
    )


@login_required
@require_http_methods(["GET", "POST"])
def rollover_classes(request, school_pk):
    """Step 2: next year's classes and their homeroom teachers."""
    school = _school(request, school_pk)
    old_year = _current_year(school)
    year_input, homerooms = _choices(request, school)
    if year_input is None:
        return redirect("yearend_rollover:year", school.pk)
    classes = list(
        SchoolClass.objects.filter(school_year=old_year)
        .select_related("homeroom_teacher")
        .order_by("level", "name")
    )
    teachers = list(teachers_of(school).order_by("last_name", "first_name"))
    teacher_ids = {t.pk for t in teachers}
    if request.method == "POST":
        chosen, bad = {}, False
        for c in classes:
            if c.level >= school.max_level:
                continue
            value = request.POST.get(f"homeroom_{c.pk}", "")
            if value == "":
                chosen[c.pk] = None
            elif (
                value.isascii()
                and value.isdigit()
                and (int(value) in teacher_ids or int(value) == c.homeroom_teacher_id)
            ):
                chosen[c.pk] = int(value)
            else:
                bad = True
        if bad:
            messages.error(request, _("Choose a teacher of this school."))
        else:
            _store(request, school, homerooms={str(k): v for k, v in chosen.items()})
            return redirect("yearend_rollover:preview", school.pk)
    plan = rollover.rollover_plan(school=school, year_input=year_input, homerooms=homerooms)
    by_source = {cp.source_id: cp for cp in plan.classes if cp.source_id}
    rows = [
        {
            "old": c,
            "new": by_source.get(c.pk),
            "homeroom_id": homerooms.get(c.pk, c.homeroom_teacher_id),
        }
        for c in classes
    ]
    return render(
        request,
        "yearend/rollover_classes.html",
        {
            "school": school,
            "old_year": old_year,
            "rows": rows,
            "teachers": teachers,
            "plan": plan,
            "step": 2,
        },
    )


def _class_moves(plan) -> list[dict]:
    """The pupils' moves per class of this year, in the plan's order: each
    class's counts (promote, repeat, leave, undecided: no confirmed decision)
    for the overview, and its rows (move, the decision's label) for the class's
    folded list, so that a school of 300 pupils reads as one short table."""
    labels = dict(PromotionOutcome.choices)
    groups: dict[int, dict] = {}
    for m in plan.moves:
        group = groups.setdefault(
            m.from_class_id,
            {"name": m.from_class, "rows": [], "undecided": 0, "to": set()}
            | dict.fromkeys((rollover.PROMOTE, rollover.REPEAT, rollover.LEAVE), 0),
        )
        group["rows"].append((m, labels.get(m.outcome, m.outcome)))
        group[m.action] += 1
        group["undecided"] += not m.confirmed
        if m.to_class:
            group["to"].add(m.to_class)
    for group in groups.values():
        group["rows"].sort(key=lambda row: row[0].pupil_name)
        group["to"] = sorted(group["to"])
    return list(groups.values())


@login_required
@require_GET
def rollover_preview(request, school_pk):
    """Step 3: every change, before anything is written."""
    school = _school(request, school_pk)
    old_year = _current_year(school)
    year_input, homerooms = _choices(request, school)
    if year_input is None:
        return redirect("yearend_rollover:year", school.pk)
    plan = rollover.rollover_plan(school=school, year_input=year_input, homerooms=homerooms)
    return render(
        request,
        "yearend/rollover_preview.html",
        {
            "school": school,
            "old_year": old_year,
            "plan": plan,
            "counts": plan.counts(),
            "class_moves": _class_moves(plan),
            "step": 3,
        },
    )


@login_required
@require_POST
def rollover_apply(request, school_pk):
    """Step 4: apply the plan previewed (same digest), in one transaction."""
    school = _school(request, school_pk)
    year_input, homerooms = _choices(request, school)
    if year_input is None:
        return redirect("yearend_rollover:year", school.pk)
    try:
        result = rollover.rollover_apply(
            school=school,
            user=request.user,
            year_input=year_input,
            homerooms=homerooms,
            digest=request.POST.get("digest", ""),
            override_undecided=request.POST.get("override_undecided") == "1",
        )
    except PortalError as exc:
        messages.error(request, exc.message)
        return redirect("yearend_rollover:preview", school.pk)
    request.session.pop(_session_key(school), None)
    s = result.summary
    messages.success(
        request,
        _(
            "The school year %(name)s has started: %(classes)s classes, %(promoted)s pupils "
            "promoted, %(repeating)s repeating the year, %(leaving)s leaving the school, "
            "%(assignments)s teaching assignments and %(slots)s timetable entries copied."
        )
        % {
            "name": result.new_year.name,
            "classes": s["classes"],
            "promoted": s["promoted"],
            "repeating": s["not_promoted"],
            "leaving": s["leaving"],
            "assignments": s["assignments"],
            "slots": s["timetable_entries"],
        },
    )
    return redirect("yearend_rollover:years", school.pk)


@login_required
@require_GET
def school_years(request, school_pk):
    """The school's years: which is current, which are finished (read-only), with
    closing and reopening."""
    school = _school(request, school_pk)
    years = list(SchoolYear.objects.filter(school=school).select_related("closed_by"))
    return render(request, "yearend/rollover_years.html", {"school": school, "years": years})


def _year_state(request, school_pk, year_pk, service, done_message):
    school = _school(request, school_pk)
    year = get_object_or_404(SchoolYear, pk=year_pk, school=school)
    try:
        service(school_year=year, user=request.user, reason=request.POST.get("reason", ""))
    except PortalError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done_message % {"name": year.name})
    return redirect("yearend_rollover:years", school.pk)


@login_required
@require_POST
def school_year_close(request, school_pk, year_pk):
    return _year_state(
        request,
        school_pk,
        year_pk,
        rollover.school_year_close,
        _("The school year %(name)s is read-only."),
    )


@login_required
@require_POST
def school_year_reopen(request, school_pk, year_pk):
    return _year_state(
        request,
        school_pk,
        year_pk,
        rollover.school_year_reopen,
        _("The school year %(name)s is open for changes."),
    )
