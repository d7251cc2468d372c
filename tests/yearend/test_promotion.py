"""Promotion decisions and exam retakes: the services branch by branch, the
selector the year rollover reads, and the screens (who may, the happy path in
Polish, bad input, query counts that do not grow with the class)."""

import datetime

import pytest
import time_machine

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from gradebook import services as gradebook_services
from gradebook.models import GradeHistory, TermGrade, TermStatus
from gradebook.services import GradebookError, TermGradeInput
from gradebook.yearend import promotion
from gradebook.yearend.models import PromotionDecision, PromotionOutcome, RetakeExam
from portal.models import AuditEvent, Enrolment, Role, User
from tests.factories import RoleFactory, SubjectFactory, TeachingAssignmentFactory, UserFactory

from .conftest import behaviour, final

OUT = PromotionOutcome
AUGUST = "2027-08-28 10:00:00+02:00"
RESOLUTION_DATE = datetime.date(2027, 6, 18)


def decide(side, pupil, outcome, note="", user=None):
    return promotion.decision_set(
        school_class=side.class_a,
        pupil_id=pupil.pk,
        outcome=outcome,
        note=note,
        user=user or side.homeroom,
    )


def confirm_all(side):
    promotion.decisions_confirm_homeroom(school_class=side.class_a, user=side.homeroom)
    promotion.decisions_confirm_school(
        school_class=side.class_a,
        user=side.admin,
        resolution_number="12/2027",
        resolution_date=RESOLUTION_DATE,
    )


def decision_of(side, pupil):
    return PromotionDecision.objects.get(school_class=side.class_a, pupil=pupil)


def close_term(side):
    TermStatus.objects.update_or_create(term=side.term2, defaults={"is_closed": True})


# --- Proposals ------------------------------------------------------------------------------


def test_the_page_proposes_the_rules_outcome_for_each_pupil(ye):
    a = ye.a
    page = promotion.class_decisions(school_class=a.class_a)
    assert page.term == a.term2
    proposed = {r.pupil.pk: r.proposed for r in page.rows}
    assert proposed == {
        a.pupil.pk: OUT.PROMOTED,
        a.honours.pk: OUT.PROMOTED_WITH_HONOURS,
        a.failing.pk: OUT.NOT_PROMOTED,
        a.unclassified.pk: OUT.NOT_PROMOTED,
    }
    assert all(r.decision is None and r.outcome == r.proposed for r in page.rows)
    failing = next(r for r in page.rows if r.pupil == a.failing)
    assert [s.name for s in failing.retake_subjects] == ["Matematyka"]
    assert page.pending_retakes == 1
    assert page.homeroom_confirmed == 0 and not page.all_homeroom_confirmed


def test_the_last_class_completes_school(ye):
    a = ye.a
    a.class_a.level = 8
    a.class_a.save()
    page = promotion.class_decisions(school_class=a.class_a)
    assert {r.pupil.pk: r.proposed for r in page.rows}[a.honours.pk] == OUT.GRADUATED_WITH_HONOURS
    assert [v for v, _label in page.outcome_choices] == [
        OUT.GRADUATED,
        OUT.GRADUATED_WITH_HONOURS,
        OUT.NOT_PROMOTED,
    ]


# --- Deciding -------------------------------------------------------------------------------


def test_accepting_the_proposal_needs_no_reason_and_is_audited(ye):
    a = ye.a
    decision = decide(a, a.pupil, OUT.PROMOTED)
    assert (decision.proposed, decision.outcome, decision.note) == (OUT.PROMOTED, OUT.PROMOTED, "")
    event = AuditEvent.objects.get(action="promotion_decision.create")
    assert event.category == AuditEvent.Category.YEAR_END
    assert event.before is None and event.after["outcome"] == OUT.PROMOTED
    assert event.actor == a.homeroom and event.person == a.pupil
    assert event.school_id == a.school.pk


def test_an_override_needs_a_reason(ye):
    a = ye.a
    with translation.override("pl"), pytest.raises(GradebookError) as exc:
        decide(a, a.unclassified, OUT.PROMOTED)
    assert exc.value.code == "reason_required"
    assert "powód" in exc.value.message
    assert not PromotionDecision.objects.exists()
    decide(a, a.unclassified, OUT.PROMOTED, note="  Egzamin klasyfikacyjny zdany.  ")
    row = next(
        r
        for r in promotion.class_decisions(school_class=a.class_a).rows
        if r.pupil == a.unclassified
    )
    assert row.overridden and row.outcome == OUT.PROMOTED and row.proposed == OUT.NOT_PROMOTED
    assert row.decision.note == "Egzamin klasyfikacyjny zdany."


def test_an_outcome_of_another_level_or_pupil_is_refused(ye):
    a = ye.a
    with pytest.raises(GradebookError) as exc:
        decide(a, a.pupil, OUT.GRADUATED, note="x")
    assert exc.value.code == "bad_outcome"
    with pytest.raises(GradebookError) as exc:
        decide(a, a.other_pupil, OUT.PROMOTED)
    assert exc.value.code == "not_found"


def test_who_may_decide(ye):
    a, b = ye.a, ye.b
    for user in (a.teacher, a.guardian, b.admin, b.homeroom):
        with pytest.raises(GradebookError) as exc:
            decide(a, a.pupil, OUT.PROMOTED, user=user)
        assert exc.value.code == "forbidden"
    decide(a, a.pupil, OUT.PROMOTED, user=a.headteacher)
    with pytest.raises(GradebookError) as exc:
        promotion.decisions_confirm_school(
            school_class=a.class_a,
            user=a.homeroom,
            resolution_number="1",
            resolution_date=RESOLUTION_DATE,
        )
    assert exc.value.code == "forbidden"


def test_decisions_wait_for_the_last_term(db, login):
    from .conftest import build_year_end

    with time_machine.travel("2027-01-15 10:00:00+01:00", tick=False):
        side = build_year_end("early")
        with pytest.raises(GradebookError) as exc:
            decide(side, side.pupil, OUT.PROMOTED)
        assert exc.value.code == "too_early"
        client = login(side.homeroom)
        html = client.get(reverse("yearend:promotion_class", args=[side.class_a.pk])).content
        assert "podejmuje się w ostatnim okresie" in html.decode()
        assert b'name="outcome"' not in html


# --- Confirming -----------------------------------------------------------------------------


def test_the_school_confirms_only_after_the_homeroom_teacher(ye):
    a = ye.a
    with pytest.raises(GradebookError) as exc:
        promotion.decisions_confirm_school(
            school_class=a.class_a,
            user=a.admin,
            resolution_number="12/2027",
            resolution_date=RESOLUTION_DATE,
        )
    assert exc.value.code == "homeroom_first"
    decide(a, a.failing, OUT.NOT_PROMOTED, note="Egzamin poprawkowy w sierpniu.")
    assert promotion.decisions_confirm_homeroom(school_class=a.class_a, user=a.homeroom) == 4
    decisions = PromotionDecision.objects.filter(school_class=a.class_a)
    assert decisions.count() == 4
    assert all(d.homeroom_confirmed_by == a.homeroom and d.outcome for d in decisions)
    assert decision_of(a, a.honours).outcome == OUT.PROMOTED_WITH_HONOURS
    assert promotion.decisions_for_year(school_year=a.year) == {}
    count = promotion.decisions_confirm_school(
        school_class=a.class_a,
        user=a.admin,
        resolution_number=" 12/2027 ",
        resolution_date=RESOLUTION_DATE,
    )
    assert count == 4
    page = promotion.class_decisions(school_class=a.class_a)
    assert page.all_admin_confirmed
    assert page.resolution.resolution_number == "12/2027"
    assert page.resolution.resolution_date == RESOLUTION_DATE
    assert AuditEvent.objects.filter(action="promotion_decision.confirm_school").count() == 4
    # confirming again changes nothing
    assert promotion.decisions_confirm_homeroom(school_class=a.class_a, user=a.homeroom) == 0


@pytest.mark.parametrize(
    ("number", "day", "code"),
    [
        ("", RESOLUTION_DATE, "no_resolution"),
        ("x" * 51, RESOLUTION_DATE, "bad_resolution"),
        ("12/2027", None, "bad_date"),
        ("12/2027", datetime.date(2027, 6, 22), "bad_date"),
        ("12/2027", datetime.date(2026, 6, 30), "bad_date"),
    ],
)
def test_the_resolution_is_checked(ye, number, day, code):
    a = ye.a
    promotion.decisions_confirm_homeroom(school_class=a.class_a, user=a.homeroom)
    with pytest.raises(GradebookError) as exc:
        promotion.decisions_confirm_school(
            school_class=a.class_a, user=a.admin, resolution_number=number, resolution_date=day
        )
    assert exc.value.code == code
    assert not PromotionDecision.objects.filter(admin_confirmed_at__isnull=False).exists()


def test_a_changed_outcome_clears_the_confirmations(ye):
    a = ye.a
    confirm_all(a)
    decide(a, a.pupil, OUT.PROMOTED, note="Uwaga bez zmiany decyzji.")
    assert decision_of(a, a.pupil).admin_confirmed_at is not None  # a note alone keeps them
    decide(a, a.failing, OUT.PROMOTED, note="Rada pedagogiczna promuje warunkowo.")
    decision = decision_of(a, a.failing)
    assert decision.homeroom_confirmed_at is None and decision.admin_confirmed_at is None
    assert decision.resolution_number == ""
    event = AuditEvent.objects.filter(action="promotion_decision.update", person=a.failing).get()
    assert event.before["outcome"] == OUT.NOT_PROMOTED and event.after["outcome"] == OUT.PROMOTED
    assert (
        event.before["admin_confirmed_by"] == a.admin.pk
        and event.after["admin_confirmed_by"] is None
    )
    assert a.failing.pk not in promotion.decisions_for_year(school_year=a.year)
    assert a.pupil.pk in promotion.decisions_for_year(school_year=a.year)


def test_a_changed_annual_grade_clears_the_confirmations(ye):
    a = ye.a
    confirm_all(a)
    gradebook_services.term_grades_save(
        assignment=a.maths,
        term=a.term2,
        user=a.maths.teacher,
        entries=[TermGradeInput(pupil_id=a.pupil.pk, kind=TermGrade.Kind.FINAL, grade=1)],
    )
    decision = decision_of(a, a.pupil)
    assert decision.homeroom_confirmed_at is None and decision.admin_confirmed_at is None
    event = AuditEvent.objects.get(action="promotion_decision.unconfirm")
    assert event.person == a.pupil and event.actor == a.maths.teacher
    # the proposal is now "not promoted": the old decision needs a reason to be confirmed
    with pytest.raises(GradebookError) as exc:
        promotion.decisions_confirm_homeroom(school_class=a.class_a, user=a.homeroom)
    assert exc.value.code == "reason_required" and "Adamska Anna" in exc.value.message
    # a proposed grade or a grade of the first term changes nothing
    gradebook_services.term_grades_save(
        assignment=a.maths,
        term=a.term1,
        user=a.maths.teacher,
        entries=[TermGradeInput(pupil_id=a.honours.pk, kind=TermGrade.Kind.FINAL, grade=2)],
    )
    assert decision_of(a, a.honours).admin_confirmed_at is not None


def test_a_changed_behaviour_grade_clears_the_confirmations(ye):
    a = ye.a
    confirm_all(a)
    gradebook_services.behaviour_grades_save(
        school_class=a.class_a,
        term=a.term2,
        user=a.homeroom,
        entries=[(a.honours.pk, "final", "poprawne")],
    )
    assert decision_of(a, a.honours).admin_confirmed_at is None
    assert decision_of(a, a.pupil).admin_confirmed_at is not None


# --- Retakes --------------------------------------------------------------------------------


def retake(side, pupil, subject, grade=3, **kwargs):
    params = {
        "school_class": side.class_a,
        "pupil_id": pupil.pk,
        "subject_id": subject.pk,
        "date": datetime.date(2027, 6, 21),
        "grade": grade,
        "board": "J. Kowalska, A. Nowak",
        "user": side.admin,
    }
    params.update(kwargs)
    return promotion.retake_record(**params)


def test_a_retake_changes_the_annual_grade_with_history_and_re_decides(ye):
    a = ye.a
    confirm_all(a)
    close_term(a)
    with time_machine.travel(AUGUST, tick=False):
        exam = retake(a, a.failing, a.subject, grade=3)
        grade = TermGrade.objects.get(
            pupil=a.failing, assignment=a.maths, term=a.term2, kind=TermGrade.Kind.FINAL
        )
        assert grade.grade == 3
        history = GradeHistory.objects.get(object_id=grade.pk, kind=GradeHistory.Kind.TERM)
        assert history.reason == "egzamin poprawkowy"
        assert history.old_value.startswith("1") and history.new_value.startswith("3")
        assert history.actor == a.admin
        assert (exam.old_grade, exam.new_grade, exam.board) == (1, 3, "J. Kowalska, A. Nowak")
        decision = decision_of(a, a.failing)
        assert decision.proposed == OUT.PROMOTED and decision.outcome == OUT.PROMOTED
        assert decision.homeroom_confirmed_at is None and decision.admin_confirmed_at is None
        actions = set(AuditEvent.objects.values_list("action", flat=True))
        assert {"term_grade.retake", "retake_exam.create", "promotion_decision.redecide"} <= actions
        page = promotion.class_decisions(school_class=a.class_a)
        assert page.pending_retakes == 0
        # the term stays closed for everything else
        with pytest.raises(GradebookError) as exc:
            gradebook_services.term_grades_save(
                assignment=a.maths,
                term=a.term2,
                user=a.maths.teacher,
                entries=[TermGradeInput(pupil_id=a.failing.pk, kind="final", grade=4)],
            )
        assert exc.value.code == "term_closed"


def test_a_failed_retake_keeps_an_override_and_the_outcome(ye):
    a = ye.a
    decide(a, a.failing, OUT.NOT_PROMOTED)
    with time_machine.travel(AUGUST, tick=False):
        retake(a, a.failing, a.subject, grade=1)
    decision = decision_of(a, a.failing)
    assert decision.outcome == OUT.NOT_PROMOTED and decision.proposed == OUT.NOT_PROMOTED
    with pytest.raises(GradebookError) as exc, time_machine.travel(AUGUST, tick=False):
        retake(a, a.failing, a.subject, grade=4)
    assert exc.value.code == "already_recorded"


def test_a_retake_is_refused_without_a_failing_grade(ye):
    a = ye.a
    with translation.override("pl"), pytest.raises(GradebookError) as exc:
        retake(a, a.failing, a.polish_subject)
    assert exc.value.code == "no_failing_grade"
    assert "niedostatecznej" in exc.value.message
    with pytest.raises(GradebookError) as exc:
        retake(a, a.pupil, a.subject)
    assert exc.value.code == "no_failing_grade"
    assert not RetakeExam.objects.exists()
    assert TermGrade.objects.get(pupil=a.failing, assignment=a.maths, kind="final").grade == 1


def test_two_failing_grades_need_the_councils_leave(ye):
    a = ye.a
    TermGrade.objects.filter(pupil=a.failing, assignment=a.polish, kind="final").update(grade=1)
    with pytest.raises(GradebookError) as exc:
        retake(a, a.failing, a.subject)
    assert exc.value.code == "not_eligible"
    retake(a, a.failing, a.subject, council_allows_two=True, date=datetime.date(2027, 6, 21))
    assert RetakeExam.objects.count() == 1


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"grade": 7}, "invalid_grade"),
        ({"date": None}, "bad_date"),
        ({"date": datetime.date(2027, 6, 22)}, "bad_date"),
    ],
)
def test_a_retake_with_bad_input_is_refused(ye, kwargs, code):
    a = ye.a
    with pytest.raises(GradebookError) as exc:
        retake(a, a.failing, a.subject, **kwargs)
    assert exc.value.code == code


def test_only_the_schools_admin_records_a_retake(ye):
    a, b = ye.a, ye.b
    for user in (a.homeroom, a.teacher, b.admin):
        with pytest.raises(GradebookError) as exc:
            retake(a, a.failing, a.subject, user=user, date=datetime.date(2027, 6, 21))
        assert exc.value.code == "forbidden"


def test_the_retake_write_path_is_only_for_a_failing_annual_grade(ye):
    a = ye.a
    close_term(a)
    good = TermGrade.objects.get(pupil=a.pupil, assignment=a.maths, kind="final")
    with pytest.raises(GradebookError) as exc:
        gradebook_services.term_grade_retake_save(
            term_grade=good, grade=5, user=a.admin, reason="x"
        )
    assert exc.value.code == "not_failing"
    first_term = final(a.failing, a.maths, a.term1, 1)
    with pytest.raises(GradebookError) as exc:
        gradebook_services.term_grade_retake_save(
            term_grade=first_term, grade=5, user=a.admin, reason="x"
        )
    assert exc.value.code == "not_failing"


# --- What the year rollover reads --------------------------------------------------------------


def test_decisions_for_year_counts_only_the_schools_confirmation(ye):
    a, b = ye.a, ye.b
    promotion.decisions_confirm_homeroom(school_class=a.class_a, user=a.homeroom)
    assert promotion.decisions_for_year(school_year=a.year) == {}
    confirm_all(a)
    confirm_all(b)
    decided = promotion.decisions_for_year(school_year=a.year)
    assert set(decided) == {a.pupil.pk, a.honours.pk, a.failing.pk, a.unclassified.pk}
    assert decided[a.honours.pk].outcome == OUT.PROMOTED_WITH_HONOURS
    assert decided[a.failing.pk].school_class == a.class_a


# --- Screens --------------------------------------------------------------------------------


def page_urls(side):
    cls = side.class_a.pk
    return {
        "class": reverse("yearend:promotion_class", args=[cls]),
        "school": reverse("yearend:promotion_school", args=[side.school.pk]),
        "retake": reverse("yearend:promotion_retake", args=[cls, side.failing.pk]),
    }


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("admin", ("class", "school", "retake")),
        ("headteacher", ("class", "school", "retake")),
        ("municipal", ("class", "school", "retake")),
        ("homeroom", ("class",)),
        ("teacher", ()),
        ("guardian", ()),
        ("pupil", ()),
        ("other_admin", ()),
        ("other_homeroom", ()),
    ],
)
def test_who_may_open_the_pages(ye, login, who, allowed):
    a, b = ye.a, ye.b
    user = {
        "admin": a.admin,
        "headteacher": a.headteacher,
        "municipal": RoleFactory(role=Role.MUNICIPAL_ADMIN, school=None, user=UserFactory()).user,
        "homeroom": a.homeroom,
        "teacher": a.teacher,
        "guardian": a.guardian,
        "pupil": a.pupil,
        "other_admin": b.admin,
        "other_homeroom": b.homeroom,
    }[who]
    client = login(user)
    for name, url in page_urls(a).items():
        status = client.get(url).status_code
        assert status == (200 if name in allowed else 404), (name, status)


def test_others_cannot_post(ye, login):
    a, b = ye.a, ye.b
    cls = a.class_a.pk
    for user in (a.teacher, a.guardian, b.admin, b.homeroom):
        client = login(user)
        response = client.post(
            reverse("yearend:promotion_decision", args=[cls, a.pupil.pk]),
            {"outcome": OUT.PROMOTED},
        )
        assert response.status_code == 404
        assert (
            client.post(reverse("yearend:promotion_confirm_homeroom", args=[cls])).status_code
            == 404
        )
    client = login(a.homeroom)
    response = client.post(
        reverse("yearend:promotion_confirm_school", args=[cls]),
        {"resolution_number": "1", "resolution_date": "2027-06-18"},
    )
    assert response.status_code == 404
    assert not PromotionDecision.objects.exists()


def test_the_decisions_happy_path_in_polish(ye, login):
    a = ye.a
    cls = a.class_a.pk
    client = login(a.homeroom)
    html = client.get(page_urls(a)["class"]).content.decode()
    assert "Decyzje o promocji klasy 4a" in html
    for text in ("Adamska Anna", "promowany z wyróżnieniem", "niepromowany", "Matematyka"):
        assert text in html, text
    assert 'scope="col"' in html and "<caption>" in html
    assert f'<label for="outcome-{a.pupil.pk}"' in html
    assert "Zatwierdź jako wychowawca" in html
    assert "Zatwierdź w imieniu szkoły" not in html  # the homeroom teacher does not confirm for it
    response = client.post(
        reverse("yearend:promotion_decision", args=[cls, a.unclassified.pk]),
        {"outcome": OUT.PROMOTED, "note": "Zdał egzamin klasyfikacyjny."},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#pupil-{a.unclassified.pk}")
    response = client.post(reverse("yearend:promotion_confirm_homeroom", args=[cls]), follow=True)
    assert "Decyzje zatwierdzone przez wychowawcę: 4." in response.content.decode()
    client = login(a.headteacher)
    response = client.post(
        reverse("yearend:promotion_confirm_school", args=[cls]),
        {"resolution_number": "12/2027", "resolution_date": "2027-06-18"},
        follow=True,
    )
    html = response.content.decode()
    assert "Decyzje zatwierdzone przez szkołę: 4." in html
    assert "Uchwała rady pedagogicznej nr 12/2027 z dnia 18 czerwca 2027" in html
    assert "Zatwierdzone przez szkołę: 4 z 4" in html
    assert a.unclassified.pk in promotion.decisions_for_year(school_year=a.year)


def test_bad_input_gets_a_polish_message(ye, login):
    a = ye.a
    cls = a.class_a.pk
    client = login(a.homeroom)
    response = client.post(
        reverse("yearend:promotion_decision", args=[cls, a.unclassified.pk]),
        {"outcome": OUT.PROMOTED, "note": ""},
    )
    assert response.status_code == 400
    assert "Podaj powód, gdy decyzja różni się od propozycji." in response.content.decode()
    response = client.post(
        reverse("yearend:promotion_decision", args=[cls, a.pupil.pk]), {"outcome": "abc"}
    )
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    client = login(a.admin)
    response = client.post(
        reverse("yearend:promotion_confirm_school", args=[cls]),
        {"resolution_number": "12/2027", "resolution_date": "2027-06-18"},
    )
    assert response.status_code == 400
    assert "Wychowawca najpierw zatwierdza" in response.content.decode()
    response = client.post(
        reverse("yearend:promotion_confirm_school", args=[cls]),
        {"resolution_number": "", "resolution_date": "jutro"},
    )
    assert response.status_code == 400
    assert 'value="jutro"' in response.content.decode()
    assert not PromotionDecision.objects.exists()


def test_recording_a_retake_on_the_page(ye, login):
    a = ye.a
    close_term(a)
    client = login(a.admin)
    url = page_urls(a)["retake"]
    html = client.get(url).content.decode()
    assert "Egzamin poprawkowy" in html and "Matematyka" in html
    assert '<label for="id_date">' in html
    data = {"date": "2027-06-21", "grade": "3", "board": "Komisja", "note": ""}
    response = client.post(url, {**data, "subject": a.polish_subject.pk})
    assert response.status_code == 400
    assert (
        "Uczeń nie ma oceny niedostatecznej rocznej z tego przedmiotu" in response.content.decode()
    )
    response = client.post(url, {**data, "subject": a.subject.pk, "date": "2027-13-01"})
    assert response.status_code == 400
    response = client.post(url, {**data, "subject": a.subject.pk})
    assert response.status_code == 302
    assert TermGrade.objects.get(pupil=a.failing, assignment=a.maths, kind="final").grade == 3
    assert (
        client.get(
            reverse("yearend:promotion_retake", args=[a.class_a.pk, a.other_pupil.pk])
        ).status_code
        == 404
    )


def test_the_school_overview_counts_each_class(ye, login):
    a = ye.a
    confirm_all(a)
    client = login(a.admin)
    response = client.get(page_urls(a)["school"])
    html = response.content.decode()
    classes = {c.school_class: c for c in response.context["overview"].classes}
    four = classes[a.class_a]
    assert [n for _v, _l, n in four.outcome_counts] == [1, 1, 2, 0, 0]
    assert (four.homeroom_confirmed, four.admin_confirmed, four.pending_retakes) == (4, 4, 1)
    assert classes[a.class_2].admin_confirmed == 0
    assert reverse("yearend:promotion_class", args=[a.class_a.pk]) in html
    assert "Oczekujące egzaminy poprawkowe" in html
    school_page = client.get(reverse("yearend:school", args=[a.school.pk])).content.decode()
    assert reverse("yearend:promotion_school", args=[a.school.pk]) in school_page


# --- Queries ----------------------------------------------------------------------------------


def add_pupils(side, n, start):
    users = User.objects.bulk_create(
        UserFactory.build(username=f"p-{side.school.pk}-{start + j}", password="x")
        for j in range(n)
    )
    Enrolment.objects.bulk_create(
        Enrolment(pupil=u, school_class=side.class_a, start_date=side.year.start) for u in users
    )
    subject = SubjectFactory(school=side.school, name=f"Przedmiot {start}")
    assignment = TeachingAssignmentFactory(school_class=side.class_a, subject=subject)
    for j, u in enumerate(users):
        final(u, assignment, side.term2, (j % 6) + 1)
        behaviour(u, side.class_a, side.term2, "dobre")
    for u in (side.pupil, side.honours, side.failing, side.unclassified):
        final(u, assignment, side.term2, 5)
    return users


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", ["class", "school"])
def test_query_count_does_not_grow_with_pupils(ye, login, page):
    a = ye.a
    confirm_all(a)
    client = login(a.admin)
    url = page_urls(a)[page]
    client.get(url)
    small = count_queries(client, url)
    add_pupils(a, 6, 0)
    promotion.decisions_confirm_homeroom(school_class=a.class_a, user=a.homeroom)
    with time_machine.travel(AUGUST, tick=False):
        retake(a, a.failing, a.subject)
    assert count_queries(client, url) == small
