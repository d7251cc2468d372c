"""Every named rule, for every role, against its own and the other school."""

import datetime

import pytest

from django.utils import timezone

from portal import permissions as p
from portal.models import Enrolment, User


def test_school_admin_manages_only_their_school(world):
    assert p.can_manage_school(world.a.admin, world.a.school)
    assert not p.can_manage_school(world.a.admin, world.b.school)
    assert list(p.managed_schools(world.a.admin)) == [world.a.school]
    for user in (
        world.a.teacher,
        world.a.guardian,
        world.a.pupil,
        world.a.librarian,
        world.officer,
    ):
        assert not p.can_manage_school(user, world.a.school), user
    assert p.can_manage_school(world.superuser, world.b.school)


def test_officer_reads_aggregates_of_every_school_but_no_pupil(world):
    assert p.is_officer(world.officer)
    assert not p.is_officer(world.a.admin)
    assert not p.is_officer(world.a.teacher)
    assert not p.can_view_pupil(world.officer, world.a.pupil)


@pytest.mark.parametrize(
    "who,pupil,expected",
    [
        ("a.pupil", "a.pupil", True),
        ("a.pupil", "a.other_pupil", False),
        ("a.guardian", "a.pupil", True),
        ("a.guardian", "a.other_pupil", False),
        ("a.guardian", "b.pupil", False),
        ("a.teacher", "a.pupil", True),  # teaches class 4a
        ("a.teacher", "a.other_pupil", False),  # does not teach 5a
        ("a.teacher", "b.pupil", False),
        ("a.homeroom", "a.pupil", True),
        ("a.homeroom", "a.other_pupil", False),
        ("a.admin", "a.pupil", True),
        ("a.admin", "a.other_pupil", True),
        ("a.admin", "b.pupil", False),
        ("a.librarian", "a.pupil", False),
        ("officer", "a.pupil", False),
        ("superuser", "b.pupil", True),
    ],
)
def test_can_view_pupil(world, who, pupil, expected):
    def resolve(path):
        obj = world
        for part in path.split("."):
            obj = getattr(obj, part)
        return obj

    user, target = resolve(who), resolve(pupil)
    assert p.can_view_pupil(user, target) is expected
    assert (target in p.pupils_visible_to(user)) is expected
    assert user.has_perm("portal.view_pupil", target) is expected


def test_teacher_loses_sight_of_a_pupil_who_left_the_class(world):
    enrolment = Enrolment.objects.get(pupil=world.a.pupil)
    enrolment.end_date = timezone.localdate() - datetime.timedelta(days=1)
    enrolment.start_date = min(enrolment.start_date, enrolment.end_date)
    enrolment.save()
    p.forget_roles(world.a.teacher)
    assert not p.can_view_pupil(world.a.teacher, world.a.pupil)
    # the school admin keeps the pupil's record
    assert p.can_view_pupil(world.a.admin, world.a.pupil)


def test_class_rules(world):
    assert p.teaches_class(world.a.teacher, world.a.class_a)
    assert not p.teaches_class(world.a.teacher, world.a.class_b)
    assert p.is_homeroom_teacher_of(world.a.homeroom, world.a.class_a)
    assert not p.is_homeroom_teacher_of(world.a.teacher, world.a.class_a)


def test_librarian_rules_are_per_school(world):
    assert p.is_librarian_of(world.a.librarian, world.a.school)
    assert not p.is_librarian_of(world.a.librarian, world.b.school)


def test_staff_roles_require_mfa_and_families_do_not(world, settings):
    settings.PORTAL_MFA_REQUIRED_FOR_STAFF = True
    for user in (world.a.teacher, world.a.admin, world.a.librarian, world.officer, world.superuser):
        assert p.requires_mfa(user), user
    for user in (world.a.guardian, world.a.pupil):
        assert not p.requires_mfa(user), user


def test_demo_accounts_exempt_from_mfa_only_in_debug(world, settings):
    world.a.teacher.is_demo = True
    settings.DEBUG = False
    assert p.requires_mfa(world.a.teacher)
    settings.DEBUG = True
    assert not p.requires_mfa(world.a.teacher)


def test_roles_are_read_in_a_fixed_number_of_queries(world, django_assert_num_queries):
    user = User.objects.get(pk=world.a.teacher.pk)
    # 5 for the roles, 1 for the second factor and the Wagtail admin permission.
    with django_assert_num_queries(6):
        roles = p.user_roles(user)
    with django_assert_num_queries(0):
        assert p.user_roles(user) is roles
        p.can_manage_school(user, world.a.school)
        p.teaches_class(user, world.a.class_a)
    # Another request's user object: from the roles cache, under its roles_version.
    again = User.objects.get(pk=user.pk)
    with django_assert_num_queries(0):
        assert p.user_roles(again) == roles


def test_the_summer_between_years_keeps_the_current_years_pupils(world):
    """From the end of the school year until the school makes the next year
    current, its pupils stay its pupils: the admin still links guardians and
    manages their accounts (found by the suite run at --clock=summer)."""
    import time_machine

    from portal.permissions import current_pupils_manageable, manages_person

    a = world.a
    summer = datetime.datetime.combine(
        a.year.end + datetime.timedelta(days=20), datetime.time(10), tzinfo=datetime.UTC
    )
    with time_machine.travel(summer, tick=False):
        assert a.pupil in current_pupils_manageable(a.school, a.admin)
        assert manages_person(a.admin, a.pupil)
        a.year.is_current = False  # the new year was made current: last year's are former
        a.year.save()
        assert a.pupil not in current_pupils_manageable(a.school, a.admin)
