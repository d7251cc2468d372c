from django.urls import reverse

from tests.factories import make_pupil


def dashboard(client):
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def test_guardian_sees_their_children_and_no_one_else(world, login):
    html = dashboard(login(world.a.guardian, mfa=False))
    assert world.a.pupil.get_full_name() in html
    assert world.a.other_pupil.get_full_name() not in html
    assert world.b.pupil.get_full_name() not in html


def test_pupil_sees_their_class(world, login):
    html = dashboard(login(world.a.pupil, mfa=False))
    assert "4a" in html and world.a.homeroom.get_full_name() in html


def test_teacher_sees_assignments_and_homeroom_class(world, login):
    html = dashboard(login(world.a.teacher))
    assert "Matematyka" in html and "4a" in html
    html = dashboard(login(world.a.homeroom))
    assert "Wychowawstwo" in html and "4a" in html


def test_school_admin_sees_own_school_figures_only(world, login):
    html = dashboard(login(world.a.admin))
    assert reverse("portal:manage_school", args=[world.a.school.pk]) in html
    assert reverse("portal:manage_school", args=[world.b.school.pk]) not in html


def test_officer_sees_the_municipality_and_the_aggregates_page(world, login):
    client = login(world.officer)
    html = dashboard(client)
    assert reverse("analytics:overview") in html
    response = client.get(reverse("analytics:overview"))
    assert response.status_code == 200
    page = response.content.decode()
    assert world.a.school.name in page and world.b.school.name in page


def test_aggregates_page_is_for_officers_only(world, login):
    for user in (world.a.admin, world.a.teacher, world.a.guardian):
        assert login(user).get(reverse("analytics:overview")).status_code == 404


def test_navigation_follows_roles(world, login):
    html = dashboard(login(world.a.admin))
    assert reverse("portal:manage_home") in html
    html = dashboard(login(world.a.guardian, mfa=False))
    assert reverse("portal:manage_home") not in html
    assert reverse("analytics:overview") not in html


def test_dashboard_needs_sign_in(client, db):
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_dashboard_query_count_does_not_grow_with_pupils(world, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    users = (
        world.a.homeroom,
        world.a.teacher,
        world.a.admin,
        world.officer,
        world.a.guardian,
        world.a.pupil,
    )

    def counts():
        result = []
        for user in users:
            client = login(user)
            dashboard(client)  # warm the session
            with CaptureQueriesContext(connection) as ctx:
                dashboard(client)
            result.append(len(ctx))
        return result

    before = counts()
    for _ in range(40):
        make_pupil(world.a.class_a)
    assert counts() == before
    assert max(before) <= 45  # every app adds its panels; what matters is no growth


def test_the_panels_and_the_header_count_unread_items_once(world, login):
    """The family and messages panels show the numbers the header's bell and
    envelope show; the page counts each of them in the header's one statement,
    not again for the panels."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notifications.models import Notification
    from tests.factories.messaging import send

    guardian = world.a.guardian
    Notification.objects.bulk_create(
        Notification(recipient=guardian, kind="grade", title=f"Ocena {i}", key=f"k:{i}", url="/")
        for i in range(3)
    )
    send(world.a.teacher, guardian, school=world.a.school)
    send(world.a.teacher, guardian, school=world.a.school, subject="Drugie")
    client = login(guardian, mfa=False)
    with CaptureQueriesContext(connection) as ctx:
        html = dashboard(client)
    assert "3 nowe powiadomienia" in html
    assert "2 wątki z nieprzeczytanymi wiadomościami" in html
    counting = [q["sql"] for q in ctx if "notifications_notification" in q["sql"]]
    assert len(counting) == 1 and "messaging_delivery" in counting[0]
    assert not [q for q in ctx if "messaging_delivery" in q["sql"] and q["sql"] not in counting]


def test_the_panels_read_the_family_once(world, login):
    """The children panel, the register's family panel and the library panel show
    the same children: the page reads them and their enrolments once
    (portal.family), not once per panel. A second child in another class keeps
    their own class; a child who moved shows the newest enrolment's class."""
    import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from portal.models import Enrolment, SchoolClass
    from tests.factories import GuardianLinkFactory

    a = world.a
    second = make_pupil(a.class_a)
    GuardianLinkFactory(guardian=a.guardian, pupil=second)
    other_class = SchoolClass.objects.create(
        school_year=a.class_a.school_year, level=a.class_a.level, name="4z"
    )
    enrolment = Enrolment.objects.get(pupil=second, school_class=a.class_a)
    enrolment.start_date = timezone.localdate() - datetime.timedelta(days=30)
    enrolment.save()
    Enrolment.objects.create(
        pupil=second, school_class=other_class, start_date=timezone.localdate()
    )
    client = login(a.guardian, mfa=False)
    dashboard(client)
    with CaptureQueriesContext(connection) as ctx:
        html = dashboard(client)
    assert a.pupil.get_full_name() in html and second.get_full_name() in html
    assert "4z" in html
    enrolment_reads = [q["sql"] for q in ctx if 'FROM "portal_enrolment"' in q["sql"]]
    assert len(enrolment_reads) == 1
    # The auth middleware's own user, then the family's members: no panel reads them again.
    user_reads = [q["sql"] for q in ctx if q["sql"].startswith('SELECT "portal_user"."id"')]
    assert len(user_reads) == 2


def test_the_family_panel_counts_the_childrens_remarks_to_acknowledge(world, login):
    """Remarks not yet acknowledged, of the guardian's children only."""
    from django.utils import timezone

    from tests.factories import GuardianLinkFactory
    from tests.factories.register import RemarkFactory

    a = world.a
    second = make_pupil(a.class_a)
    GuardianLinkFactory(guardian=a.guardian, pupil=second)

    def remark(pupil, **kwargs):
        RemarkFactory(pupil=pupil, school_class=a.class_a, author=a.teacher, **kwargs)

    remark(a.pupil)
    remark(a.pupil)
    remark(a.pupil, acknowledged_at=timezone.now(), acknowledged_by=a.guardian)
    remark(second)
    remark(a.other_pupil)
    client = login(a.guardian, mfa=False)
    assert "3 uwagi do potwierdzenia" in dashboard(client)
    client = login(a.pupil, mfa=False)
    assert "do potwierdzenia" not in dashboard(client)  # a pupil has no children's remarks
