"""Every rule of who may write to whom: allowed and refused, including crafted
requests naming another school's people or a school the person is not in."""

import pytest

from messaging.models import MessagingSettings, Thread
from messaging.permissions import (
    Group,
    Target,
    can_send_to_group,
    can_write_to,
    guardian_may_write_to,
    officer_may_write_to,
    pupil_may_write_to,
    staff_may_write_to,
)
from portal.models import Role
from portal.permissions import forget_roles
from tests.factories import RoleFactory, TeachingAssignmentFactory, UserFactory, make_teacher


def t(user, side):
    return Target(user.pk, side.school.pk)


def test_guardian_writes_to_their_childs_teachers_homeroom_and_school_office(world):
    a, b = world.a, world.b
    secretary = RoleFactory(school=a.school, role=Role.SECRETARY).user
    head = RoleFactory(school=a.school, role=Role.HEADTEACHER).user
    pedagogue = RoleFactory(school=a.school, role=Role.PEDAGOGUE).user
    for allowed in (a.teacher, a.homeroom, a.librarian, secretary, head, pedagogue):
        assert guardian_may_write_to(a.guardian, t(allowed, a)), allowed
        assert can_write_to(a.guardian, t(allowed, a))
    other_teacher = make_teacher(a.school)  # teaches only the other class
    TeachingAssignmentFactory(school_class=a.class_b, teacher=other_teacher)
    refused = [
        t(other_teacher, a),
        t(a.other_pupil, a),
        t(a.pupil, a),  # not another pupil, nor their own child
        t(b.teacher, b),
        Target(b.teacher.pk, a.school.pk),  # crafted: B's teacher "in" school A
        Target(a.teacher.pk, b.school.pk),  # crafted: A's teacher "in" school B
        t(world.officer, a),
    ]
    for target in refused:
        assert not can_write_to(a.guardian, target), target


def test_the_school_admin_alone_is_not_a_family_contact(world):
    assert not guardian_may_write_to(world.a.guardian, t(world.a.admin, world.a))


def test_pupil_writes_to_their_teachers_unless_the_school_turns_it_off(world):
    a = world.a
    assert pupil_may_write_to(a.pupil, t(a.teacher, a))
    assert pupil_may_write_to(a.pupil, t(a.homeroom, a))
    for target in (
        t(a.librarian, a),
        t(a.guardian, a),
        t(a.other_pupil, a),
        t(world.b.teacher, world.b),
    ):
        assert not can_write_to(a.pupil, target), target
    MessagingSettings.objects.create(school=a.school, pupils_may_write=False)
    assert not pupil_may_write_to(a.pupil, t(a.teacher, a))


def test_staff_write_to_anyone_in_their_school_and_to_the_officer(world):
    a, b = world.a, world.b
    for target in (a.pupil, a.other_pupil, a.guardian, a.admin, a.librarian, a.homeroom):
        assert staff_may_write_to(a.teacher, t(target, a)), target
    assert staff_may_write_to(a.librarian, t(a.guardian, a))
    assert staff_may_write_to(a.teacher, t(world.officer, a))
    for target in (t(b.pupil, b), t(b.guardian, b), Target(b.guardian.pk, a.school.pk)):
        assert not can_write_to(a.teacher, target), target


def test_officer_writes_to_staff_of_any_school_but_never_to_families(world):
    a, b = world.a, world.b
    assert officer_may_write_to(world.officer, t(a.teacher, a))
    assert officer_may_write_to(world.officer, t(b.admin, b))
    for target in (t(a.guardian, a), t(a.pupil, a), t(b.guardian, b)):
        assert not can_write_to(world.officer, target), target


def test_someone_with_no_role_writes_to_nobody(world):
    stranger = UserFactory()
    assert not can_write_to(stranger, t(world.a.teacher, world.a))


def test_group_messages(world):
    a, b = world.a, world.b
    for group in (
        Group("class_guardians", a.class_a.pk),
        Group("class_pupils", a.class_b.pk),
        Group("school_guardians", a.school.pk),
        Group("school_staff", a.school.pk),
        Group("guardians_of", a.pupil.pk),
    ):
        assert can_send_to_group(a.teacher, group), group
        assert not can_send_to_group(a.guardian, group), group
        assert not can_send_to_group(a.pupil, group), group
    for group in (
        Group("class_guardians", b.class_a.pk),
        Group("school_guardians", b.school.pk),
        Group("school_staff", b.school.pk),
        Group("guardians_of", b.pupil.pk),
        Group("class_guardians", 999999),
    ):
        assert not can_send_to_group(a.teacher, group), group
    assert can_send_to_group(world.officer, Group("school_staff", b.school.pk))
    assert not can_send_to_group(world.officer, Group("school_guardians", b.school.pk))
    assert not can_send_to_group(world.officer, Group("class_guardians", b.class_a.pk))


CRAFTED = [
    # (sender, a recipient token the sender may not use)
    ("guardian", lambda w: f"user:{w.b.school.pk}:{w.b.teacher.pk}"),
    ("guardian", lambda w: f"user:{w.a.school.pk}:{w.b.teacher.pk}"),
    ("guardian", lambda w: f"user:{w.a.school.pk}:{w.a.other_pupil.pk}"),
    ("guardian", lambda w: f"class_guardians:{w.a.class_a.pk}"),
    ("pupil", lambda w: f"user:{w.a.school.pk}:{w.a.guardian.pk}"),
    ("pupil", lambda w: f"user:{w.b.school.pk}:{w.b.teacher.pk}"),
    ("teacher", lambda w: f"user:{w.b.school.pk}:{w.b.guardian.pk}"),
    ("teacher", lambda w: f"user:{w.a.school.pk}:{w.b.guardian.pk}"),
    ("teacher", lambda w: f"class_guardians:{w.b.class_a.pk}"),
    ("teacher", lambda w: f"school_guardians:{w.b.school.pk}"),
    ("teacher", lambda w: f"guardians_of:{w.b.pupil.pk}"),
    ("officer", lambda w: f"user:{w.a.school.pk}:{w.a.guardian.pk}"),
    ("officer", lambda w: f"class_pupils:{w.a.class_a.pk}"),
]


@pytest.mark.parametrize("role,token", CRAFTED)
def test_a_crafted_post_to_a_forbidden_recipient_is_refused(world, login, role, token):
    sender = world.officer if role == "officer" else getattr(world.a, role)
    client = login(sender)
    response = client.post(
        "/wiadomosci/nowa/",
        {"to": token(world), "subject": "Test", "body": "Treść, która nie przepadnie"},
    )
    assert response.status_code == 200
    assert not Thread.objects.exists()
    content = response.content.decode()
    assert "Treść, która nie przepadnie" in content
    assert "Nie możesz pisać" in content


def test_roles_are_read_fresh_after_a_change(world):
    a = world.a
    assert not staff_may_write_to(a.guardian, t(a.pupil, a))
    RoleFactory(school=a.school, role=Role.SECRETARY, user=a.guardian)
    forget_roles(a.guardian)
    assert staff_may_write_to(a.guardian, t(a.other_pupil, a))


def test_a_crafted_prefilled_recipient_discloses_nothing(world, login):
    a, b = world.a, world.b
    client = login(a.guardian)
    url = f"/wiadomosci/nowa/?to=user:{b.school.pk}:{b.guardian.pk}&to=guardians_of:{b.pupil.pk}"
    page = client.get(url).content.decode()
    assert str(b.guardian) not in page and str(b.pupil) not in page
    assert f'value="user:{b.school.pk}:{b.guardian.pk}"' not in page
    allowed = client.get(f"/wiadomosci/nowa/?to=user:{a.school.pk}:{a.teacher.pk}")
    assert f'value="user:{a.school.pk}:{a.teacher.pk}" checked' in allowed.content.decode()
