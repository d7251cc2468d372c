"""The register's part of the audit trail: settings, timetable and free days are
recorded with who and what changed; staff reads of attendance and remarks are
written in one extra query per request; old rows get their actor's name."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import portal.audit
from gradebook.register import services
from gradebook.register.models import Attendance, RegisterChange
from portal.audit import fill_actor_names
from portal.models import AuditEvent, ReadAccess, User, actor_label
from tests.factories import make_pupil
from tests.factories.register import LessonFactory

SETTINGS = {
    "settings": "1",
    "late_counts_as_present": "on",
    "tests_per_week": "3",
    "tests_per_day": "1",
    "test_notice_days": "7",
    "absence_warning_percent": "40",
}


def test_register_settings_changes_are_recorded(world, login):
    a = world.a
    client = login(a.admin)
    url = reverse("register:settings", args=[a.school.pk])
    assert client.post(url, SETTINGS).status_code == 302
    assert client.post(url, SETTINGS).status_code == 302  # saved again unchanged
    assert client.post(url, {**SETTINGS, "tests_per_week": "2"}).status_code == 302
    create, update = AuditEvent.objects.filter(category="settings").order_by("id")
    assert create.action == "register_settings.create" and create.before is None
    assert create.after["tests_per_week"] == 3
    assert update.action == "register_settings.update"
    assert (update.before, update.after) == ({"tests_per_week": 3}, {"tests_per_week": 2})
    assert update.school_id == a.school.pk and update.actor_name == actor_label(a.admin)


def test_free_days_added_and_removed_are_recorded(world, login):
    a = world.a
    client = login(a.admin)
    url = reverse("register:settings", args=[a.school.pk])
    data = {"free_day": "1", "name": "Ferie", "start": "2026-12-23", "end": "2026-12-31"}
    assert client.post(url, data).status_code == 302
    free_day = a.school.free_days.get()
    assert client.post(url, {"delete": free_day.pk, "confirm": "1"}).status_code == 302
    added, removed = AuditEvent.objects.filter(category="timetable").order_by("id")
    assert added.action == "free_day.create"
    assert added.after == {"name": "Ferie", "start": "2026-12-23", "end": "2026-12-31"}
    assert removed.action == "free_day.delete" and removed.before == added.after
    assert removed.target_id == free_day.pk and removed.school_id == a.school.pk


def test_timetable_entries_added_and_removed_are_recorded(world, login):
    a = world.a
    client = login(a.admin)
    url = reverse("register:timetable", args=[a.class_a.pk])
    data = {"assignment": a.assignment.pk, "weekday": "0", "number": "2"}
    assert client.post(url, data).status_code == 302
    entry = a.assignment.timetable_entries.get()
    assert client.post(url, {"delete": entry.pk, "confirm": "1"}).status_code == 302
    added, removed = AuditEvent.objects.filter(category="timetable").order_by("id")
    assert added.action == "timetable_entry.create" and added.actor == a.admin
    assert added.after["assignment"] == a.assignment.pk and added.after["number"] == 2
    assert removed.action == "timetable_entry.delete" and removed.school_id == a.school.pk


def test_changes_keep_the_name_and_old_rows_get_it(world, day):
    a = world.a
    lesson = LessonFactory(assignment=a.assignment, date=day)
    change = services.record_change(obj=lesson, action="topic", user=a.teacher, after={})
    assert change.actor_name == actor_label(a.teacher)
    # Rows written before the migration had no name: the data migration fills it.
    RegisterChange.objects.update(actor_name="")
    fill_actor_names(RegisterChange, User)
    change.refresh_from_db()
    assert change.actor_name == actor_label(a.teacher)


# --- Read auditing ---------------------------------------------------------------------


def _queries(client, url, *, flush: bool, monkeypatch) -> int:
    with monkeypatch.context() as m:
        if not flush:
            m.setattr(portal.audit, "flush_reads", lambda request: 0)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_class_attendance_statistics_cost_one_query_for_the_whole_class(
    world, login, day, monkeypatch
):
    a = world.a
    for i in range(29):
        make_pupil(a.class_a, username=f"p{i}")
    lesson = LessonFactory(assignment=a.assignment, date=day)
    Attendance.objects.create(lesson=lesson, pupil=a.pupil, status=Attendance.Status.UNEXCUSED)
    client = login(a.homeroom)
    url = reverse("register:stats") + f"?class={a.class_a.pk}"
    client.get(url)
    ReadAccess.objects.all().delete()

    without = _queries(client, url, flush=False, monkeypatch=monkeypatch)
    assert not ReadAccess.objects.exists()
    with_audit = _queries(client, url, flush=True, monkeypatch=monkeypatch)

    assert with_audit == without + 1
    rows = ReadAccess.objects.filter(what=ReadAccess.What.ATTENDANCE, actor=a.homeroom)
    assert rows.count() == 30 and {r.school_id for r in rows} == {a.school.pk}


def test_a_pupils_attendance_and_remarks_are_recorded_for_staff_only(world, login):
    a = world.a
    services.remark_create(
        author=a.teacher, pupil=a.pupil, school_class=a.class_a, kind="negative", text="Spóźnia"
    )
    stats = reverse("register:pupil_stats") + f"?pupil={a.pupil.pk}"
    remarks = reverse("register:remarks")
    client = login(a.homeroom)
    assert client.get(stats).status_code == 200
    assert client.get(remarks).status_code == 200
    assert set(ReadAccess.objects.values_list("actor", "pupil", "what", "school")) == {
        (a.homeroom.pk, a.pupil.pk, "attendance", a.school.pk),
        (a.homeroom.pk, a.pupil.pk, "remarks", a.school.pk),
    }
    ReadAccess.objects.all().delete()
    client = login(a.guardian)
    assert client.get(stats).status_code == 200
    assert client.get(remarks).status_code == 200
    not_found = reverse("register:pupil_stats") + f"?pupil={world.b.pupil.pk}"
    assert client.get(not_found).status_code == 404
    assert not ReadAccess.objects.exists()
