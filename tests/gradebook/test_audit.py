"""The grades part of the audit trail: history keeps who after the account is
gone, settings and term closing are recorded, and staff reads of pupils' grades
are written in one extra query per request."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import portal.audit
from gradebook import services
from gradebook.models import GradeHistory
from gradebook.selectors import grading_settings
from portal.models import AuditEvent, ReadAccess, TeachingAssignment, actor_label
from tests.factories import make_teacher
from tests.factories.gradebook import GradeCategoryFactory, grade_put
from tests.gradebook.test_queries import add_pupils


def test_deleting_a_teacher_keeps_their_name_in_grade_history(gb):
    a = gb.a
    grade_put(assessment=a.assessment, pupil=a.pupil, user=a.teacher, text="4")
    # The teacher leaves: a successor takes the class over and corrects the grade.
    successor = make_teacher(a.school, username="a-successor")
    TeachingAssignment.objects.filter(pk=a.assignment.pk).update(teacher=successor)
    a.assessment.assignment.refresh_from_db()
    grade_put(assessment=a.assessment, pupil=a.pupil, user=successor, text="5")
    name = actor_label(a.teacher)

    a.teacher.delete()

    first, second = GradeHistory.objects.order_by("id")
    assert first.actor_id is None and first.who == name
    assert (first.action, first.new_value) == ("create", "4")
    assert second.actor == successor and second.who == actor_label(successor)


def test_closing_and_reopening_a_term_is_recorded_once_per_change(gb):
    a = gb.a
    services.term_set_closed(term=a.term, user=a.admin, closed=True, accept_gaps=True)
    services.term_set_closed(term=a.term, user=a.admin, closed=True)  # no change
    services.term_set_closed(term=a.term, user=a.admin, closed=False)
    events = list(AuditEvent.objects.filter(category=AuditEvent.Category.TERM).order_by("id"))
    assert [(e.action, e.before, e.after.get("is_closed")) for e in events] == [
        ("term.close", {"is_closed": False}, True),
        ("term.reopen", {"is_closed": True}, False),
    ]
    # The pupils have no term or behaviour grades: the gaps were accepted and kept.
    assert events[0].after["gaps_accepted"] is True and events[0].after["gaps"]["final"] > 0
    assert all(e.school_id == a.school.pk and e.actor == a.admin for e in events)
    assert events[0].target_id == a.term.pk and events[0].actor_name == actor_label(a.admin)


def test_grading_settings_changes_record_only_the_changed_fields(gb):
    a = gb.a
    settings = grading_settings(a.school)
    services.grading_settings_update(settings=settings, user=a.admin)  # nothing changed
    assert not AuditEvent.objects.exists()
    settings.plus_value = Decimal("0.33")
    services.grading_settings_update(settings=settings, user=a.admin)
    event = AuditEvent.objects.get()
    assert (event.category, event.action) == ("settings", "grading_settings.update")
    assert event.before == {"plus_value": "0.50"} and event.after == {"plus_value": "0.33"}
    assert event.school_id == a.school.pk and event.actor == a.admin


def test_grade_categories_are_recorded_from_creation_to_deletion(gb, login):
    a = gb.a
    category = GradeCategoryFactory.build(school=a.school, name="Projekt", weight=2)
    services.category_save(category=category, user=a.admin)
    category.weight = 4
    services.category_save(category=category, user=a.admin)
    response = login(a.admin).post(
        reverse("gradebook:category_delete", args=[a.school.pk, category.pk]), {"confirm": "1"}
    )
    assert response.status_code == 302
    events = list(AuditEvent.objects.order_by("id"))
    assert [e.action for e in events] == [
        "grade_category.create",
        "grade_category.update",
        "grade_category.delete",
    ]
    assert events[0].before is None and events[0].after["name"] == "Projekt"
    assert (events[1].before, events[1].after) == ({"weight": 2}, {"weight": 4})
    assert events[2].before["weight"] == 4 and events[2].after is None


def test_a_category_in_use_is_not_deleted_nor_recorded(gb, login):
    a = gb.a
    category = a.assessment.category
    login(a.admin).post(
        reverse("gradebook:category_delete", args=[a.school.pk, category.pk]), {"confirm": "1"}
    )
    assert type(category).objects.filter(pk=category.pk).exists()
    assert not AuditEvent.objects.exists()


# --- Read auditing ---------------------------------------------------------------------


def _queries(client, url, *, flush: bool, monkeypatch) -> int:
    with monkeypatch.context() as m:
        if not flush:
            m.setattr(portal.audit, "flush_reads", lambda request: 0)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_a_teacher_opening_a_pupil_page_writes_one_row_in_one_query(gb, login, monkeypatch):
    a = gb.a
    client = login(a.teacher)
    url = reverse("gradebook:pupil", args=[a.pupil.pk])
    client.get(url)  # the first visit also records the viewer's last visit
    ReadAccess.objects.all().delete()

    without = _queries(client, url, flush=False, monkeypatch=monkeypatch)
    assert not ReadAccess.objects.exists()
    with_audit = _queries(client, url, flush=True, monkeypatch=monkeypatch)

    assert with_audit == without + 1
    row = ReadAccess.objects.get()
    assert (row.actor, row.pupil, row.what, row.school) == (
        a.teacher,
        a.pupil,
        ReadAccess.What.GRADES,
        a.school,
    )
    assert row.actor_name == actor_label(a.teacher) and row.path == url


def test_the_class_page_with_30_pupils_still_costs_one_query(gb, login, monkeypatch):
    a = gb.a
    add_pupils(a, 29)
    client = login(a.homeroom)
    url = reverse("gradebook:class", args=[a.class_a.pk])
    client.get(url)
    ReadAccess.objects.all().delete()

    without = _queries(client, url, flush=False, monkeypatch=monkeypatch)
    with_audit = _queries(client, url, flush=True, monkeypatch=monkeypatch)

    assert with_audit == without + 1
    rows = ReadAccess.objects.filter(actor=a.homeroom, what=ReadAccess.What.GRADES)
    assert rows.count() == 30 and set(rows.values_list("school", flat=True)) == {a.school.pk}


@pytest.mark.parametrize("name", ["sheet", "term_grades", "history"])
def test_the_teachers_sheets_record_the_pupils_read(gb, login, name):
    a = gb.a
    grade_put(assessment=a.assessment, pupil=a.pupil, user=a.teacher, text="4")
    response = login(a.teacher).get(reverse(f"gradebook:{name}", args=[a.assignment.pk]))
    assert response.status_code == 200
    assert list(ReadAccess.objects.values_list("pupil", "what")) == [(a.pupil.pk, "grades")]


def test_a_guardian_or_the_pupil_reading_writes_nothing(gb, login):
    a = gb.a
    for user in (a.guardian, a.pupil):
        response = login(user).get(reverse("gradebook:pupil", args=[a.pupil.pk]))
        assert response.status_code == 200
    assert not ReadAccess.objects.exists()


def test_a_page_out_of_reach_writes_nothing(gb, login):
    response = login(gb.a.teacher).get(reverse("gradebook:pupil", args=[gb.b.pupil.pk]))
    assert response.status_code == 404
    assert not ReadAccess.objects.exists()


@pytest.mark.django_db
def test_a_posted_column_of_35_changed_cells_records_35_entries_with_before_and_after(gb, login):
    """The sheet saves a column in bulk, but every changed cell keeps its own
    history row: who, when, the value before and the value after."""
    a = gb.a
    add_pupils(a, 34)
    pupils = list(a.assignment.pupils_on())
    assert len(pupils) == 35
    client = login(a.teacher)
    url = reverse("gradebook:sheet", args=[a.assignment.pk])

    def post(symbol, before):
        data = {"term": a.term.pk}
        for p in pupils:
            data[f"g-{a.assessment.pk}-{p.pk}"] = symbol
            data[f"o-{a.assessment.pk}-{p.pk}"] = before
        assert client.post(url, data).status_code == 302

    post("4", "")
    GradeHistory.objects.all().delete()
    post("5-", "4")
    rows = list(GradeHistory.objects.order_by("pupil_id"))
    assert len(rows) == 35
    assert sorted(r.pupil_id for r in rows) == sorted(p.pk for p in pupils)
    grades = dict(
        a.assessment.grades.values_list("pupil_id", "pk")
    )  # each row names the grade it changed
    for row in rows:
        assert (row.action, row.old_value, row.new_value) == ("update", "4", "5-")
        assert row.actor == a.teacher and row.actor_name
        assert row.at is not None and row.object_id == grades[row.pupil_id]
        assert row.assessment_id == a.assessment.pk


def test_many_reads_are_written_in_chunks_with_who_what_where_and_when(gb, rf, monkeypatch):
    """The read-audit rows go out as multi-row INSERTs of at most
    `_READS_PER_INSERT` rows (on PostgreSQL as one INSERT from arrays); every row
    keeps the actor, their name, the pupil, the school, the kind, the page and the
    time of the request."""
    a = gb.a
    add_pupils(a, 4)
    pupils = list(a.class_a.pupils_on(a.year.start))
    assert len(pupils) == 5
    monkeypatch.setattr(portal.audit, "_READS_PER_INSERT", 2)
    request = rf.get("/dziennik/klasa/")
    request.user = a.homeroom
    portal.audit.note_reads(request, pupils=pupils, what=ReadAccess.What.GRADES, school=a.school)
    portal.audit.note_read(request, pupil=pupils[0], what=ReadAccess.What.REMARKS)
    moment = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False), CaptureQueriesContext(connection) as queries:
        assert portal.audit.flush_reads(request) == 6
    # SQLite: 2 + 2 + 2 rows; PostgreSQL: one INSERT of three arrays, whatever the count.
    assert len(queries) == (1 if connection.vendor == "postgresql" else 3)
    rows = ReadAccess.objects.order_by("id")
    assert [(r.pupil_id, r.what, r.school_id) for r in rows] == [
        *[(p.pk, "grades", a.school.pk) for p in pupils],
        (pupils[0].pk, "remarks", None),
    ]
    assert {(r.actor_id, r.actor_name, r.path, r.at) for r in rows} == {
        (a.homeroom.pk, actor_label(a.homeroom), "/dziennik/klasa/", moment)
    }
    # Flushed once: a second flush writes nothing.
    assert portal.audit.flush_reads(request) == 0
