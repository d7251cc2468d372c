"""The attendance screen's markup without JavaScript (issue 14): one radio group
per pupil, the minutes box rendered hidden unless the pupil is late, the rare
statuses open when one of them is chosen, the help referenced once and a polite
live region for the script's announcements."""

import re

from django.urls import reverse

from gradebook.register.models import Attendance
from tests.factories import make_pupil
from tests.factories.register import AttendanceFactory, LessonFactory


def _rows(html: str) -> dict[str, str]:
    """The <li> of each pupil by its data-name."""
    return dict(re.findall(r'<li class="pupil-row"[^>]*data-name="([^"]+)">(.*?)</li>', html, re.S))


def test_minutes_box_only_for_late_pupils_and_rare_statuses_open(world, login, day):
    a = world.a
    late = make_pupil(a.class_a, username="a-pupil-late", last_name="Spóźniony")
    released = make_pupil(a.class_a, username="a-pupil-released", last_name="Zwolniony")
    lesson = LessonFactory(assignment=a.assignment, date=day)
    AttendanceFactory(lesson=lesson, pupil=a.pupil)
    AttendanceFactory(lesson=lesson, pupil=late, status=Attendance.Status.LATE, minutes_late=7)
    AttendanceFactory(lesson=lesson, pupil=released, status=Attendance.Status.RELEASED)
    client = login(a.teacher)
    html = client.get(reverse("register:lesson", args=[a.assignment.pk, day.isoformat(), 1])).text
    rows = _rows(html)
    assert len(rows) == 3
    by_pupil = {
        pupil: rows[f"{pupil.last_name} {pupil.first_name}"] for pupil in (a.pupil, late, released)
    }
    assert '<p class="minutes-field">' in by_pupil[late]
    assert 'value="7"' in by_pupil[late]
    for other in (a.pupil, released):
        assert '<p class="minutes-field" hidden>' in by_pupil[other]
    # The chosen status is a checked radio; a rare one opens its "Inne" section.
    assert 'value="s" checked' in by_pupil[late]
    assert '<details class="more-statuses" open>' in by_pupil[released]
    assert '<details class="more-statuses">' in by_pupil[a.pupil]
    # Each pupil is one group named by the pupil; every status is in it.
    for pupil, row in by_pupil.items():
        assert row.count(f'name="s-{pupil.pk}"') == len(Attendance.Status.values)
    # The help is referenced once, not from every row; announcements have a region.
    assert html.count('aria-describedby="attendance-help attendance-keys"') == 1
    assert 'id="attendance-live"' in html and 'aria-live="polite"' in html
    assert 'class="save-bar"' in html


def test_late_minutes_saved_without_javascript(world, login, day):
    a = world.a
    client = login(a.teacher)
    url = reverse("register:lesson", args=[a.assignment.pk, day.isoformat(), 1])
    response = client.post(url, {"topic": "Ułamki", f"s-{a.pupil.pk}": "s", f"m-{a.pupil.pk}": "4"})
    assert response.status_code == 302
    html = client.get(url).text
    row = _rows(html)[f"{a.pupil.last_name} {a.pupil.first_name}"]
    assert '<p class="minutes-field">' in row and 'value="4"' in row
    # Minutes typed for a pupil who is not late are not kept.
    client.post(url, {"topic": "Ułamki", f"s-{a.pupil.pk}": "p", f"m-{a.pupil.pk}": "4"})
    assert Attendance.objects.get(pupil=a.pupil).minutes_late is None
