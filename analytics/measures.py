"""One definition of every figure of the municipal analytics.

Each `Measure` names a figure once: its label, the definition in words (the
formula), the unit, where the data comes from and the smallest population it is
shown for. The officer's overview (column headers and their tooltips), the
definitions page and, later, the exports' headers are all generated from
`MEASURES`; the arithmetic itself is in the functions below, which reuse the
register's own rules (`gradebook.register.selectors.attendance_percent`,
`gradebook.scale`), so a figure here is computed exactly as a school sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from gradebook import scale as grade_scale
from gradebook.models import BehaviourGrade
from gradebook.register.models import Attendance
from gradebook.register.selectors import attendance_percent

#: No figure computed from fewer pupils than this is shown (privacy by aggregation).
MIN_POPULATION = 5


@dataclass(frozen=True)
class Measure:
    key: str
    label: object  # lazy translated text
    definition: object
    unit: object
    source: object
    # Figures computed from fewer people than this are suppressed; 0 for head
    # counts, which the school registers (SIO, RSPO) publish anyway.
    min_population: int = MIN_POPULATION
    # A single figure per school (a column of the overview and the comparison);
    # False for a distribution, shown as a table of its own parts.
    single: bool = True

    def suppressed(self, population: int | None) -> bool:
        return bool(self.min_population) and (population or 0) < self.min_population


PERCENT = _("%")
TIMETABLE_SOURCE = _("class register: the timetable")
CLASSIFICATION_SOURCE = _("grade sheets: final mid-year and annual grades")

MEASURES: dict[str, Measure] = {
    m.key: m
    for m in (
        Measure(
            "pupils",
            _("Pupils"),
            _(
                "The number of pupils enrolled in a class of the current school year on the "
                "day of computation, by school and by level."
            ),
            _("pupils"),
            _("class lists (enrolments)"),
            min_population=0,
        ),
        Measure(
            "classes",
            _("Classes"),
            _("The number of classes (oddziały) of the current school year."),
            _("classes"),
            _("classes of the school year"),
            min_population=0,
        ),
        Measure(
            "class_size",
            _("Average class size"),
            _("Pupils divided by classes, to one decimal place."),
            _("pupils per class"),
            _("class lists (enrolments)"),
            min_population=0,
        ),
        Measure(
            "teachers",
            _("Teachers in the timetable"),
            _(
                "The number of teachers who teach at least one lesson in the timetable in "
                "force on the day of computation: the timetable entries valid that day (an "
                "entry limited to part of the year by its “valid from” and “valid until” "
                "dates counts only while it is in force). A teacher who teaches in several "
                "schools counts in each, and in each class they teach. Teachers are counted, "
                "never named. A count of staff, not of pupils, so it is always shown; no "
                "figure where the school keeps no timetable in the portal. Months already "
                "over keep the figure of their last computation."
            ),
            _("teachers"),
            TIMETABLE_SOURCE,
            min_population=0,
        ),
        Measure(
            "weekly_lessons",
            _("Weekly lessons in the timetable"),
            _(
                "The lessons a week in the timetable in force on the day of computation: "
                "each timetable entry valid that day is one lesson of one teacher, so two "
                "groups of a class taught at the same time are two lessons (as the school's "
                "organisation sheet counts hours). An entry limited to part of the year by "
                "its “valid from” and “valid until” dates counts only while it is in force. "
                "A count of lessons, not of pupils, so it is always shown; no figure where "
                "the school (or the class) keeps no timetable in the portal."
            ),
            _("lessons a week"),
            TIMETABLE_SOURCE,
            min_population=0,
        ),
        Measure(
            "lessons_per_teacher",
            _("Weekly lessons per teacher"),
            _(
                "Weekly lessons in the timetable ÷ teachers in the timetable, to one decimal "
                "place, on the day of computation; a teacher who also teaches in another "
                "school has only this school's lessons here. For several schools: their "
                "lessons ÷ the sum of their teachers. Not a pupil count, so it is always "
                "shown; no figure where the school keeps no timetable in the portal."
            ),
            _("lessons a week per teacher"),
            TIMETABLE_SOURCE,
            min_population=0,
        ),
        Measure(
            "attendance",
            _("Attendance"),
            _(
                "Attendance % = present ÷ (present + absent) × 100, where present = present "
                "+ absent for school reasons + late, and absent = excused + unexcused "
                "absences; released pupils count as neither. A school that does not count "
                "lateness as presence counts a late arrival as an absence (the school's "
                "register setting). Lessons of the month by their date."
            ),
            PERCENT,
            _("class register: attendance of every lesson"),
        ),
        Measure(
            "lateness",
            _("Lateness"),
            _(
                "The share of lessons attended at which the pupil came late: late ÷ (present "
                "+ late + absent for school reasons) × 100. Lessons of the month by their date."
            ),
            PERCENT,
            _("class register: attendance of every lesson"),
        ),
        Measure(
            "unexcused",
            _("Unexcused absences"),
            _("The share of absences that are unexcused: unexcused ÷ (excused + unexcused) × 100."),
            PERCENT,
            _("class register: attendance of every lesson"),
        ),
        Measure(
            "grade_average",
            _("Grade average"),
            _(
                "The weighted average of current grades, as the grade sheet computes it: "
                "Σ(value × weight) ÷ Σ(weight) over the grades that count towards the "
                "average, with the school's values of “+” and “−” and its rule on "
                "improved grades; marks without a value (np, bz, nb, a lone + or −) do not "
                "count. Grades of the month by the date of their column."
            ),
            _("grade (1–6)"),
            _("grade sheets: current grades"),
        ),
        Measure(
            "failing",
            _("Failing grades"),
            _(
                "The share of the grades that count towards the average which are "
                "niedostateczny (1, 1+ or 1−): failing ÷ all counted grades × 100."
            ),
            PERCENT,
            _("grade sheets: current grades"),
        ),
        Measure(
            "midyear_average",
            _("Mid-year classification average"),
            _(
                "The mean of the numeric mid-year grades (final grades of term 1, 1–6): "
                "Σ grades ÷ their number, to two decimal places, each final grade counting "
                "once, as the school's classification summary averages them; descriptive "
                "assessments (classes 1–3) have no number and do not count. The grades "
                "entered so far. Shown from 5 pupils with a numeric mid-year grade."
            ),
            _("grade (1–6)"),
            CLASSIFICATION_SOURCE,
        ),
        Measure(
            "annual_average",
            _("Annual classification average"),
            _(
                "The mean of the numeric annual grades (final grades of the school year's "
                "last term, 1–6): Σ grades ÷ their number, to two decimal places, each final "
                "grade counting once, as the school's classification summary averages them; "
                "descriptive assessments (classes 1–3) do not count. The grades entered so "
                "far. Shown from 5 pupils with a numeric annual grade."
            ),
            _("grade (1–6)"),
            CLASSIFICATION_SOURCE,
        ),
        Measure(
            "midyear_failing",
            _("Pupils failing at mid-year"),
            _(
                "The share of pupils with at least one niedostateczny (1) among their "
                "mid-year grades (final grades of term 1): those pupils ÷ the pupils with a "
                "numeric mid-year grade × 100. The grades entered so far."
            ),
            PERCENT,
            CLASSIFICATION_SOURCE,
        ),
        Measure(
            "annual_failing",
            _("Pupils failing at the annual classification"),
            _(
                "The share of pupils with at least one niedostateczny (1) among their annual "
                "grades (final grades of the school year's last term): those pupils ÷ the "
                "pupils with a numeric annual grade × 100. The grades entered so far, before "
                "any retake exam."
            ),
            PERCENT,
            CLASSIFICATION_SOURCE,
        ),
        Measure(
            "annual_unclassified",
            _("Pupils unclassified at the annual classification"),
            _(
                "The share of pupils not classified (nieklasyfikowany) in at least one "
                "subject at the annual classification: pupils without an annual grade "
                "(neither a number nor a descriptive assessment) in a subject taught to "
                "their class or to their group ÷ the pupils in the class on the last day of "
                "the year's last term × 100, as the school's classification summary counts "
                "them (a pupil with no annual grade at all is unclassified too). Counted only "
                "once the school has closed the year's last term (before that a missing grade "
                "may simply not be entered yet)."
            ),
            PERCENT,
            CLASSIFICATION_SOURCE,
        ),
        Measure(
            "excuse_days",
            _("Days from absence to excuse decision"),
            _(
                "The average number of calendar days from the first absence an excuse "
                "covers to the day it was accepted or rejected: Σ days ÷ decided excuses, "
                "to one decimal place; an excuse decided before the absence (an advance "
                "notice) counts 0 days. Excuses decided in the school year; shown from 5 "
                "pupils with a decided excuse."
            ),
            _("days"),
            _("class register: excuses and their decisions"),
        ),
        Measure(
            "behaviour",
            _("Behaviour grades"),
            _(
                "The distribution of behaviour grades: for each grade (exemplary, very good, "
                "good, correct, inadequate, reprehensible) the pupils who have it ÷ the pupils "
                "with a behaviour grade × 100. Each pupil's latest final behaviour grade of "
                "the school year: the annual one once given, the mid-year one before."
            ),
            PERCENT,
            _("class register: final behaviour grades"),
            single=False,
        ),
        Measure(
            "behaviour_poor",
            _("Inadequate or reprehensible behaviour"),
            _(
                "The share of pupils whose behaviour grade is inadequate or reprehensible: "
                "those pupils ÷ the pupils with a behaviour grade × 100. Each pupil's latest "
                "final behaviour grade of the school year: the annual one once given, the "
                "mid-year one before."
            ),
            PERCENT,
            _("class register: final behaviour grades"),
        ),
        Measure(
            "honours",
            _("Pupils with honours"),
            _(
                "The share of pupils promoted or completing school with honours (z "
                "wyróżnieniem): those pupils ÷ the pupils with a confirmed year-end "
                "decision × 100. Decisions confirmed by the homeroom teacher and the school."
            ),
            PERCENT,
            _("year-end promotion decisions"),
        ),
        Measure(
            "not_promoted",
            _("Pupils not promoted"),
            _(
                "The share of pupils not promoted to the next class: those pupils ÷ the "
                "pupils with a confirmed year-end decision × 100. Decisions confirmed by the "
                "homeroom teacher and the school."
            ),
            PERCENT,
            _("year-end promotion decisions"),
        ),
        Measure(
            "loans_per_reader",
            _("Library loans per reader"),
            _(
                "Loans from the school library to the school's pupils in the school year ÷ "
                "the readers among them (pupils who borrowed at least once), to one decimal "
                "place. A loan counts for the class the pupil was in on the day of the loan."
            ),
            _("loans per reader"),
            _("school library: loans"),
        ),
        Measure(
            "active_readers",
            _("Active readers"),
            _(
                "The share of pupils who borrowed from the school library at least once in "
                "the school year: readers ÷ pupils enrolled in the year × 100. No figure "
                "where the library recorded no loan in the year."
            ),
            PERCENT,
            _("school library: loans"),
        ),
        Measure(
            "guardians_signed_in",
            _("Guardians who signed in this month"),
            _(
                "The share of guardians of the school's current pupils who signed in to "
                "the portal at least once in the calendar month: signed in ÷ all guardians "
                "× 100. Months already over keep the figure of their last computation."
            ),
            PERCENT,
            _("accounts: last sign-in of each guardian"),
        ),
    )
}


# --- The formulas -------------------------------------------------------------------------

# Field of the attendance summary for each status code of the register.
ATTENDANCE_FIELDS = {
    Attendance.Status.PRESENT: "present",
    Attendance.Status.LATE: "late",
    Attendance.Status.SCHOOL: "school_reasons",
    Attendance.Status.EXCUSED: "excused",
    Attendance.Status.UNEXCUSED: "unexcused",
    Attendance.Status.RELEASED: "released",
}


def status_counts(row: dict) -> dict[str, int]:
    """The register's {status code: count} from a row of summed summary fields."""
    return {code: row.get(field) or 0 for code, field in ATTENDANCE_FIELDS.items()}


def attendance(row: dict, *, late_counts_as_present: bool) -> float | None:
    """Attendance % of summed counts: the register's own formula."""
    return attendance_percent(status_counts(row), late_counts_as_present=late_counts_as_present)


def attendance_parts(row: dict, *, late_counts_as_present: bool) -> tuple[int, int]:
    """(present, absent) of summed counts under one school's lateness setting, so
    that schools with different settings can be pooled (`attendance_pooled`)."""
    present = (row.get("present") or 0) + (row.get("school_reasons") or 0)
    absent = (row.get("excused") or 0) + (row.get("unexcused") or 0)
    if late_counts_as_present:
        present += row.get("late") or 0
    else:
        absent += row.get("late") or 0
    return present, absent


def attendance_pooled(row: dict) -> float | None:
    """Attendance % of rows pooled by `attendance_parts` (`counted_present`,
    `counted_absent`): for one school it equals `attendance`."""
    present = row.get("counted_present") or 0
    return share(present, present + (row.get("counted_absent") or 0))


def lateness_share(row: dict) -> float | None:
    late = row.get("late") or 0
    attended = (row.get("present") or 0) + late + (row.get("school_reasons") or 0)
    return share(late, attended)


def share(part: int, whole: int) -> float | None:
    if not whole:
        return None
    return round(100 * part / whole, 1)


def unexcused_share(row: dict) -> float | None:
    return share(row.get("unexcused") or 0, (row.get("excused") or 0) + (row.get("unexcused") or 0))


def grade_average(row: dict) -> Decimal | None:
    return grade_scale.average_of(row.get("weighted_sum") or 0, row.get("weight_sum") or 0)


def failing_share(row: dict) -> float | None:
    return share(row.get("failing_count") or 0, row.get("grade_count") or 0)


def is_failing(symbol: str) -> bool:
    """A current grade of niedostateczny, with or without a modifier."""
    return symbol[:1] == "1"


# Field of the yearly class summary for each behaviour grade, best first.
BEHAVIOUR_FIELDS = {
    BehaviourGrade.Value.EXEMPLARY: "behaviour_exemplary",
    BehaviourGrade.Value.VERY_GOOD: "behaviour_very_good",
    BehaviourGrade.Value.GOOD: "behaviour_good",
    BehaviourGrade.Value.CORRECT: "behaviour_correct",
    BehaviourGrade.Value.INADEQUATE: "behaviour_inadequate",
    BehaviourGrade.Value.REPREHENSIBLE: "behaviour_reprehensible",
}
POOR_BEHAVIOUR = (BehaviourGrade.Value.INADEQUATE, BehaviourGrade.Value.REPREHENSIBLE)
#: The two classifications of a school year: final grades of term 1, and of the last term.
CLASSIFICATIONS = ("midyear", "annual")
#: Summed fields of the yearly class summary.
YEAR_FIELDS = (
    "pupils",
    "behaviour_graded",
    *BEHAVIOUR_FIELDS.values(),
    "decided",
    "honours",
    "not_promoted",
    "loans",
    "readers",
    "excuses_decided",
    "excuse_days",
    "excused_pupils",
    *(
        f"{classification}_{name}"
        for classification in CLASSIFICATIONS
        for name in ("graded", "grade_sum", "grade_count", "failing")
    ),
    "annual_classified",
    "annual_unclassified",
)


def behaviour_shares(row: dict) -> dict[str, float | None]:
    """{grade value: share of the pupils with a behaviour grade}."""
    graded = row.get("behaviour_graded") or 0
    return {value: share(row.get(f) or 0, graded) for value, f in BEHAVIOUR_FIELDS.items()}


def behaviour_poor_share(row: dict) -> float | None:
    poor = sum(row.get(BEHAVIOUR_FIELDS[v]) or 0 for v in POOR_BEHAVIOUR)
    return share(poor, row.get("behaviour_graded") or 0)


def honours_share(row: dict) -> float | None:
    return share(row.get("honours") or 0, row.get("decided") or 0)


def not_promoted_share(row: dict) -> float | None:
    return share(row.get("not_promoted") or 0, row.get("decided") or 0)


def loans_per_reader(row: dict) -> float | None:
    readers = row.get("readers") or 0
    return round((row.get("loans") or 0) / readers, 1) if readers else None


def excuse_days(row: dict) -> float | None:
    decided = row.get("excuses_decided") or 0
    return round((row.get("excuse_days") or 0) / decided, 1) if decided else None


def classification_average(row: dict, classification: str) -> Decimal | None:
    """The mean of a classification's numeric final grades, two places half up:
    the arithmetic of `gradebook.yearend.rules.grades_average` on summed parts."""
    return grade_scale.average_of(
        row.get(f"{classification}_grade_sum") or 0, row.get(f"{classification}_grade_count") or 0
    )


def classification_failing_share(row: dict, classification: str) -> float | None:
    failing, graded = row.get(f"{classification}_failing"), row.get(f"{classification}_graded")
    return share(failing or 0, graded or 0)


def unclassified_share(row: dict) -> float | None:
    return share(row.get("annual_unclassified") or 0, row.get("annual_classified") or 0)


def lessons_per_teacher(lessons: int | None, teachers: int | None) -> float | None:
    return round(lessons / teachers, 1) if lessons and teachers else None


def active_readers_share(row: dict) -> float | None:
    # No loan at all: the library does not lend through the portal (no data, not 0 %).
    if not row.get("loans"):
        return None
    return share(row.get("readers") or 0, row.get("pupils") or 0)


def class_size(pupils: int, classes: int) -> float | None:
    return round(pupils / classes, 1) if classes else None


def open_data_licence() -> str:
    """The licence note of the open data (the gmina's figures may be reused)."""
    return str(
        _(
            "Licence: Creative Commons Attribution 4.0 (CC BY 4.0), "
            "https://creativecommons.org/licenses/by/4.0/deed.pl. Reuse freely, naming the "
            "source: the gmina's education portal. Figures computed from fewer than 5 pupils "
            "are hidden."
        )
    )
