"""Who may open the data-protection pages, what each viewer shows to whom, and
that the viewers' query count does not grow with the rows shown."""

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.audit import audit_record
from portal.models import AuditEvent, ReadAccess, Role
from tests.factories import RoleFactory, UserFactory


@pytest.fixture
def dpo(world):
    return RoleFactory(role=Role.DPO, school=None, user=UserFactory(username="dpo")).user


@pytest.fixture
def gmina_admin(world):
    return RoleFactory(
        role=Role.MUNICIPAL_ADMIN, school=None, user=UserFactory(username="gmina")
    ).user


def dpo_urls(world):
    pk = world.a.guardian.pk
    return [
        reverse("portal:privacy_people") + "?q=a",
        reverse("portal:privacy_person", args=[pk]),
        reverse("portal:privacy_export_json", args=[pk]),
        reverse("portal:privacy_export_pdf", args=[pk]),
        reverse("portal:privacy_anonymisation"),
    ]


def others(world):
    return [
        world.a.teacher,
        world.a.homeroom,
        world.a.pupil,
        world.a.guardian,
        world.a.admin,
        world.a.librarian,
        world.officer,
    ]


def test_dpo_pages_are_404_for_every_other_role(world, gmina_admin, login, client):
    urls = dpo_urls(world)
    for user in [*others(world), gmina_admin]:
        login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user.username, url)


def test_dpo_reaches_every_page(world, dpo, login, client):
    login(dpo)
    for url in dpo_urls(world)[:3] + dpo_urls(world)[4:]:
        assert client.get(url).status_code == 200, url
    for name in ("portal:privacy_home", "portal:privacy_audit", "portal:privacy_reads"):
        assert client.get(reverse(name)).status_code == 200


def test_viewers_are_404_without_a_role_that_sees_them(world, gmina_admin, login, client):
    audit, reads = reverse("portal:privacy_audit"), reverse("portal:privacy_reads")
    home = reverse("portal:privacy_home")
    for user in [world.a.teacher, world.a.pupil, world.a.guardian, world.a.librarian]:
        login(user)
        for url in (home, audit, reads):
            assert client.get(url).status_code == 404, (user.username, url)
    login(world.officer)
    assert client.get(audit).status_code == 404
    # The municipal admin sees the audit trail, not who read pupils' data.
    login(gmina_admin)
    assert client.get(audit).status_code == 200
    assert client.get(reads).status_code == 404


def test_nav_item_for_the_dpo_only_among_family_and_dpo(world, dpo, login, client):
    login(dpo)
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert reverse("portal:privacy_home") in page
    login(world.a.guardian)
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert reverse("portal:privacy_home") not in page


def _event(world, school, text):
    return audit_record(
        actor=world.a.admin if school == world.a.school else world.b.admin,
        category=AuditEvent.Category.ACCOUNT,
        action="update",
        school=school,
        person=world.a.pupil if school == world.a.school else world.b.pupil,
        before={"email": f"{text}-old@example.org"},
        after={"email": f"{text}-new@example.org"},
        reason=text,
    )


def _read(world, school, pupil, actor):
    return ReadAccess.objects.create(
        actor=actor,
        actor_name=actor.username,
        pupil=pupil,
        school=school,
        what=ReadAccess.What.GRADES,
        path="/dziennik/x/",
    )


def test_school_admin_of_a_never_sees_b_rows(world, login, client):
    _event(world, world.a.school, "event-of-a")
    _event(world, world.b.school, "event-of-b")
    _read(world, world.a.school, world.a.pupil, world.a.teacher)
    _read(world, world.b.school, world.b.pupil, world.b.teacher)
    login(world.a.admin)
    audit = client.get(reverse("portal:privacy_audit")).content.decode()
    assert "event-of-a" in audit and "event-of-a-new@example.org" in audit
    assert "event-of-b" not in audit
    reads = client.get(reverse("portal:privacy_reads")).content.decode()
    assert world.a.teacher.username in reads
    assert world.b.teacher.username not in reads


def test_dpo_and_gmina_admin_see_every_school(world, dpo, gmina_admin, login, client):
    _event(world, world.a.school, "event-of-a")
    _event(world, world.b.school, "event-of-b")
    _read(world, world.b.school, world.b.pupil, world.b.teacher)
    for user in (dpo, gmina_admin):
        login(user)
        audit = client.get(reverse("portal:privacy_audit")).content.decode()
        assert "event-of-a" in audit and "event-of-b" in audit
    login(dpo)
    assert world.b.teacher.username in client.get(reverse("portal:privacy_reads")).content.decode()


def test_read_audit_filters_by_pupil_staff_and_date(world, login, client):
    _read(world, world.a.school, world.a.pupil, world.a.teacher)
    _read(world, world.a.school, world.a.other_pupil, world.a.homeroom)
    login(world.a.admin)
    url = reverse("portal:privacy_reads")
    page = client.get(url, {"pupil": world.a.other_pupil.username}).content.decode()
    assert world.a.homeroom.username in page and world.a.teacher.username not in page
    page = client.get(url, {"actor": world.a.teacher.username}).content.decode()
    assert world.a.teacher.username in page and world.a.homeroom.username not in page
    page = client.get(url, {"until": "2000-01-01"}).content.decode()
    assert world.a.teacher.username not in page
    # A bad date is reported and ignored, not a server error.
    assert client.get(url, {"since": "jutro"}).status_code == 200


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("viewer", ["portal:privacy_audit", "portal:privacy_reads"])
def test_viewer_query_count_does_not_grow_with_rows(world, dpo, login, client, viewer):
    login(dpo)
    url = reverse(viewer)
    client.get(url)  # the first request of a session records the session

    def add(n):
        for i in range(n):
            school = world.a.school if i % 2 else world.b.school
            _event(world, school, f"e{i}")
            _read(world, school, world.a.pupil if i % 2 else world.b.pupil, world.a.teacher)

    add(5)
    five = _count_queries(client, url)
    add(45)
    fifty = _count_queries(client, url)
    assert five == fifty


def test_audit_trail_never_shows_a_pesel(world, login, client):
    audit_record(
        actor=world.a.admin,
        category=AuditEvent.Category.ACCOUNT,
        action="update",
        school=world.a.school,
        person=world.a.pupil,
        before={"pesel": "16230112344", "phone": "111"},
        after={"pesel": "16230112351", "phone": "222"},
    )
    login(world.a.admin)
    page = client.get(reverse("portal:privacy_audit")).content.decode()
    assert "111 → 222" in page
    assert "1623011" not in page
