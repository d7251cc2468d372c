"""The pupil's record sheet (arkusz ocen): one pupil across every school year
they spent in the school's classes, as the regulation on school documentation
keeps it for 50 years.

For each enrolment (a class in a school year, oldest first) the sheet holds the
annual grades (the final term grades of the year's last term, in full words; in
classes 1–3 the descriptive assessment), the behaviour grade, the attendance
summary, the council's promotion decision with its resolution and the notes.

`sheets_for` reads any number of pupils in a fixed number of queries (about
ten, whatever the pupils, years or subjects), so a class of 30 is one reading
and one WeasyPrint document (`class_sheets_pdf`) with a section per pupil, its
pages numbered from 1 for each pupil."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from gradebook.models import BehaviourGrade, TermGrade
from gradebook.register.models import Attendance, RegisterSettings
from gradebook.register.selectors import _counts_by, attendance_percent
from gradebook.scale import grade_word
from portal.models import (
    Enrolment,
    GuardianLink,
    School,
    SchoolClass,
    TeachingAssignment,
    TeachingGroup,
    Term,
    User,
)
from portal.pdfs import render_pdf

from .. import rules
from ..models import PromotionDecision, PromotionOutcome

PDF_TEMPLATE = "yearend/sheets/sheets_pdf.html"
HONOURS = frozenset(
    {PromotionOutcome.PROMOTED_WITH_HONOURS, PromotionOutcome.GRADUATED_WITH_HONOURS}
)


@dataclass
class SheetSubject:
    """One subject's annual grade (or descriptive assessment) in one year."""

    name: str
    grade: int | None = None
    description: str = ""
    # The pupil left the class before the year's classification: no grade is due.
    left_before: bool = False

    @property
    def word(self) -> str:
        return grade_word(self.grade)

    @property
    def unclassified(self) -> bool:
        return not self.left_before and rules.is_unclassified(
            grade=self.grade, description=self.description
        )


@dataclass
class SheetYear:
    """One enrolment of the pupil: a class of one school year."""

    enrolment: Enrolment
    subjects: list = field(default_factory=list)  # [SheetSubject]
    behaviour: str = ""
    attendance: dict = field(default_factory=dict)  # Attendance.Status -> count
    attendance_percent: float | None = None
    decision: PromotionDecision | None = None
    average: Decimal | None = None
    left_early: bool = False
    joined_late: bool = False

    @property
    def school_class(self) -> SchoolClass:
        return self.enrolment.school_class

    @property
    def school_year(self):
        return self.enrolment.school_class.school_year

    @property
    def descriptive(self) -> bool:
        return self.school_class.descriptive_assessment

    @property
    def behaviour_label(self) -> str:
        return BehaviourGrade.Value(self.behaviour).label if self.behaviour else ""

    @property
    def absent(self) -> int:
        return sum(self.attendance.get(code, 0) for code in Attendance.ABSENT)

    @property
    def excused(self) -> int:
        return self.attendance.get(Attendance.Status.EXCUSED, 0)

    @property
    def unexcused(self) -> int:
        return self.attendance.get(Attendance.Status.UNEXCUSED, 0)

    @property
    def late(self) -> int:
        return self.attendance.get(Attendance.Status.LATE, 0)

    @property
    def lessons(self) -> int:
        return sum(self.attendance.values())

    @property
    def notes(self) -> list[str]:
        """What the sheet's "notes" column records for the year, in words."""
        notes = []
        if self.joined_late:
            notes.append(_("In the class from %(day)s.") % {"day": _day(self.enrolment.start_date)})
        if self.left_early:
            notes.append(_("Left the class on %(day)s.") % {"day": _day(self.enrolment.end_date)})
        unclassified = [s.name for s in self.subjects if s.unclassified]
        if unclassified:
            notes.append(
                _("Unclassified in: %(subjects)s.") % {"subjects": ", ".join(unclassified)}
            )
        decision = self.decision
        if decision and decision.outcome in HONOURS:
            notes.append(
                _("Honours (an average of %(average)s).") % {"average": _num(self.average)}
            )
        if decision and decision.note.strip():
            notes.append(decision.note.strip())
        return notes


@dataclass
class PupilSheet:
    pupil: User
    school: School
    guardians: list = field(default_factory=list)  # [GuardianLink]
    years: list = field(default_factory=list)  # [SheetYear]

    @property
    def tables(self) -> list[YearTable]:
        """The years side by side as the printed sheet has them: a column per
        year, a row per subject, at most YEARS_PER_TABLE years in one table."""
        return [
            YearTable(self.years[i : i + YEARS_PER_TABLE])
            for i in range(0, len(self.years), YEARS_PER_TABLE)
        ]


#: Columns of years in one table of the printed sheet (an A4 page's width).
YEARS_PER_TABLE = 4


@dataclass
class YearTable:
    years: list  # [SheetYear]

    @property
    def subject_rows(self) -> list[tuple[str, list]]:
        """(subject name, [SheetSubject or None for each year]), by name."""
        names = sorted({s.name for y in self.years for s in y.subjects})
        by_year = [{s.name: s for s in y.subjects} for y in self.years]
        return [(name, [subjects.get(name) for subjects in by_year]) for name in names]

    @property
    def unconfirmed(self) -> bool:
        """Whether a year of the table has a decision not confirmed yet (marked
        with an asterisk, explained under the table)."""
        return any(
            y.decision and y.decision.outcome and not y.decision.is_confirmed for y in self.years
        )


def _day(day: datetime.date | None) -> str:
    return date_format(day, "SHORT_DATE_FORMAT") if day else ""


def _num(value) -> str:
    return number_format(value, 2) if value is not None else ""


# --- Reading ------------------------------------------------------------------------------


def sheets_for(pupils: list[User], school: School) -> list[PupilSheet]:
    """The record sheets of `pupils` at `school`, in the order given: every
    enrolment of theirs in a class of the school, oldest year first. A fixed
    number of queries whatever the pupils, years and subjects."""
    pupil_ids = [p.pk for p in pupils]
    enrolments = list(
        Enrolment.objects.filter(pupil_id__in=pupil_ids, school_class__school_year__school=school)
        .select_related("school_class__school_year__school", "school_class__homeroom_teacher")
        .order_by("school_class__school_year__start", "start_date", "pk")
    )
    class_ids = {e.school_class_id for e in enrolments}
    year_ids = {e.school_class.school_year_id for e in enrolments}

    guardians: dict[int, list[GuardianLink]] = defaultdict(list)
    for link in (
        GuardianLink.objects.filter(pupil_id__in=pupil_ids)
        .select_related("guardian")
        .order_by("relation", "guardian__last_name", "guardian__first_name", "pk")
    ):
        guardians[link.pupil_id].append(link)

    last_terms: dict[int, Term] = {}
    for term in Term.objects.filter(school_year_id__in=year_ids).order_by("number"):
        last_terms[term.school_year_id] = term

    assignments: dict[int, list[TeachingAssignment]] = defaultdict(list)
    for a in (
        TeachingAssignment.objects.filter(school_class_id__in=class_ids)
        .select_related("subject")
        .order_by("subject__name", "pk")
    ):
        assignments[a.school_class_id].append(a)
    members = set(
        TeachingGroup.pupils.through.objects.filter(
            teachinggroup__school_class_id__in=class_ids, user_id__in=pupil_ids
        ).values_list("teachinggroup_id", "user_id")
    )

    finals: dict[tuple[int, int], tuple] = {}
    for pupil_id, assignment_id, grade, description in TermGrade.objects.filter(
        pupil_id__in=pupil_ids,
        assignment__school_class_id__in=class_ids,
        term__in=[t.pk for t in last_terms.values()],
        kind=TermGrade.Kind.FINAL,
    ).values_list("pupil_id", "assignment_id", "grade", "description"):
        finals[(pupil_id, assignment_id)] = (grade, description)

    behaviour = {
        (pupil_id, class_id): value
        for pupil_id, class_id, value in BehaviourGrade.objects.filter(
            pupil_id__in=pupil_ids,
            school_class_id__in=class_ids,
            term__in=[t.pk for t in last_terms.values()],
            kind=BehaviourGrade.Kind.FINAL,
        ).values_list("pupil_id", "school_class_id", "value")
    }

    attendance = _counts_by(
        Attendance.objects.filter(
            pupil_id__in=pupil_ids, lesson__assignment__school_class_id__in=class_ids
        ),
        "pupil_id",
        "lesson__assignment__school_class_id",
    )

    decisions = {
        (d.pupil_id, d.school_class_id): d
        for d in PromotionDecision.objects.filter(
            pupil_id__in=pupil_ids, school_class_id__in=class_ids
        )
    }
    late = RegisterSettings.for_school(school.pk).late_counts_as_present

    by_pupil: dict[int, list[Enrolment]] = defaultdict(list)
    for e in enrolments:
        by_pupil[e.pupil_id].append(e)

    sheets = []
    for pupil in pupils:
        sheet = PupilSheet(pupil=pupil, school=school, guardians=guardians.get(pupil.pk, []))
        for enrolment in by_pupil.get(pupil.pk, []):
            year = _sheet_year(
                enrolment,
                last_terms.get(enrolment.school_class.school_year_id),
                assignments.get(enrolment.school_class_id, []),
                members,
                finals,
            )
            key = (pupil.pk, enrolment.school_class_id)
            year.behaviour = behaviour.get(key, "")
            year.attendance = attendance.get(key, {})
            year.attendance_percent = attendance_percent(
                year.attendance, late_counts_as_present=late
            )
            year.decision = decisions.get(key)
            sheet.years.append(year)
        sheets.append(sheet)
    return sheets


def _sheet_year(enrolment, last_term, assignments, members, finals) -> SheetYear:
    school_year = enrolment.school_class.school_year
    year = SheetYear(enrolment=enrolment)
    classified_on = last_term.end if last_term else school_year.end
    year.left_early = enrolment.end_date is not None and enrolment.end_date < classified_on
    year.joined_late = enrolment.start_date > school_year.start
    pupil_id = enrolment.pupil_id
    by_subject: dict[int, SheetSubject] = {}
    for a in assignments:
        if a.group_id is not None and (a.group_id, pupil_id) not in members:
            continue
        subject = by_subject.get(a.subject_id)
        if subject is None:
            subject = by_subject[a.subject_id] = SheetSubject(
                name=a.subject.name, left_before=year.left_early
            )
        given = finals.get((pupil_id, a.pk))
        if given and subject.grade is None and not subject.description:
            subject.grade, subject.description = given[0], given[1] or ""
    year.subjects = sorted(by_subject.values(), key=lambda s: s.name)
    if not year.descriptive:
        year.average = rules.grades_average(s.grade for s in year.subjects)
    return year


def class_sheet_pupils(school_class: SchoolClass) -> list[Enrolment]:
    """The enrolments whose pupils' sheets the class keeps: everyone enrolled in
    it who did not move on to another class of the same school year later (that
    class keeps their sheet), by register number and surname; two queries."""
    enrolments = list(
        Enrolment.objects.filter(school_class=school_class)
        .select_related("pupil")
        .order_by(
            F("register_number").asc(nulls_last=True),
            "pupil__last_name",
            "pupil__first_name",
            "-start_date",
        )
    )
    moved_on: dict[int, datetime.date] = {}
    for pupil_id, start in (
        Enrolment.objects.filter(
            pupil_id__in={e.pupil_id for e in enrolments},
            school_class__school_year_id=school_class.school_year_id,
        )
        .exclude(school_class=school_class)
        .values_list("pupil_id", "start_date")
    ):
        moved_on[pupil_id] = max(start, moved_on.get(pupil_id, start))
    result, seen = [], set()
    for e in enrolments:
        if e.pupil_id in seen or moved_on.get(e.pupil_id, e.start_date) > e.start_date:
            continue
        seen.add(e.pupil_id)
        result.append(e)
    return result


# --- PDFs ---------------------------------------------------------------------------------


def sheets_pdf(pupils: list[User], school: School, *, base_url: str | None = None) -> bytes:
    """The record sheets of `pupils` at `school` in ONE PDF: a section per
    pupil, each section's pages numbered from 1."""
    context = {"school": school, "sheets": sheets_for(pupils, school), "now": timezone.now()}
    return render_pdf(PDF_TEMPLATE, context, base_url)


def pupil_sheet_pdf(pupil: User, school: School, *, base_url: str | None = None) -> bytes:
    """The record sheet of one pupil at `school`, as a PDF."""
    return sheets_pdf([pupil], school, base_url=base_url)


def class_sheets_pdf(school_class: SchoolClass, *, base_url: str | None = None) -> bytes:
    """The record sheets of a class's pupils (`class_sheet_pupils`) in one PDF."""
    pupils = [e.pupil for e in class_sheet_pupils(school_class)]
    return sheets_pdf(pupils, school_class.school_year.school, base_url=base_url)
