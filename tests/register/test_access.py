"""Every register page for every role: own school and family only, others 404."""

import pytest

from django.urls import reverse

from tests.factories.register import LessonFactory

STAFF_PAGES = ["day", "missing", "lesson_add", "homework", "tests"]


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_pages(world, login, name):
    url = reverse(f"register:{name}")
    assert login(world.a.teacher).get(url).status_code == 200
    assert login(world.a.admin).get(url).status_code == 200
    assert login(world.a.guardian, mfa=False).get(url).status_code == 404
    assert login(world.a.pupil, mfa=False).get(url).status_code == 404
    assert login(world.a.librarian).get(url).status_code == 404


@pytest.mark.parametrize("name", ["stats", "excuses", "remarks", "announcements"])
def test_shared_pages_answer_everyone_signed_in(world, login, name):
    url = reverse(f"register:{name}")
    for user in (world.a.teacher, world.a.homeroom, world.a.admin):
        assert login(user).get(url).status_code == 200
    assert login(world.a.guardian, mfa=False).get(url).status_code == 200


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(reverse("register:day"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_stats_per_role(world, login):
    url = reverse("register:stats")
    own = {"class": world.a.class_a.pk}
    assert login(world.a.homeroom).get(url, own).status_code == 200
    assert login(world.a.teacher).get(url, own).status_code == 200
    assert login(world.a.admin).get(url, own).status_code == 200
    assert login(world.b.admin).get(url, own).status_code == 404
    assert login(world.b.teacher).get(url, own).status_code == 404
    assert login(world.a.guardian, mfa=False).get(url, own).status_code == 404


def test_lesson_history_is_scoped(world, login):
    lesson = LessonFactory(assignment=world.a.assignment)
    url = reverse("register:lesson_history", args=[lesson.pk])
    assert login(world.a.teacher).get(url).status_code == 200
    assert login(world.a.admin).get(url).status_code == 200
    assert login(world.b.admin).get(url).status_code == 404
    assert login(world.a.homeroom).get(url).status_code == 404
    assert login(world.a.guardian, mfa=False).get(url).status_code == 404


def test_settings_only_for_own_school_admin(world, login):
    url = reverse("register:settings", args=[world.a.school.pk])
    client = login(world.a.admin)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "settings": "1",
            "late_counts_as_present": "",
            "tests_per_week": 2,
            "tests_per_day": 1,
            "test_notice_days": 7,
            "test_limits_block": "on",
            "absence_warning_percent": 40,
        },
    )
    assert response.status_code == 302
    world.a.school.register_settings.refresh_from_db()
    assert world.a.school.register_settings.test_limits_block is True
    assert world.a.school.register_settings.late_counts_as_present is False
    client.post(url, {"free_day": "1", "name": "Ferie", "start": "2026-01-19", "end": "2026-01-30"})
    assert world.a.school.free_days.count() == 1
    assert login(world.b.admin).get(url).status_code == 404
    assert login(world.a.teacher).get(url).status_code == 404


def test_announcement_form_is_for_staff(world, login):
    url = reverse("register:announcement_new")
    assert login(world.a.teacher).get(url).status_code == 200
    assert login(world.a.guardian, mfa=False).get(url).status_code == 404
    client = login(world.a.admin)
    response = client.post(
        url, {"school": world.b.school.pk, "audience": "school", "title": "x", "body": "y"}
    )
    assert response.status_code == 200  # another school is not a valid choice


def test_dashboard_panels_and_nav(world, login, day):
    from tests.factories.register import TimetableEntryFactory

    TimetableEntryFactory(assignment=world.a.assignment, weekday=day.weekday(), number=1)
    teacher = login(world.a.teacher).get(reverse("portal:dashboard"))
    assert reverse("register:day") in teacher.text
    parent = login(world.a.guardian, mfa=False).get(reverse("portal:dashboard"))
    assert reverse("register:week") in parent.text
