"""School management: every URL for every role, scoping to the admin's own school
(another school's objects answer 404), crafted POSTs with foreign ids, and the
account flows a secretary uses."""

import datetime

import pytest

from django.urls import reverse

from portal.manage_views import SECTIONS
from portal.models import (
    Enrolment,
    GuardianLink,
    SchoolClass,
    SchoolYear,
    TeachingAssignment,
    TeachingGroup,
    User,
)


def section_objects(w):
    return {
        "years": w.year,
        "terms": w.year.terms.first(),
        "classes": w.class_a,
        "groups": None,
        "subjects": w.subject,
        "assignments": w.assignment,
        "enrolments": Enrolment.objects.get(pupil=w.pupil),
        "guardians": GuardianLink.objects.get(pupil=w.pupil),
    }


def management_urls(w):
    sid = w.school.pk
    urls = [
        reverse("portal:manage_school", args=[sid]),
        reverse("portal:manage_people", args=[sid]),
        reverse("portal:manage_person_add", args=[sid]),
        reverse("portal:manage_person", args=[sid, w.pupil.pk]),
        reverse("portal:manage_import", args=[sid]),
        reverse("portal:manage_import_sample", args=[sid, "pupils"]),
    ]
    objects = section_objects(w)
    for key in SECTIONS:
        urls += [
            reverse("portal:manage_list", args=[sid, key]),
            reverse("portal:manage_add", args=[sid, key]),
        ]
        if objects.get(key) is not None:
            urls += [
                reverse("portal:manage_edit", args=[sid, key, objects[key].pk]),
                reverse("portal:manage_delete", args=[sid, key, objects[key].pk]),
            ]
    return urls


def test_every_management_url_for_every_role(world, login, client):
    own = management_urls(world.a)
    for url in own:
        assert client.get(url).status_code == 302, url  # anonymous -> sign in
    for user in (
        world.a.teacher,
        world.a.homeroom,
        world.a.guardian,
        world.a.pupil,
        world.a.librarian,
        world.officer,
        world.b.admin,
    ):
        c = login(user, mfa=True)
        for url in own:
            assert c.get(url).status_code == 404, (user.username, url)
        c.logout()
    c = login(world.a.admin)
    for url in own:
        assert c.get(url).status_code == 200, url


def test_admin_cannot_reach_another_schools_objects_through_own_school_urls(world, login):
    c = login(world.a.admin)
    sid = world.a.school.pk
    foreign = section_objects(world.b)
    for key, obj in foreign.items():
        if obj is None:
            continue
        assert c.get(reverse("portal:manage_edit", args=[sid, key, obj.pk])).status_code == 404
        assert c.post(reverse("portal:manage_delete", args=[sid, key, obj.pk])).status_code == 404
    assert c.get(reverse("portal:manage_person", args=[sid, world.b.pupil.pk])).status_code == 404
    assert (
        c.post(reverse("portal:manage_person_password", args=[sid, world.b.pupil.pk])).status_code
        == 404
    )
    assert SchoolClass.objects.filter(pk=world.b.class_a.pk).exists()


@pytest.mark.parametrize("junk", ["abc", "99999999999999999999"])
def test_group_pupils_that_are_no_ids_are_a_form_error(world, login, junk):
    """A pupil id beyond a 64-bit column reached SQLite through Django's
    ModelMultipleChoiceField (a 500, issue 11); the pupils field is an
    IdMultipleChoiceField, and a real pupil still joins the group."""
    c = login(world.a.admin)
    url = reverse("portal:manage_add", args=[world.a.school.pk, "groups"])
    data = {"school_class": world.a.class_a.pk, "name": "gr. 1", "pupils": [world.a.pupil.pk]}
    response = c.post(url, {**data, "pupils": [world.a.pupil.pk, junk]})
    assert response.status_code == 400
    assert "Wybierz tylko spośród podanych możliwości." in response.content.decode()
    assert not TeachingGroup.objects.exists()
    assert c.post(url, data).status_code == 302
    assert list(TeachingGroup.objects.get().pupils.all()) == [world.a.pupil]


def test_crafted_post_with_foreign_ids_is_rejected_and_saves_nothing(world, login):
    c = login(world.a.admin)
    url = reverse("portal:manage_add", args=[world.a.school.pk, "classes"])
    response = c.post(
        url,
        {
            "school_year": world.b.year.pk,
            "name": "8z",
            "level": 8,
            "homeroom_teacher": world.b.teacher.pk,
        },
    )
    assert response.status_code == 400
    assert not SchoolClass.objects.filter(name="8z").exists()
    url = reverse("portal:manage_add", args=[world.a.school.pk, "assignments"])
    response = c.post(
        url,
        {
            "teacher": world.a.teacher.pk,
            "school_class": world.a.class_b.pk,
            "subject": world.b.subject.pk,
        },
    )
    assert response.status_code == 400
    assert not TeachingAssignment.objects.filter(
        subject=world.b.subject, school_class=world.a.class_b
    ).exists()


def test_creating_a_class_and_an_assignment(world, login):
    c = login(world.a.admin)
    response = c.post(
        reverse("portal:manage_add", args=[world.a.school.pk, "classes"]),
        {
            "school_year": world.a.year.pk,
            "name": "6c",
            "level": 6,
            "homeroom_teacher": world.a.teacher.pk,
        },
    )
    assert response.status_code == 302
    new_class = SchoolClass.objects.get(name="6c")
    response = c.post(
        reverse("portal:manage_add", args=[world.a.school.pk, "assignments"]),
        {
            "teacher": world.a.teacher.pk,
            "school_class": new_class.pk,
            "subject": world.a.subject.pk,
        },
    )
    assert response.status_code == 302
    # duplicates get a message, not an error page
    response = c.post(
        reverse("portal:manage_add", args=[world.a.school.pk, "assignments"]),
        {
            "teacher": world.a.teacher.pk,
            "school_class": new_class.pk,
            "subject": world.a.subject.pk,
        },
    )
    assert response.status_code == 400


def test_making_a_year_current_unmarks_the_previous_one(world, login):
    c = login(world.a.admin)
    start = world.a.year.end + datetime.timedelta(days=60)
    response = c.post(
        reverse("portal:manage_add", args=[world.a.school.pk, "years"]),
        {
            "name": "next",
            "start": start.isoformat(),
            "end": (start + datetime.timedelta(days=300)).isoformat(),
            "is_current": "on",
        },
    )
    assert response.status_code == 302
    assert list(
        SchoolYear.objects.filter(school=world.a.school, is_current=True).values_list(
            "name", flat=True
        )
    ) == ["next"]
    world.b.year.refresh_from_db()
    assert world.b.year.is_current


def test_deleting_something_still_in_use_says_so(world, login):
    c = login(world.a.admin)
    response = c.post(
        reverse("portal:manage_delete", args=[world.a.school.pk, "subjects", world.a.subject.pk]),
        follow=True,
    )
    assert (
        "nie można" in response.content.decode().lower()
        or "cannot be deleted" in response.content.decode()
    )
    assert world.a.subject.__class__.objects.filter(pk=world.a.subject.pk).exists()


def test_creating_a_pupil_shows_the_password_once(world, login):
    c = login(world.a.admin)
    response = c.post(
        reverse("portal:manage_person_add", args=[world.a.school.pk]),
        {
            "first_name": "Łucja",
            "last_name": "Żak",
            "kind": "pupil",
            "school_class": world.a.class_a.pk,
            "register_number": 12,
        },
    )
    assert response.status_code == 200
    pupil = User.objects.get(username="lucja.zak")
    assert pupil in world.a.class_a.pupils_on()
    assert "lucja.zak" in response.content.decode()


def test_creating_a_guardian_links_the_child(world, login):
    c = login(world.a.admin)
    c.post(
        reverse("portal:manage_person_add", args=[world.a.school.pk]),
        {
            "first_name": "Adam",
            "last_name": "Ojciec",
            "kind": "guardian",
            "child": world.a.pupil.pk,
            "relation": "father",
            "email": "adam@example.org",
        },
    )
    assert GuardianLink.objects.filter(
        guardian__email="adam@example.org", pupil=world.a.pupil, relation="father"
    ).exists()


def test_creating_staff_needs_a_role_and_child_of_other_school_is_refused(world, login):
    c = login(world.a.admin)
    url = reverse("portal:manage_person_add", args=[world.a.school.pk])
    response = c.post(url, {"first_name": "Ewa", "last_name": "Bez", "kind": "staff"})
    assert response.status_code == 400
    response = c.post(
        url,
        {
            "first_name": "Obcy",
            "last_name": "Rodzic",
            "kind": "guardian",
            "child": world.b.pupil.pk,
            "relation": "father",
        },
    )
    assert response.status_code == 400
    assert not User.objects.filter(last_name__in=["Bez", "Rodzic"]).exists()


def test_editing_roles_and_disabling_an_account(world, login):
    c = login(world.a.admin)
    url = reverse("portal:manage_person", args=[world.a.school.pk, world.a.teacher.pk])
    response = c.post(
        url,
        {
            "first_name": world.a.teacher.first_name,
            "last_name": "Nowe",
            "username": world.a.teacher.username,
            "email": "t@example.org",
            "roles": ["teacher", "librarian"],
        },
    )
    assert response.status_code == 302
    assert set(world.a.teacher.role_assignments.values_list("role", flat=True)) == {
        "teacher",
        "librarian",
    }
    c.post(
        reverse("portal:manage_person_active", args=[world.a.school.pk, world.a.teacher.pk]),
        {"active": "0"},
    )
    world.a.teacher.refresh_from_db()
    assert not world.a.teacher.is_active


def test_invalid_person_data_keeps_what_was_typed(world, login):
    c = login(world.a.admin)
    url = reverse("portal:manage_person", args=[world.a.school.pk, world.a.pupil.pk])
    response = c.post(
        url,
        {
            "first_name": "Nowe imię",
            "last_name": "X",
            "username": "",
            "email": "not-an-email",
            "pesel": "123",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nowe imię" in html
    world.a.pupil.refresh_from_db()
    assert world.a.pupil.first_name != "Nowe imię"


@pytest.mark.parametrize("count", [3, 30])
def test_people_list_query_count_does_not_grow(world, login, django_assert_max_num_queries, count):
    from tests.factories import make_pupil

    for _ in range(count):
        make_pupil(world.a.class_a)
    c = login(world.a.admin)
    url = reverse("portal:manage_people", args=[world.a.school.pk])
    # 25: one more than before, to know which accounts the school may act on;
    # 26: the header's unread counts (one query for the bell and the envelope);
    # 27: the first request after signing in computes the roles and notes the
    # sessions list in the session.
    with django_assert_max_num_queries(27):
        c.get(url)
    # Then the roles come from the cache and the sessions list is written once a
    # minute (issue 20): 10 fewer.
    with django_assert_max_num_queries(17):
        response = c.get(url)
    assert response.status_code == 200
