"""The roles are cached between requests (permissions.user_roles, under the user's
roles_version): every change they are computed from must show on the very next
request, in any session. A stale role is a security bug."""

import datetime

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession

from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import permissions as p
from portal.models import GuardianLink, Role, TeachingAssignment, User
from portal.services import role_grant, role_revoke
from tests.conftest import enable_mfa
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def signed_in(user, mfa=True):
    if mfa:
        enable_mfa(user)
    client = Client()
    client.force_login(user)
    return client


def role_queries(client, url):
    from django.db import connection

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    tables = ("portal_roleassignment", "portal_guardianlink", "mfa_authenticator")
    return response, [q["sql"] for q in queries if any(t in q["sql"] for t in tables)]


def test_a_warm_request_reads_no_roles(world):
    client = signed_in(world.a.teacher)
    url = reverse("gradebook:sheet", args=[world.a.assignment.pk])
    assert client.get(url).status_code == 200
    response, queries = role_queries(client, url)
    assert response.status_code == 200
    assert queries == []


def test_a_teacher_handed_off_the_class_loses_the_sheet_at_once(world):
    a = world.a
    teacher = signed_in(a.teacher)
    other_session = signed_in(a.teacher)
    url = reverse("gradebook:sheet", args=[a.assignment.pk])
    assert teacher.get(url).status_code == 200
    assert other_session.get(url).status_code == 200
    # A handover: the row stays, its teacher changes (the old one must be bumped too).
    assignment = TeachingAssignment.objects.get(pk=a.assignment.pk)
    assignment.teacher = a.homeroom
    assignment.save()
    assert teacher.get(url).status_code in (403, 404)
    assert other_session.get(url).status_code in (403, 404)
    assert a.class_a.pk not in p.user_roles(User.objects.get(pk=a.teacher.pk)).taught_class_ids


def test_a_revoked_teaching_assignment_is_seen_by_the_next_request(world):
    a = world.a
    client = signed_in(a.teacher)
    url = reverse("gradebook:sheet", args=[a.assignment.pk])
    assert client.get(url).status_code == 200
    TeachingAssignment.objects.filter(pk=a.assignment.pk).delete()
    assert client.get(url).status_code == 404


def test_a_removed_school_admin_loses_the_management_pages_at_once(world):
    a = world.a
    client = signed_in(a.admin)
    url = reverse("portal:manage_people", args=[a.school.pk])
    assert client.get(url).status_code == 200
    role_revoke(user=User.objects.get(pk=a.admin.pk), role=Role.SCHOOL_ADMIN, school=a.school)
    assert client.get(url).status_code in (403, 404)
    # ...and a new grant shows as quickly.
    role_grant(user=User.objects.get(pk=a.admin.pk), role=Role.SCHOOL_ADMIN, school=a.school)
    assert client.get(url).status_code == 200


def test_a_removed_guardianship_hides_the_childs_grades_at_once(world):
    a = world.a
    client = signed_in(a.guardian, mfa=False)
    url = reverse("gradebook:pupil", args=[a.pupil.pk])
    assert client.get(url).status_code == 200
    GuardianLink.objects.filter(guardian=a.guardian, pupil=a.pupil).delete()
    assert client.get(url).status_code in (403, 404)


def test_a_pupil_whose_enrolment_ended_yesterday_is_no_pupil_today(world):
    """The roles depend on the date: the cache is kept per day."""
    a = world.a
    enrolment = a.pupil.enrolments.get()
    today = datetime.date.today()
    enrolment.end_date = today
    enrolment.save()
    fresh = User.objects.get(pk=a.pupil.pk)
    with time_machine.travel(datetime.datetime.combine(today, datetime.time(12)), tick=False):
        assert p.user_roles(fresh).is_pupil
    with time_machine.travel(
        datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time(12)),
        tick=False,
    ):
        assert not p.user_roles(User.objects.get(pk=a.pupil.pk)).is_pupil


def test_a_deleted_second_factor_sends_staff_to_set_one_up_at_once(world):
    a = world.a
    client = signed_in(a.teacher)
    url = reverse("gradebook:sheet", args=[a.assignment.pk])
    assert client.get(url).status_code == 200
    Authenticator.objects.filter(user=a.teacher).delete()
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_joining_a_group_with_admin_access_requires_mfa_at_once(world):
    person = UserFactory(username="cms-helper")
    client = signed_in(person, mfa=False)
    url = reverse("portal:dashboard")
    assert client.get(url).status_code == 200
    group = Group.objects.create(name="CMS helpers")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    person.groups.add(group)
    response = client.get(url)
    assert response.status_code == 302 and response.url == reverse("mfa_activate_totp")
    group.user_set.remove(person)
    assert client.get(url).status_code == 200


def test_the_instance_that_changed_sees_its_own_change(world):
    """Within one request (or test), the changed user object recomputes."""
    teacher = world.a.teacher
    assert world.a.class_a.pk in p.user_roles(teacher).taught_class_ids
    TeachingAssignment.objects.filter(teacher=teacher).delete()
    p.forget_roles(teacher)
    assert world.a.class_a.pk not in p.user_roles(teacher).taught_class_ids


def test_the_sessions_list_is_written_once_a_minute_or_when_the_client_changes(world):
    client = signed_in(world.a.guardian, mfa=False)
    url = reverse("portal:dashboard")
    now = datetime.datetime(2026, 12, 3, 12, tzinfo=datetime.UTC)
    with time_machine.travel(now, tick=False):
        client.get(url)
        seen = UserSession.objects.get(user=world.a.guardian).last_seen_at
    with time_machine.travel(now + datetime.timedelta(seconds=30), tick=False):
        client.get(url)
        assert UserSession.objects.get(user=world.a.guardian).last_seen_at == seen
        client.get(url, REMOTE_ADDR="10.1.2.3")
        row = UserSession.objects.get(user=world.a.guardian)
        assert row.ip == "10.1.2.3"
        assert row.last_seen_at > seen
    with time_machine.travel(now + datetime.timedelta(seconds=100), tick=False):
        client.get(url, REMOTE_ADDR="10.1.2.3")
        assert UserSession.objects.get(user=world.a.guardian).last_seen_at == now + (
            datetime.timedelta(seconds=100)
        )
