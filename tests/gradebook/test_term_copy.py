"""The term-grades page's "final = proposed" for a whole sheet."""

import pytest

from django.urls import reverse

from gradebook import services
from gradebook.models import GradeHistory, TermGrade, TermStatus
from portal.models import TeachingAssignment
from tests.factories import SchoolClassFactory, SubjectFactory, make_pupil

P, F = TermGrade.Kind.PROPOSED, TermGrade.Kind.FINAL


def _save(side, pupil, kind, grade, description="", assignment=None):
    services.term_grades_save(
        assignment=assignment or side.assignment,
        term=side.term,
        user=(assignment or side.assignment).teacher,
        entries=[services.TermGradeInput(pupil.pk, kind, grade, description)],
    )


def _final(side, pupil, assignment=None):
    return TermGrade.objects.filter(
        assignment=assignment or side.assignment, term=side.term, pupil=pupil, kind=F
    ).first()


@pytest.fixture
def sheet(gb):
    """School A's maths: pupil 1 with a proposed 4, pupil 2 with a proposed 5 and a
    final 3 already, pupil 3 with nothing."""
    a = gb.a
    a.second = make_pupil(a.class_a, username="a-pupil-2")
    a.third = make_pupil(a.class_a, username="a-pupil-3")
    _save(a, a.pupil, P, 4)
    _save(a, a.second, P, 5)
    _save(a, a.second, F, 3)
    GradeHistory.objects.all().delete()
    return gb


def _copy(a, **kwargs):
    return services.term_grades_copy_proposed(
        assignment=a.assignment, term=a.term, user=a.teacher, **kwargs
    )


def test_copies_only_into_missing_finals_with_history(sheet):
    a = sheet.a
    result = _copy(a)
    assert (result.copied, result.skipped, result.without_proposed) == (1, 1, 1)
    assert _final(a, a.pupil).grade == 4
    assert _final(a, a.second).grade == 3  # kept
    assert _final(a, a.third) is None
    (row,) = GradeHistory.objects.all()
    assert (row.kind, row.action, row.pupil, row.actor) == ("term", "create", a.pupil, a.teacher)
    assert (row.old_value, row.new_value) == ("", "4 (dobry)")
    # A second run finds nothing left to copy.
    again = _copy(a)
    assert (again.copied, again.skipped) == (0, 2)
    assert GradeHistory.objects.count() == 1


def test_overwrite_replaces_finals_already_entered(sheet):
    a = sheet.a
    result = _copy(a, overwrite=True)
    assert (result.copied, result.skipped) == (2, 0)
    assert _final(a, a.second).grade == 5
    changed = GradeHistory.objects.get(pupil=a.second)
    assert (changed.action, changed.old_value, changed.new_value) == (
        "update",
        "3 (dostateczny)",
        "5 (bardzo dobry)",
    )


def test_descriptive_text_goes_with_the_grade_in_classes_1_to_3(gb):
    a = gb.a
    klass = SchoolClassFactory(school_year=a.year, name="2a", level=2)
    pupil = make_pupil(klass)
    assignment = TeachingAssignment.objects.create(
        school_class=klass, subject=SubjectFactory(school=a.school), teacher=a.teacher
    )
    _save(a, pupil, P, None, "Czyta płynnie.", assignment=assignment)
    services.term_grades_copy_proposed(
        assignment=assignment, term=a.term, user=a.teacher, overwrite=False
    )
    final = _final(a, pupil, assignment)
    assert (final.grade, final.description) == (None, "Czyta płynnie.")


def test_a_closed_term_is_refused_with_the_usual_message(sheet):
    a = sheet.a
    TermStatus.objects.create(term=a.term, is_closed=True)
    with pytest.raises(services.GradebookError) as refused:
        _copy(a)
    assert refused.value.code == "term_closed"
    with pytest.raises(services.GradebookError) as usual:
        services.term_grades_save(assignment=a.assignment, term=a.term, user=a.teacher, entries=[])
    assert refused.value.message == usual.value.message
    assert _final(a, a.pupil) is None and not GradeHistory.objects.exists()


def test_only_the_assignments_teacher_may_copy(sheet):
    a = sheet.a
    for user in (a.homeroom, a.admin, sheet.b.teacher):
        with pytest.raises(services.GradebookError) as refused:
            services.term_grades_copy_proposed(assignment=a.assignment, term=a.term, user=user)
        assert refused.value.code == "forbidden"
    assert _final(a, a.pupil) is None


# --- The page ---------------------------------------------------------------------------


def _url(a):
    return reverse("gradebook:term_grades_copy", args=[a.assignment.pk])


def test_the_button_copies_and_reports_the_counts(sheet, login):
    a = sheet.a
    client = login(a.teacher)
    page = client.get(
        reverse("gradebook:term_grades", args=[a.assignment.pk]) + f"?term={a.term.pk}"
    )
    assert _url(a) in page.content.decode()
    response = client.post(_url(a), {"term": a.term.pk}, follow=True)
    assert response.redirect_chain[-1][0].endswith(f"?term={a.term.pk}")
    text = response.content.decode()
    assert ": 1;" in text and _final(a, a.pupil).grade == 4


def test_overwriting_asks_once_more_first(sheet, login):
    a = sheet.a
    client = login(a.teacher)
    asked = client.post(_url(a), {"term": a.term.pk, "overwrite": "1"})
    assert asked.status_code == 200 and 'name="confirm"' in asked.content.decode()
    assert _final(a, a.second).grade == 3 and _final(a, a.pupil) is None
    done = client.post(_url(a), {"term": a.term.pk, "overwrite": "1", "confirm": "1"})
    assert done.status_code == 302
    assert _final(a, a.second).grade == 5 and _final(a, a.pupil).grade == 4


def test_closed_term_on_the_page_keeps_the_message_and_saves_nothing(sheet, login):
    a = sheet.a
    TermStatus.objects.create(term=a.term, is_closed=True)
    client = login(a.teacher)
    page = client.get(
        reverse("gradebook:term_grades", args=[a.assignment.pk]) + f"?term={a.term.pk}"
    )
    assert _url(a) not in page.content.decode()  # no button in a closed term
    response = client.post(_url(a), {"term": a.term.pk}, follow=True)
    assert response.status_code == 200 and _final(a, a.pupil) is None
    (message,) = [str(m) for m in response.context["messages"]]
    assert str(a.term) in message
    assert not GradeHistory.objects.exists()


def test_others_cannot_copy_on_the_page(sheet, login):
    a, b = sheet.a, sheet.b
    for user in (a.homeroom, a.admin, b.teacher, b.admin, a.pupil, a.guardian):
        assert login(user).post(_url(a), {"term": a.term.pk}).status_code == 404
    # Another school's term named with one's own assignment: 404 too.
    assert login(a.teacher).post(_url(a), {"term": b.term.pk}).status_code == 404
    assert login(a.teacher).get(_url(a)).status_code == 405
    assert _final(a, a.pupil) is None
