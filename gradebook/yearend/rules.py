"""The classification and promotion rules, one pure function per rule.

Sources (docs/yearend.md says more): the section "Year end" of the domain guide,
which follows the Education Act (ustawa o systemie oświaty, chapter 3a:
art. 44k unclassified for absence over half of the lessons, art. 44m the retake
exam, art. 44o promotion, art. 44q completing school) and the regulation on
assessment, classification and promotion (rozporządzenie MEN z 22.02.2019) with
the honours threshold (an average of 4.75 and at least very good behaviour).

The functions take plain values (grades 1–6, behaviour words, counts) so they are
tested once with hand-worked cases and properties, and reused by the selectors,
the screens and the printouts. Averages come from the grade scale's own
`weighted_average` (two decimals, half up, as school statutes round them).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from ..scale import weighted_average
from .models import PromotionOutcome

#: The failing grade (niedostateczny).
FAILING = 1
#: Art. 44k ust. 1: absent for more than half of the lessons in the period.
ABSENCE_SHARE = Decimal("0.5")
#: Honours: an average of annual grades of at least 4.75 …
HONOURS_AVERAGE = Decimal("4.75")
#: … and a behaviour grade of at least "bardzo dobre".
HONOURS_BEHAVIOUR = frozenset({"wzorowe", "bardzo_dobre"})
#: The retake exam (art. 44m): one failing grade by right, two when the council
#: allows it (the domain guide's rule; docs/yearend.md notes the Act's wording).
RETAKE_LIMIT = 1
RETAKE_LIMIT_BY_COUNCIL = 2


def is_unclassified(*, grade: int | None, description: str = "") -> bool:
    """Nieklasyfikowany in a subject: there is no final (mid-year or annual)
    grade for it, neither a number nor, in classes 1–3, a descriptive
    assessment (art. 44k; the register holds no grade, so none can be shown)."""
    return grade is None and not (description or "").strip()


def may_be_unclassified(*, absences: int, lessons: int) -> bool:
    """Absent for more than half of the subject's lessons in the period: the
    pupil may be left unclassified (art. 44k ust. 1). `lessons` are the lessons
    of the subject the pupil's attendance was taken for, `absences` the excused
    and unexcused ones among them. Exactly half is not more than half."""
    if lessons <= 0 or absences <= 0:
        return False
    return Decimal(absences) > ABSENCE_SHARE * lessons


def grades_average(grades: Iterable[int | None]) -> Decimal | None:
    """The average of term (or annual) grades, each counting once, rounded to two
    places half up; subjects without a numeric grade are left out. None when
    there is no grade at all."""
    return weighted_average((Decimal(g), 1) for g in grades if g is not None)


def failing_count(grades: Iterable[int | None]) -> int:
    """How many of the grades are niedostateczny (1)."""
    return sum(1 for g in grades if g == FAILING)


def has_honours(*, descriptive: bool, grades: Iterable[int | None], behaviour: str | None) -> bool:
    """Promotion (or completing school) with honours (art. 44o and the
    regulation on assessment): from class 4 up (classes graded with numbers, not the descriptive
    classes 1–3), an average of the annual grades of at least 4.75 and a
    behaviour grade of wzorowe or bardzo dobre. Without a behaviour grade there
    are no honours."""
    if descriptive or behaviour not in HONOURS_BEHAVIOUR:
        return False
    average = grades_average(grades)
    return average is not None and average >= HONOURS_AVERAGE


def is_at_risk(*, failing: int, unclassified: int, absence_flags: int = 0) -> bool:
    """Zagrożony nieklasyfikowaniem lub niepromowaniem: one or more failing
    grades (final, or proposed where the final is not given yet), a subject
    without a grade, or absence over half of a subject's lessons."""
    return failing > 0 or unclassified > 0 or absence_flags > 0


def retake_exam_eligible(*, failing: int, council_allows_two: bool = False) -> bool:
    """Egzamin poprawkowy (art. 44m): a pupil with one failing annual grade may
    take it; with two, only when the teachers' council allows it."""
    limit = RETAKE_LIMIT_BY_COUNCIL if council_allows_two else RETAKE_LIMIT
    return 1 <= failing <= limit


def is_last_level(*, level: int, last_level: int) -> bool:
    """The school's last class: its pupils complete school instead of moving up
    (the last level is the school's, `School.max_level`: 8 in a primary school)."""
    return level >= last_level


def proposed_outcome(
    *,
    level: int,
    last_level: int,
    descriptive: bool,
    grades: Iterable[int | None],
    unclassified: int,
    behaviour: str | None,
) -> PromotionOutcome | None:
    """What the rules propose for one pupil at the end of the school year (the
    council decides; `PromotionDecision.outcome` records the decision).

    - Classes 1–3 (descriptive assessment) are promoted: art. 44o ust. 1, a
      pupil is kept back only by the council's exceptional decision.
    - From class 4 up a pupil is promoted when classified in every subject and
      every annual grade is above niedostateczny (art. 44o ust. 2), with honours
      per `has_honours`; otherwise not promoted (a retake exam may follow).
    - In the school's last class the same conditions complete school
      (art. 44q): graduated, with honours or not.

    None for a class that is not classified at all (level 0, the pre-school year)."""
    if level < 1:
        return None
    grades = list(grades)
    last = is_last_level(level=level, last_level=last_level)
    if descriptive:
        return PromotionOutcome.GRADUATED if last else PromotionOutcome.PROMOTED
    if unclassified > 0 or failing_count(grades) > 0:
        return PromotionOutcome.NOT_PROMOTED
    honours = has_honours(descriptive=False, grades=grades, behaviour=behaviour)
    if last:
        return PromotionOutcome.GRADUATED_WITH_HONOURS if honours else PromotionOutcome.GRADUATED
    return PromotionOutcome.PROMOTED_WITH_HONOURS if honours else PromotionOutcome.PROMOTED
