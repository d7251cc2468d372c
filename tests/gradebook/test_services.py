from decimal import Decimal

import pytest

from django.core import mail

from gradebook import services
from gradebook.models import BehaviourGrade, Grade, GradeHistory, TermGrade
from gradebook.selectors import grade_sheet, grading_settings, sheet_day
from gradebook.services import CellInput, GradebookError, TermGradeInput
from notifications.models import Notification
from portal.models import School
from tests.factories import make_pupil
from tests.factories.gradebook import AssessmentFactory


def save(side, cells, user=None):
    return services.sheet_save(
        assignment=side.assignment,
        user=user or side.teacher,
        cells=cells,
        day=sheet_day(side.term),
    )


def test_sheet_save_creates_changes_and_deletes_with_history(gb):
    a = gb.a
    result = save(a, [CellInput(a.assessment.pk, a.pupil.pk, "4+", "")])
    assert result.created == 1
    grade = Grade.objects.get()
    assert grade.symbol == "4+"
    save(a, [CellInput(a.assessment.pk, a.pupil.pk, "5−", "4+")])
    grade.refresh_from_db()
    assert grade.symbol == "5-"
    save(a, [CellInput(a.assessment.pk, a.pupil.pk, "", "5-")])
    assert not Grade.objects.exists()
    history = list(GradeHistory.objects.order_by("id"))
    assert [(h.action, h.old_value, h.new_value) for h in history] == [
        ("create", "", "4+"),
        ("update", "4+", "5-"),
        ("delete", "5-", ""),
    ]
    assert all(h.actor == a.teacher and h.object_id == grade.pk for h in history)


def test_unchanged_cells_write_nothing(gb):
    a = gb.a
    save(a, [CellInput(a.assessment.pk, a.pupil.pk, "4", "")])
    result = save(a, [CellInput(a.assessment.pk, a.pupil.pk, "4", "4")])
    assert result.changed == 0
    assert GradeHistory.objects.count() == 1


def test_invalid_symbol_rejects_the_whole_save_naming_pupil_and_cell(gb):
    a = gb.a
    second = make_pupil(a.class_a, last_name="Zielińska")
    with pytest.raises(GradebookError) as exc:
        save(
            a,
            [
                CellInput(a.assessment.pk, a.pupil.pk, "5", ""),
                CellInput(a.assessment.pk, second.pk, "7", ""),
            ],
        )
    assert exc.value.code == "invalid_cells"
    message = exc.value.cell_errors[(a.assessment.pk, second.pk)]
    assert "Zielińska" in message and "Sprawdzian 1" in message and "7" in message
    assert not Grade.objects.exists() and not GradeHistory.objects.exists()


def test_concurrent_edit_is_detected_not_overwritten(gb):
    a = gb.a
    save(a, [CellInput(a.assessment.pk, a.pupil.pk, "3", "")])  # colleague saved first
    with pytest.raises(GradebookError) as exc:
        save(a, [CellInput(a.assessment.pk, a.pupil.pk, "5", "")])  # sheet loaded before
    assert exc.value.code == "invalid_cells"
    assert "3" in exc.value.cell_errors[(a.assessment.pk, a.pupil.pk)]
    assert Grade.objects.get().symbol == "3"


def test_closed_term_refuses_grades_until_reopened(gb):
    a = gb.a
    services.term_set_closed(term=a.term, user=a.admin, closed=True, accept_gaps=True)
    with pytest.raises(GradebookError) as exc:
        save(a, [CellInput(a.assessment.pk, a.pupil.pk, "5", "")])
    assert (a.assessment.pk, a.pupil.pk) in exc.value.cell_errors
    services.term_set_closed(term=a.term, user=a.admin, closed=False)
    assert save(a, [CellInput(a.assessment.pk, a.pupil.pk, "5", "")]).created == 1


def test_foreign_pupil_or_column_is_not_found(gb):
    a, b = gb.a, gb.b
    for cell in (
        CellInput(a.assessment.pk, b.pupil.pk, "5", ""),
        CellInput(b.assessment.pk, a.pupil.pk, "5", ""),
        CellInput(a.assessment.pk, a.other_pupil.pk, "5", ""),  # another class
    ):
        with pytest.raises(GradebookError) as exc:
            save(a, [cell])
        assert exc.value.code == "not_found"


def test_only_the_assignments_teacher_saves(gb):
    a = gb.a
    for user in (a.homeroom, a.admin, gb.b.teacher):
        with pytest.raises(GradebookError) as exc:
            save(a, [CellInput(a.assessment.pk, a.pupil.pk, "5", "")], user=user)
        assert exc.value.code == "forbidden"


def test_improvement_links_to_original_and_replaces_it_in_the_average(gb):
    a = gb.a
    save(a, [CellInput(a.assessment.pk, a.pupil.pk, "1", "")])
    fix = AssessmentFactory(assignment=a.assignment, name="Poprawa", improves=a.assessment)
    save(a, [CellInput(fix.pk, a.pupil.pk, "4", "")])
    improvement = Grade.objects.get(assessment=fix)
    assert improvement.improves.symbol == "1"
    row = grade_sheet(a.assignment, a.term).rows[0]
    assert row.average == Decimal("4.00")
    settings = grading_settings(a.school)
    settings.improvement_replaces = False
    services.grading_settings_update(settings=settings, user=a.admin)
    assert grade_sheet(a.assignment, a.term).rows[0].average == Decimal("2.50")


def test_changing_the_convention_recomputes_averages(gb):
    a = gb.a
    save(a, [CellInput(a.assessment.pk, a.pupil.pk, "4+", "")])
    settings = grading_settings(a.school)
    settings.plus_value = settings.minus_value = Decimal("0.33")
    services.grading_settings_update(settings=settings, user=a.admin)
    assert grade_sheet(a.assignment, a.term).rows[0].average == Decimal("4.33")


def test_invalid_settings_are_refused(gb):
    settings = grading_settings(gb.a.school)
    settings.threshold_5 = Decimal("5.9")
    with pytest.raises(GradebookError) as exc:
        services.grading_settings_update(settings=settings, user=gb.a.admin)
    assert exc.value.code == "invalid_settings"


def test_deleting_a_column_keeps_the_history(gb):
    a = gb.a
    save(a, [CellInput(a.assessment.pk, a.pupil.pk, "2", "")])
    services.assessment_delete(assessment=a.assessment, user=a.teacher)
    assert not Grade.objects.exists()
    actions = list(GradeHistory.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["create", "delete"]


def test_term_grades_history_and_guardian_notification(gb, django_capture_on_commit_callbacks):
    a = gb.a
    with django_capture_on_commit_callbacks(execute=True):
        services.term_grades_save(
            assignment=a.assignment,
            term=a.term,
            user=a.teacher,
            entries=[TermGradeInput(a.pupil.pk, TermGrade.Kind.PROPOSED, 4)],
        )
    note = Notification.objects.get(recipient=a.guardian)
    assert note.pupil == a.pupil and "4" in note.title
    assert [a.guardian.email] in [m.to for m in mail.outbox]
    with django_capture_on_commit_callbacks(execute=True):
        services.term_grades_save(
            assignment=a.assignment,
            term=a.term,
            user=a.teacher,
            entries=[TermGradeInput(a.pupil.pk, TermGrade.Kind.PROPOSED, None)],
        )
    assert not TermGrade.objects.exists()
    rows = GradeHistory.objects.filter(kind="term").order_by("id")
    assert [(h.action, h.new_value) for h in rows] == [
        ("create", "4 (dobry)"),
        ("delete", ""),
    ]


def test_no_notification_is_sent_before_commit(gb, django_capture_on_commit_callbacks):
    a = gb.a
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.term_grades_save(
            assignment=a.assignment,
            term=a.term,
            user=a.teacher,
            entries=[TermGradeInput(a.pupil.pk, TermGrade.Kind.FINAL, 5)],
        )
    assert len(callbacks) == 1 and not Notification.objects.exists()


def test_term_grade_of_a_foreign_pupil_is_not_found(gb):
    a = gb.a
    with pytest.raises(GradebookError) as exc:
        services.term_grades_save(
            assignment=a.assignment,
            term=a.term,
            user=a.teacher,
            entries=[TermGradeInput(gb.b.pupil.pk, TermGrade.Kind.FINAL, 5)],
        )
    assert exc.value.code == "not_found"


def test_descriptive_assessment_in_classes_1_to_3(gb):
    a = gb.a
    a.class_a.level = 2
    a.class_a.save()
    services.term_grades_save(
        assignment=a.assignment,
        term=a.term,
        user=a.teacher,
        entries=[TermGradeInput(a.pupil.pk, "final", None, "Czyta płynnie.")],
    )
    assert TermGrade.objects.get().description == "Czyta płynnie."


def test_the_first_class_of_a_liceum_is_graded_not_described(gb):
    """Descriptive assessment is for grades 1–3 of primary school only."""
    a = gb.a
    a.school.school_type = School.Type.LYCEUM
    a.school.save()
    a.class_a.level = 1
    a.class_a.save()
    services.term_grades_save(
        assignment=a.assignment,
        term=a.term,
        user=a.teacher,
        entries=[TermGradeInput(a.pupil.pk, "final", 4, "Czyta płynnie.")],
    )
    saved = TermGrade.objects.get()
    assert (saved.grade, saved.description) == (4, "")


def test_behaviour_only_by_the_homeroom_teacher_with_history(gb):
    a = gb.a
    with pytest.raises(GradebookError):
        services.behaviour_grades_save(
            school_class=a.class_a,
            term=a.term,
            user=a.teacher,
            entries=[(a.pupil.pk, "final", "wzorowe")],
        )
    services.behaviour_grades_save(
        school_class=a.class_a,
        term=a.term,
        user=a.homeroom,
        entries=[(a.pupil.pk, "final", "wzorowe")],
    )
    services.behaviour_grades_save(
        school_class=a.class_a,
        term=a.term,
        user=a.homeroom,
        entries=[(a.pupil.pk, "final", "dobre")],
    )
    assert BehaviourGrade.objects.get().value == "dobre"
    rows = GradeHistory.objects.filter(kind="behaviour").order_by("id")
    assert [(h.action, h.old_value, h.new_value) for h in rows] == [
        ("create", "", "wzorowe"),
        ("update", "wzorowe", "dobre"),
    ]


def test_admin_cannot_write_grades(gb, client):
    a = gb.a
    save(a, [CellInput(a.assessment.pk, a.pupil.pk, "4", "")])
    grade = Grade.objects.get()
    from tests.conftest import enable_mfa

    client.force_login(enable_mfa(gb.superuser))
    assert client.get(f"/django-admin/gradebook/grade/{grade.pk}/change/").status_code == 200
    response = client.post(f"/django-admin/gradebook/grade/{grade.pk}/change/", {"symbol": "1"})
    assert response.status_code == 403
    assert (
        client.post(
            f"/django-admin/gradebook/grade/{grade.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    assert client.get("/django-admin/gradebook/grade/add/").status_code == 403
    grade.refresh_from_db()
    assert grade.symbol == "4"


def test_every_stored_grade_matches_its_latest_history_row(gb):
    """The audit trail is complete: replaying history gives today's values."""
    a = gb.a
    second = make_pupil(a.class_a)
    fix = AssessmentFactory(assignment=a.assignment, name="Poprawa", improves=a.assessment)
    save(
        a, [CellInput(a.assessment.pk, a.pupil.pk, "2", ""), CellInput(fix.pk, second.pk, "np", "")]
    )
    save(
        a,
        [CellInput(a.assessment.pk, a.pupil.pk, "3-", "2"), CellInput(fix.pk, a.pupil.pk, "5", "")],
    )
    save(a, [CellInput(fix.pk, second.pk, "", "np")])
    services.term_grades_save(
        assignment=a.assignment,
        term=a.term,
        user=a.teacher,
        entries=[TermGradeInput(a.pupil.pk, "proposed", 3), TermGradeInput(second.pk, "final", 2)],
    )
    services.behaviour_grades_save(
        school_class=a.class_a,
        term=a.term,
        user=a.homeroom,
        entries=[(second.pk, "final", "poprawne")],
    )
    for model, kind, value in (
        (Grade, "grade", lambda o: o.symbol),
        (TermGrade, "term", lambda o: f"{o.grade} ("),
        (BehaviourGrade, "behaviour", lambda o: o.value),
    ):
        for obj in model.objects.all():
            latest = GradeHistory.objects.filter(kind=kind, object_id=obj.pk).first()
            assert latest is not None and latest.new_value.startswith(value(obj))
            assert GradeHistory.objects.filter(
                kind=kind, object_id=obj.pk, action="create"
            ).exists()
    deleted = GradeHistory.objects.filter(action="delete").values_list("old_value", flat=True)
    assert list(deleted) == ["np"]


def test_notification_task_is_idempotent(gb, django_capture_on_commit_callbacks):
    from gradebook.tasks import notify_term_grades

    a = gb.a
    with django_capture_on_commit_callbacks(execute=True):
        [tg] = services.term_grades_save(
            assignment=a.assignment,
            term=a.term,
            user=a.teacher,
            entries=[TermGradeInput(a.pupil.pk, TermGrade.Kind.FINAL, 5)],
        )
    notify_term_grades.call([tg.pk])  # a retried task tells nobody twice
    assert Notification.objects.filter(recipient=a.guardian).count() == 1
    assert [m.to for m in mail.outbox].count([a.guardian.email]) == 1
