"""The classification summaries on a small hand-built class (tests/yearend/conftest.py)."""

from decimal import Decimal

from gradebook.yearend.models import PromotionOutcome as O
from gradebook.yearend.selectors import class_classification, school_classification

D = Decimal


def rows_by_name(result):
    return {r.pupil.first_name: r for r in result.rows}


def test_pupils_of_the_class_in_the_last_term(ye):
    a = ye.a
    result = class_classification(school_class=a.class_a, term=a.term2)
    assert result.is_last_term and not result.descriptive
    assert [s.name for s in result.subjects] == ["Język polski", "Matematyka"]
    rows = rows_by_name(result)
    assert set(rows) == {"Anna", "Barbara", "Cezary", "Dawid"}

    anna = rows["Anna"]
    assert [c.grade for c in anna.cells] == [3, 4]
    assert anna.average == D("3.50")
    assert anna.behaviour == "dobre"
    assert anna.attendance == 75.0  # present, late, present, excused
    assert (anna.unclassified, anna.failing, anna.honours, anna.at_risk) == ([], 0, False, False)
    assert anna.outcome == O.PROMOTED

    barbara = rows["Barbara"]
    assert barbara.average == D("5.00") and barbara.honours
    assert barbara.outcome == O.PROMOTED_WITH_HONOURS
    assert barbara.attendance is None  # no attendance taken for her

    cezary = rows["Cezary"]
    assert cezary.failing == 1 and cezary.at_risk and cezary.retake
    assert cezary.outcome == O.NOT_PROMOTED

    dawid = rows["Dawid"]
    assert [s.name for s in dawid.unclassified] == ["Język polski"]
    assert [s.name for s in dawid.absence_flags] == ["Matematyka"]  # 3 of 4 absent
    assert dawid.cells[0].proposed == 2 and dawid.cells[0].grade is None
    assert dawid.average == D("2.00")  # the grades he has
    assert dawid.at_risk and not dawid.retake
    assert dawid.outcome == O.NOT_PROMOTED
    assert dawid.attendance == 25.0

    assert [r.pupil.first_name for r in result.honours_rows] == ["Barbara"]
    assert {r.pupil.first_name for r in result.at_risk_rows} == {"Cezary", "Dawid"}


def test_subject_statistics_and_class_totals(ye):
    a = ye.a
    result = class_classification(school_class=a.class_a, term=a.term2)
    polish, maths = result.stats
    assert (polish.classified, polish.unclassified, polish.failing) == (3, 1, 0)
    assert polish.distribution == {1: 0, 2: 0, 3: 2, 4: 0, 5: 1, 6: 0}
    assert polish.average == D("3.67")
    assert (maths.classified, maths.unclassified, maths.failing) == (4, 0, 1)
    assert maths.distribution == {1: 1, 2: 1, 3: 0, 4: 1, 5: 1, 6: 0}
    assert maths.average == D("3.00")
    t = result.totals
    assert (t.pupils, t.classified, t.unclassified, t.honours, t.at_risk, t.failing) == (
        4,
        3,
        1,
        1,
        2,
        1,
    )
    assert t.average == D("3.29")  # 23 / 7
    assert t.attendance == 50.0  # 4 present of 8 counted
    assert t.outcomes == {O.PROMOTED: 1, O.PROMOTED_WITH_HONOURS: 1, O.NOT_PROMOTED: 2}


def test_mid_year_has_no_outcome_and_counts_missing_finals_as_unclassified(ye):
    a = ye.a
    result = class_classification(school_class=a.class_a, term=a.term1)
    assert not result.is_last_term
    assert all(r.outcome is None and not r.retake for r in result.rows)
    # no grades at all in term 1: every pupil is unclassified and at risk
    assert result.totals.unclassified == 4 and result.totals.at_risk == 4
    assert all(c.without_any_grade for r in result.rows for c in r.cells if c is not None)
    assert all(r.risk_reasons for r in result.rows)


def test_descriptive_classes_one_to_three(ye):
    a = ye.a
    result = class_classification(school_class=a.class_2, term=a.term2)
    assert result.descriptive
    (ewa,) = result.rows
    assert ewa.cells[0].is_descriptive and not ewa.unclassified
    assert ewa.average is None and not ewa.honours
    assert ewa.outcome == O.PROMOTED
    assert result.stats[0].classified == 1 and result.stats[0].average is None


def test_a_group_subject_counts_only_for_the_group(ye):
    from portal.models import TeachingGroup
    from tests.factories import SubjectFactory, TeachingAssignmentFactory

    a = ye.a
    group = TeachingGroup.objects.create(school_class=a.class_a, name="ang. 1")
    group.pupils.add(a.honours)
    TeachingAssignmentFactory(
        school_class=a.class_a,
        group=group,
        subject=SubjectFactory(school=a.school, name="Angielski"),
    )
    rows = rows_by_name(class_classification(school_class=a.class_a, term=a.term2))
    assert rows["Anna"].cells[0] is None  # not in the group: not her subject
    assert [s.name for s in rows["Barbara"].unclassified] == ["Angielski"]


def test_the_last_class_completes_school(ye):
    a = ye.a
    a.class_a.level = 8
    a.class_a.save()
    rows = rows_by_name(class_classification(school_class=a.class_a, term=a.term2))
    assert rows["Anna"].outcome == O.GRADUATED
    assert rows["Barbara"].outcome == O.GRADUATED_WITH_HONOURS


def test_school_summary_has_a_row_per_class_and_totals(ye):
    a = ye.a
    result = school_classification(school=a.school, term=a.term2)
    assert [c.school_class.name for c in result.classes] == ["2a", "4a", "5a"]
    t = result.totals
    assert t.pupils == 6  # 1 + 4 + 1
    assert (t.honours, t.at_risk, t.unclassified) == (1, 2, 1)
    assert t.average == D("3.29")
    assert t.attendance == 50.0
    assert t.outcomes[O.PROMOTED] == 3  # Anna, Ewa, and 5a's pupil


def test_another_schools_classes_are_not_in_the_summary(ye):
    result = school_classification(school=ye.a.school, term=ye.b.term2)
    assert result.classes == []
