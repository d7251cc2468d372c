"""The year end's one entry point ("Koniec roku"): the steps of closing a school
year in the order a school does them, each a link to its own screen. A step is
listed only where the user may open it; the screens check again themselves."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gradebook.selectors import current_term
from portal.models import School, SchoolClass, Term


@dataclass(frozen=True)
class Step:
    """One link of the hub. `kind` says what the URL takes: the school ("school"),
    the school and its current term ("term"), a class ("class"), or the class's
    school ("class_school")."""

    label: str
    help: str
    url_name: str
    kind: str


# In the order of the school's June and August.
SCHOOL_STEPS = [
    Step(
        _("Check and close the term"),
        _("What is missing in each class: grades, behaviour, topics, attendance."),
        "gradebook:term_status",
        "term",
    ),
    Step(
        _("Classification summary"),
        _("For the teachers' council: results per class and for the school; PDF and CSV."),
        "yearend:school",
        "school",
    ),
    Step(
        _("Promotion decisions"),
        _("Each class's outcomes, the council's resolution and the exam retakes."),
        "yearend:promotion_school",
        "school",
    ),
    Step(
        _("Register printouts"),
        _("The dziennik lekcyjny of a class for a month or the year, attendance reports."),
        "yearend:statutory",
        "school",
    ),
    Step(
        _("Record sheets"),
        _("The arkusze ocen of each pupil and class."),
        "yearend:sheets_school",
        "school",
    ),
    Step(
        _("Register export (XML/JSON)"),
        _("The register of a class or the whole school year in the documented format."),
        "yearend:export",
        "school",
    ),
    Step(
        _("Year-end archive"),
        _("Every class's register signed, with a manifest; kept for five years."),
        "yearend_archive:school",
        "school",
    ),
    Step(
        _("Next school year"),
        _("Create the next year from this one; finished years are read-only."),
        "yearend_rollover:year",
        "school",
    ),
]

CLASS_STEPS = [
    Step(
        _("Classification of the class"),
        _("Final grades, averages, honours and pupils at risk."),
        "yearend:class",
        "class",
    ),
    Step(
        _("Promotion decisions"),
        _("Accept or change each pupil's proposed outcome and confirm the class."),
        "yearend:promotion_class",
        "class",
    ),
    Step(
        _("Record sheets"),
        _("The arkusze ocen of the class's pupils."),
        "yearend:sheets_class",
        "class",
    ),
    Step(
        _("Register printouts"),
        _("The class's dziennik lekcyjny and attendance report."),
        "yearend:statutory",
        "class_school",
    ),
]


@dataclass
class Link:
    label: str
    help: str
    url: str


def _url(step: Step, obj, term: Term | None) -> str | None:
    if step.kind == "class_school":  # a school's page that a homeroom teacher sees too
        return reverse(step.url_name, args=[obj.school_year.school_id])
    if step.kind == "term":
        return reverse(step.url_name, args=[obj.pk, term.pk]) if term else None
    return reverse(step.url_name, args=[obj.pk])


def school_links(school: School) -> list[Link]:
    year = school.current_year()
    term = current_term(year) if year else None
    links = []
    for step in SCHOOL_STEPS:
        url = _url(step, school, term)
        if url:
            links.append(Link(step.label, step.help, url))
    return links


def class_links(school_class: SchoolClass) -> list[Link]:
    return [Link(s.label, s.help, _url(s, school_class, None)) for s in CLASS_STEPS]
