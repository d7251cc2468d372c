"""A transferred pupil: the old school keeps read access to its own period (its
register) and sees nothing of the new school; the new school sees its own."""

import datetime
from types import SimpleNamespace

import pytest
import time_machine

from django.urls import reverse

from gradebook.models import Grade
from gradebook.register.models import Attendance
from portal import permissions as p
from portal.models import Enrolment
from tests.conftest import build_school_world, enable_mfa
from tests.factories import EnrolmentFactory
from tests.factories.gradebook import AssessmentFactory
from tests.factories.register import LessonFactory, RemarkFactory

TODAY = datetime.date(2026, 3, 18)  # a Wednesday of the second term
LEFT_A = datetime.date(2026, 3, 6)  # last day at school A (a Friday)
AT_A = datetime.date(2026, 3, 2)
AT_B = datetime.date(2026, 3, 16)


@pytest.fixture
def transfer(db):
    """Pupil `a.pupil` was in A's 4a until LEFT_A and is in B's 4a since the Monday
    after; each school gave a grade, took an absence and wrote a remark."""
    with time_machine.travel(TODAY, tick=False):
        a, b = build_school_world("a"), build_school_world("b")
        pupil = a.pupil
        Enrolment.objects.filter(pupil=pupil).update(end_date=LEFT_A)
        EnrolmentFactory(
            pupil=pupil, school_class=b.class_a, start_date=LEFT_A + datetime.timedelta(days=3)
        )
        for side, day, name in ((a, AT_A, "Sprawdzian w A"), (b, AT_B, "Sprawdzian w B")):
            assessment = AssessmentFactory(assignment=side.assignment, name=name, date=day)
            Grade.objects.create(
                assessment=assessment, pupil=pupil, symbol="4", teacher=side.teacher
            )
            lesson = LessonFactory(assignment=side.assignment, date=day)
            Attendance.objects.create(
                lesson=lesson, pupil=pupil, status=Attendance.Status.UNEXCUSED
            )
            RemarkFactory(
                pupil=pupil, school_class=side.class_a, author=side.teacher, text=f"Uwaga {name}"
            )
    return SimpleNamespace(a=a, b=b, pupil=pupil)


def _get(client, user, url):
    enable_mfa(user)
    client.force_login(user)
    with time_machine.travel(TODAY, tick=False):
        return client.get(url)


def _pupil_page(client, user, pupil):
    return _get(client, user, reverse("gradebook:pupil", args=[pupil.pk]))


def test_old_school_sees_its_own_period_only(client, transfer):
    t = transfer
    response = _pupil_page(client, t.a.admin, t.pupil)
    assert response.status_code == 200
    assert response.context["register"].school_class == t.a.class_a
    assert "Sprawdzian w A" in response.text
    assert "Sprawdzian w B" not in response.text
    assert t.b.school.name not in response.text

    stats = _get(client, t.a.admin, reverse("register:pupil_stats") + f"?pupil={t.pupil.pk}")
    assert stats.status_code == 200
    assert stats.context["school_class"] == t.a.class_a
    assert stats.context["stats"]["total"].counts[Attendance.Status.UNEXCUSED] == 1
    assert stats.context["end"] == LEFT_A

    remarks = _get(client, t.a.admin, reverse("register:remarks") + f"?pupil={t.pupil.pk}")
    texts = [r.text for r in remarks.context["page"]]
    assert texts == ["Uwaga Sprawdzian w A"]


def test_new_school_sees_its_own_period_only(client, transfer):
    t = transfer
    response = _pupil_page(client, t.b.admin, t.pupil)
    assert response.context["register"].school_class == t.b.class_a
    assert "Sprawdzian w B" in response.text
    assert "Sprawdzian w A" not in response.text
    stats = _get(client, t.b.admin, reverse("register:pupil_stats") + f"?pupil={t.pupil.pk}")
    assert stats.context["school_class"] == t.b.class_a
    assert stats.context["stats"]["total"].counts[Attendance.Status.UNEXCUSED] == 1
    remarks = _get(client, t.b.admin, reverse("register:remarks") + f"?pupil={t.pupil.pk}")
    assert [r.text for r in remarks.context["page"]] == ["Uwaga Sprawdzian w B"]


def test_visible_enrolments_per_viewer(transfer):
    t = transfer
    with time_machine.travel(TODAY, tick=False):
        old, new = Enrolment.objects.filter(pupil=t.pupil).order_by("start_date")
        assert list(p.visible_enrolments(t.a.admin, t.pupil)) == [old]
        assert list(p.visible_enrolments(t.b.admin, t.pupil)) == [new]
        assert list(p.visible_enrolments(t.a.guardian, t.pupil)) == [new, old]
        assert list(p.visible_enrolments(t.pupil, t.pupil)) == [new, old]
        # a teacher sees the pupils of the class now, not those who left it
        assert not p.visible_enrolments(t.a.teacher, t.pupil).exists()
        assert list(p.visible_enrolments(t.b.teacher, t.pupil)) == [new]
        assert not p.visible_enrolments(t.a.librarian, t.pupil).exists()


def test_teacher_of_the_old_class_no_longer_sees_the_pupil(client, transfer):
    assert _pupil_page(client, transfer.a.teacher, transfer.pupil).status_code == 404


def test_guardian_sees_the_current_school(client, transfer):
    response = _pupil_page(client, transfer.a.guardian, transfer.pupil)
    assert response.context["register"].school_class == transfer.b.class_a


def test_grade_history_hides_pupils_the_viewer_cannot_see(client, transfer):
    t = transfer
    url = reverse("gradebook:history", args=[t.a.assignment.pk])
    assert _get(client, t.a.teacher, f"{url}?pupil={t.a.other_pupil.pk}").status_code == 404
    assert _get(client, t.a.teacher, f"{url}?pupil={t.b.pupil.pk}").status_code == 404
    assert _get(client, t.a.admin, f"{url}?pupil={t.b.pupil.pk}").status_code == 404
    response = _get(client, t.a.admin, f"{url}?pupil={t.a.other_pupil.pk}")
    assert response.status_code == 200
    assert response.context["pupil"] == t.a.other_pupil
