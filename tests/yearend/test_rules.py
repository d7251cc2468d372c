"""The classification and promotion rules, each branch worked by hand, plus
properties that hold for any grades."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradebook.yearend import rules
from gradebook.yearend.models import PromotionOutcome as O

D = Decimal
grades_st = st.lists(st.integers(min_value=1, max_value=6), max_size=15)
behaviour_st = st.sampled_from(
    ["wzorowe", "bardzo_dobre", "dobre", "poprawne", "nieodpowiednie", "naganne", None]
)


# --- Unclassified ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "description", "expected"),
    [
        (None, "", True),
        (None, "   ", True),  # blank text is no assessment
        (1, "", False),  # a failing grade is still a grade
        (5, "", False),
        (None, "Czyta płynnie.", False),  # classes 1–3: the descriptive assessment
    ],
)
def test_unclassified_without_a_final_grade(grade, description, expected):
    assert rules.is_unclassified(grade=grade, description=description) is expected


@pytest.mark.parametrize(
    ("absences", "lessons", "expected"),
    [
        (16, 30, True),  # over half
        (15, 30, False),  # exactly half is not over half
        (8, 15, True),  # 8 of 15 > 7.5
        (7, 15, False),
        (0, 0, False),  # no lessons: nothing to judge
        (3, 0, False),
    ],
)
def test_may_be_unclassified_when_absent_over_half(absences, lessons, expected):
    assert rules.may_be_unclassified(absences=absences, lessons=lessons) is expected


# --- Averages and honours -------------------------------------------------------------------


def test_average_of_term_grades_is_rounded_to_two_places_half_up():
    assert rules.grades_average([5, 5, 4, 5]) == D("4.75")
    assert rules.grades_average([6, 5, 5]) == D("5.33")  # 5.333…
    assert rules.grades_average([5, 4, 4]) == D("4.33")
    assert rules.grades_average([5, 4, 5, 4, 5, 5, 5, 4]) == D("4.63")  # 4.625 up
    assert rules.grades_average([None, 4]) == D("4.00")
    assert rules.grades_average([]) is None


@pytest.mark.parametrize(
    ("grades", "behaviour", "expected"),
    [
        ([5, 5, 4, 5], "wzorowe", True),  # 4.75 exactly
        ([5, 5, 4, 5], "bardzo_dobre", True),
        ([5, 5, 4, 5], "dobre", False),  # behaviour below bardzo dobre
        ([5, 4, 4, 5], "wzorowe", False),  # 4.50
        ([6, 6, 6, 6], None, False),  # no behaviour grade yet
        ([], "wzorowe", False),  # no grades
        # 4.745…: the rounded average is 4.75 (what the statute compares)
        ([5] * 149 + [4] * 51, "wzorowe", True),
    ],
)
def test_honours_from_class_four(grades, behaviour, expected):
    assert rules.has_honours(descriptive=False, grades=grades, behaviour=behaviour) is expected


def test_no_honours_in_the_descriptive_classes():
    assert not rules.has_honours(descriptive=True, grades=[6, 6], behaviour="wzorowe")


# --- At risk and the retake exam ------------------------------------------------------------


@pytest.mark.parametrize(
    ("failing", "unclassified", "absence", "expected"),
    [
        (0, 0, 0, False),
        (1, 0, 0, True),
        (0, 1, 0, True),
        (0, 0, 1, True),
        (2, 1, 1, True),
    ],
)
def test_at_risk(failing, unclassified, absence, expected):
    assert (
        rules.is_at_risk(failing=failing, unclassified=unclassified, absence_flags=absence)
        is expected
    )


@pytest.mark.parametrize(
    ("failing", "council", "expected"),
    [
        (0, False, False),
        (1, False, True),
        (2, False, False),
        (2, True, True),
        (3, True, False),
    ],
)
def test_retake_exam_for_one_failing_grade_two_by_the_council(failing, council, expected):
    assert rules.retake_exam_eligible(failing=failing, council_allows_two=council) is expected


def test_failing_count():
    assert rules.failing_count([1, 2, 1, None, 6]) == 2


# --- The proposed outcome -------------------------------------------------------------------


def outcome(level=5, last=8, descriptive=False, grades=(5, 5, 4, 5), unclassified=0, b="dobre"):
    return rules.proposed_outcome(
        level=level,
        last_level=last,
        descriptive=descriptive,
        grades=list(grades),
        unclassified=unclassified,
        behaviour=b,
    )


def test_classes_one_to_three_are_promoted_on_the_descriptive_assessment():
    assert outcome(level=1, descriptive=True, grades=[]) == O.PROMOTED
    assert outcome(level=3, descriptive=True, grades=[], unclassified=2) == O.PROMOTED


def test_from_class_four_promoted_when_every_grade_passes():
    assert outcome(grades=[2, 3, 4]) == O.PROMOTED


def test_promoted_with_honours():
    assert outcome(b="wzorowe") == O.PROMOTED_WITH_HONOURS
    assert outcome(b="dobre") == O.PROMOTED


def test_a_failing_grade_or_a_subject_unclassified_is_not_promoted():
    assert outcome(grades=[6, 6, 1], b="wzorowe") == O.NOT_PROMOTED
    assert outcome(grades=[6, 6], unclassified=1, b="wzorowe") == O.NOT_PROMOTED


def test_the_last_class_completes_school():
    assert outcome(level=8) == O.GRADUATED
    assert outcome(level=8, b="bardzo_dobre") == O.GRADUATED_WITH_HONOURS
    assert outcome(level=8, grades=[1, 5]) == O.NOT_PROMOTED
    # a technikum's last class is its 5th, a liceum's its 4th (School.max_level)
    assert outcome(level=5, last=5) == O.GRADUATED
    assert outcome(level=4, last=4) == O.GRADUATED
    assert outcome(level=4, last=5) == O.PROMOTED


def test_no_outcome_for_the_preschool_year():
    assert outcome(level=0, descriptive=True, grades=[]) is None


# --- Properties -----------------------------------------------------------------------------


@given(grades_st.filter(bool))
def test_average_lies_between_the_lowest_and_highest_grade(grades):
    average = rules.grades_average(grades)
    assert min(grades) <= average <= max(grades)
    assert average == average.quantize(D("0.01"))


@given(grades_st, behaviour_st)
def test_honours_exactly_when_average_and_behaviour_reach_the_bar(grades, behaviour):
    average = rules.grades_average(grades)
    expected = (
        average is not None and average >= D("4.75") and behaviour in ("wzorowe", "bardzo_dobre")
    )
    assert rules.has_honours(descriptive=False, grades=grades, behaviour=behaviour) is expected


@given(grades_st, behaviour_st, st.integers(min_value=4, max_value=8), st.integers(0, 3))
def test_outcome_agrees_with_the_other_rules(grades, behaviour, level, unclassified):
    result = outcome(level=level, grades=grades, unclassified=unclassified, b=behaviour)
    failing = rules.failing_count(grades)
    if failing or unclassified:
        assert result == O.NOT_PROMOTED
        assert rules.is_at_risk(failing=failing, unclassified=unclassified)
    else:
        honours = rules.has_honours(descriptive=False, grades=grades, behaviour=behaviour)
        expected = {
            (False, False): O.PROMOTED,
            (False, True): O.PROMOTED_WITH_HONOURS,
            (True, False): O.GRADUATED,
            (True, True): O.GRADUATED_WITH_HONOURS,
        }[(level == 8, honours)]
        assert result == expected


@given(st.integers(0, 200), st.integers(0, 200))
def test_absence_flag_is_exactly_over_half(absences, lessons):
    absences = min(absences, lessons)
    assert rules.may_be_unclassified(absences=absences, lessons=lessons) is (
        lessons > 0 and 2 * absences > lessons
    )
