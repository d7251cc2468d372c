"""Junk in the grade sheets' parameters and field names (issue 11): `?term=²`
passed `str.isdigit()` and failed as an id (a 500); an id in a field's name beyond
a 64-bit column reached SQLite. Now a 400, and what a page sends still works."""

import pytest

from django.urls import reverse

from gradebook.models import BehaviourGrade, Grade, TermGrade
from tests.bad_input import JUNK_IN_NAMES, Case, check_case, junk_params


def _assignment_url(name):
    return lambda o: reverse(name, args=[o.a.assignment.pk])


def _class_url(name):
    return lambda o: reverse(name, args=[o.a.class_a.pk])


CASES = {
    "class register ?term": Case(
        "a.homeroom",
        "get",
        _class_url("gradebook:class"),
        lambda o, v: {"term": v},
        lambda o: o.a.term.pk,
        200,
    ),
    "behaviour ?term": Case(
        "a.homeroom",
        "get",
        _class_url("gradebook:behaviour"),
        lambda o, v: {"term": v},
        lambda o: o.a.term.pk,
        200,
    ),
    "behaviour: a pupil's field": Case(
        "a.homeroom",
        "post",
        _class_url("gradebook:behaviour"),
        lambda o, v: {"term": o.a.term.pk, f"final-{v}": "wzorowe"},
        lambda o: o.a.pupil.pk,
        302,
        lambda o: BehaviourGrade.objects.filter(pupil=o.a.pupil).exists(),
        junk=JUNK_IN_NAMES,
    ),
    "history ?pupil": Case(
        "a.teacher",
        "get",
        _assignment_url("gradebook:history"),
        lambda o, v: {"pupil": v},
        lambda o: o.a.pupil.pk,
        200,
    ),
    "history ?assessment": Case(
        "a.teacher",
        "get",
        _assignment_url("gradebook:history"),
        lambda o, v: {"assessment": v},
        lambda o: o.a.assessment.pk,
        200,
    ),
    "grade sheet ?term": Case(
        "a.teacher",
        "get",
        _assignment_url("gradebook:sheet"),
        lambda o, v: {"term": v},
        lambda o: o.a.term.pk,
        200,
    ),
    "grade sheet: a cell's assessment": Case(
        "a.teacher",
        "post",
        _assignment_url("gradebook:sheet"),
        lambda o, v: {f"g-{v}-{o.a.pupil.pk}": "5", f"o-{v}-{o.a.pupil.pk}": ""},
        lambda o: o.a.assessment.pk,
        302,
        lambda o: Grade.objects.filter(pupil=o.a.pupil).exists(),
        junk=JUNK_IN_NAMES,
    ),
    "term grades: a pupil's field": Case(
        "a.teacher",
        "post",
        _assignment_url("gradebook:term_grades"),
        lambda o, v: {"term": o.a.term.pk, f"proposed-{v}": "4"},
        lambda o: o.a.pupil.pk,
        302,
        lambda o: TermGrade.objects.filter(pupil=o.a.pupil, grade=4).exists(),
        junk=JUNK_IN_NAMES,
    ),
}


@pytest.mark.parametrize(("case", "junk"), junk_params(CASES))
def test_junk_is_a_400_and_the_valid_value_still_works(gb, login, case, junk):
    check_case(login, gb, CASES[case], junk)


@pytest.mark.parametrize("grade", ["²", "abc", "99999999999999999999", "7"])
def test_a_term_grade_that_is_no_grade_is_shown_at_its_cell(gb, login, grade):
    """A refused cell shows the form again (200), the error at that cell and the
    other choices kept; nothing is saved."""
    a = gb.a
    url = reverse("gradebook:term_grades", args=[a.assignment.pk])
    response = login(a.teacher).post(
        url,
        {
            "term": a.term.pk,
            f"proposed-{a.pupil.pk}": grade,
            f"final-{a.pupil.pk}": "5",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ocena okresowa to liczba od 1 do 6." in body
    assert f'aria-describedby="err-proposed-{a.pupil.pk}"' in body
    assert f'id="err-proposed-{a.pupil.pk}"' in body
    final = body[body.index(f'id="final-{a.pupil.pk}"') :]
    assert '<option value="5" selected>' in final[: final.index("</select>")]
    assert not TermGrade.objects.exists()
