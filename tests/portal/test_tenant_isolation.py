"""Who manages an account (issue 10): each attack that worked through a school
admin's account, reproduced as it was done, now fails; the rule behind it is
`portal.permissions.manages_person`, and every change is in the audit trail."""

import datetime

import pytest

from django.urls import reverse

from portal.demo import pesel_for
from portal.imports import people_import
from portal.models import AuditEvent, GuardianLink, ImportConflict, Role, User
from portal.permissions import manages_person, people_managed_by
from tests.factories import (
    EnrolmentFactory,
    GuardianLinkFactory,
    RoleFactory,
    UserFactory,
)

P_GUARDIAN = pesel_for(datetime.date(1985, 3, 4), 21, False)


def import_guardians(world, text, user=None):
    return people_import(
        school=world.a.school,
        kind="guardians",
        data=text.encode(),
        file_name="opiekunowie.csv",
        user=user or world.a.admin,
    )


def guardian_row(first, last, login, email, pupil_login, relation="opiekun prawny"):
    return (
        "Imię;Nazwisko;Login;E-mail;Login ucznia;Stopień pokrewieństwa\n"
        f"{first};{last};{login};{email};{pupil_login};{relation}\n"
    )


def share_teacher(world):
    """`a.teacher` also teaches in school B, as demo-teacher does."""
    RoleFactory(user=world.a.teacher, role=Role.TEACHER, school=world.b.school)
    return world.a.teacher


# --- The import takes over nobody --------------------------------------------------------


def test_import_naming_the_superuser_is_rejected_and_changes_nothing(world):
    root = world.superuser
    email_before = root.email
    result = import_guardians(
        world,
        guardian_row("Systemu", "Administrator", root.username, "attacker@evil.example", "a-pupil"),
    )
    root.refresh_from_db()
    assert root.email == email_before
    assert (result.run.created_count, result.run.updated_count) == (0, 0)
    [row] = result.run.report
    assert row["status"] == "rejected" and row["code"] == "foreign_person"
    assert "innej szkoły" in row["message"] or "another school" in row["message"]
    assert not GuardianLink.objects.filter(guardian=root).exists()


def test_import_naming_a_guardian_of_another_school_is_rejected(world):
    victim = world.b.guardian
    before = (victim.email, victim.first_name)
    result = import_guardians(
        world, guardian_row("Zły", "Przejęty", victim.username, "attacker@evil.example", "a-pupil")
    )
    victim.refresh_from_db()
    assert (victim.email, victim.first_name) == before
    assert result.run.report[0]["code"] == "foreign_person"
    assert not GuardianLink.objects.filter(guardian=victim, pupil=world.a.pupil).exists()


def test_import_matching_by_email_of_a_foreign_person_is_rejected(world):
    result = import_guardians(
        world, guardian_row("Nowa", "Osoba", "", world.b.teacher.email, "a-pupil")
    )
    assert result.run.report[0]["code"] == "foreign_person"


def test_import_rows_naming_two_different_people_are_rejected(world):
    result = import_guardians(
        world, guardian_row("X", "Y", world.a.guardian.username, world.a.teacher.email, "a-pupil")
    )
    assert result.run.report[0]["code"] == "ambiguous_person"


def test_import_never_changes_email_login_or_pesel_silently(world):
    guardian = world.a.guardian
    old_email = guardian.email
    result = import_guardians(
        world,
        guardian_row("Nowe", "Nazwisko", guardian.username, "nowy@example.org", "a-pupil", "matka"),
    )
    guardian.refresh_from_db()
    assert guardian.email == old_email  # not changed
    assert guardian.first_name == "Nowe"  # names are updated, with history
    [conflict] = ImportConflict.objects.filter(run=result.run)
    assert (conflict.field, conflict.current_value, conflict.imported_value) == (
        "email",
        old_email,
        "nowy@example.org",
    )
    assert result.run.report[0]["conflicts"] == 1
    event = AuditEvent.objects.get(action="account.update", person=guardian)
    assert event.before["first_name"] != "Nowe" and event.after["first_name"] == "Nowe"
    assert "email" not in event.after
    assert event.actor == world.a.admin
    assert event.reason == f"import nr {result.run.pk}, wiersz 2"  # Polish by default


def test_an_accepted_conflict_changes_the_value_with_history(world, login):
    guardian = world.a.guardian
    result = import_guardians(
        world, guardian_row("A", "B", guardian.username, "nowy@example.org", "a-pupil")
    )
    conflict = ImportConflict.objects.get(run=result.run)
    c = login(world.a.admin)
    page = c.get(reverse("portal:manage_import_run", args=[world.a.school.pk, result.run.pk]))
    assert "nowy@example.org" in page.content.decode()
    url = reverse(
        "portal:manage_import_conflict", args=[world.a.school.pk, result.run.pk, conflict.pk]
    )
    assert c.post(url, {"decision": "accept"}).status_code == 302
    guardian.refresh_from_db()
    assert guardian.email == "nowy@example.org"
    conflict.refresh_from_db()
    assert conflict.status == "accepted" and conflict.decided_by == world.a.admin
    event = AuditEvent.objects.get(person=guardian, action="email.set_by_school")
    assert event.after == {"email": "nowy@example.org"}  # "verified" stayed False
    # decided once only
    c.post(url, {"decision": "reject"})
    conflict.refresh_from_db()
    assert conflict.status == "accepted"


def test_another_schools_admin_cannot_decide_a_conflict(world, login):
    result = import_guardians(
        world, guardian_row("A", "B", world.a.guardian.username, "nowy@example.org", "a-pupil")
    )
    conflict = ImportConflict.objects.get(run=result.run)
    c = login(world.b.admin)
    url = reverse(
        "portal:manage_import_conflict", args=[world.a.school.pk, result.run.pk, conflict.pk]
    )
    assert c.post(url, {"decision": "accept"}).status_code == 404
    url_b = reverse(
        "portal:manage_import_conflict", args=[world.b.school.pk, result.run.pk, conflict.pk]
    )
    assert c.post(url_b, {"decision": "accept"}).status_code == 404


def test_import_of_a_pesel_conflict_shows_it_masked(world, login):
    pupil = world.a.pupil
    pupil.pesel = pesel_for(datetime.date(2016, 1, 2), 1, True)
    pupil.save()
    other = pesel_for(datetime.date(2016, 1, 3), 2, True)
    text = (
        "Nazwisko;Imię;PESEL;Login;Oddział\n"
        f"{pupil.last_name};{pupil.first_name};{other};{pupil.username};4a\n"
    )
    result = people_import(
        school=world.a.school,
        kind="pupils",
        data=text.encode(),
        file_name="u.csv",
        user=world.a.admin,
    )
    pupil.refresh_from_db()
    assert pupil.pesel != other
    assert ImportConflict.objects.get(run=result.run).field == "pesel"
    page = login(world.a.admin).get(
        reverse("portal:manage_import_run", args=[world.a.school.pk, result.run.pk])
    )
    assert other not in page.content.decode() and other[-4:] in page.content.decode()


def test_every_import_is_in_the_audit_trail(world):
    result = import_guardians(
        world, guardian_row("Ewa", "Nowa", "", "ewa.nowa@example.org", "a-pupil")
    )
    new = User.objects.get(email="ewa.nowa@example.org")
    assert AuditEvent.objects.filter(action="account.create", person=new).exists()
    assert AuditEvent.objects.filter(action="guardian_link.save", person=new).exists()
    run_event = AuditEvent.objects.get(action="import.run", school=world.a.school)
    assert run_event.after["created"] == 1 and run_event.target_id == result.run.pk


# --- Account actions stay inside the school ----------------------------------------------


def test_password_reset_of_a_shared_teacher_is_refused(world, login):
    teacher = share_teacher(world)
    old_hash = User.objects.get(pk=teacher.pk).password
    c = login(world.a.admin)
    url = reverse("portal:manage_person_password", args=[world.a.school.pk, teacher.pk])
    assert c.post(url).status_code == 404
    assert User.objects.get(pk=teacher.pk).password == old_hash
    # disabling and editing the login are refused too
    active = reverse("portal:manage_person_active", args=[world.a.school.pk, teacher.pk])
    assert c.post(active, {"active": "0"}).status_code == 404
    assert User.objects.get(pk=teacher.pk).is_active


def test_shared_teacher_page_is_read_only_but_roles_here_can_change(world, login):
    teacher = share_teacher(world)
    c = login(world.a.admin)
    url = reverse("portal:manage_person", args=[world.a.school.pk, teacher.pk])
    page = c.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        reverse("portal:manage_person_password", args=[world.a.school.pk, teacher.pk]) not in html
    )
    response = c.post(
        url,
        {
            "first_name": "Przejęty",
            "last_name": teacher.last_name,
            "username": "przejety",
            "email": "attacker@evil.example",
            "roles": ["teacher", "librarian"],
        },
    )
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert teacher.email != "attacker@evil.example" and teacher.username != "przejety"
    assert teacher.first_name != "Przejęty"
    assert set(
        teacher.role_assignments.filter(school=world.a.school).values_list("role", flat=True)
    ) == {
        "teacher",
        "librarian",
    }
    # B's role untouched
    assert teacher.role_assignments.filter(school=world.b.school, role="teacher").exists()


def test_municipal_admin_manages_the_shared_teacher(world, login):
    teacher = share_teacher(world)
    gmina = RoleFactory(role=Role.MUNICIPAL_ADMIN, school=None, user=UserFactory()).user
    c = login(gmina)
    url = reverse("portal:manage_person_password", args=[world.a.school.pk, teacher.pk])
    assert c.post(url).status_code == 200
    event = AuditEvent.objects.get(action="password.reset", person=teacher)
    assert event.actor == gmina and event.school_id == world.a.school.pk
    # but not the superuser
    assert not manages_person(gmina, world.superuser)


def test_municipal_roles_and_superusers_are_not_the_schools(world):
    officer = world.officer
    assert not manages_person(world.a.admin, officer)
    assert not manages_person(world.a.admin, world.superuser)
    managed = set(people_managed_by(world.a.school).values_list("pk", flat=True))
    assert world.a.pupil.pk in managed and world.a.guardian.pk in managed
    assert world.a.teacher.pk in managed and world.a.admin.pk in managed
    assert world.b.pupil.pk not in managed and world.b.guardian.pk not in managed
    assert officer.pk not in managed and world.superuser.pk not in managed


def test_guardian_with_children_in_two_schools_is_managed_by_neither(world):
    GuardianLinkFactory(guardian=world.a.guardian, pupil=world.b.pupil)
    assert not manages_person(world.a.admin, world.a.guardian)
    assert not manages_person(world.b.admin, world.a.guardian)


def test_transferred_pupil_belongs_to_the_new_school_only(world, login, time_machine):
    pupil = world.a.pupil
    enrolment = pupil.enrolments.get()
    enrolment.end_date = enrolment.start_date + datetime.timedelta(days=10)
    enrolment.save()
    EnrolmentFactory(
        pupil=pupil,
        school_class=world.b.class_a,
        start_date=enrolment.end_date + datetime.timedelta(days=1),
    )
    # some weeks after the transfer (on 1 September both dates are still ahead)
    time_machine.move_to(enrolment.start_date + datetime.timedelta(days=30))
    assert not manages_person(world.a.admin, pupil)
    assert manages_person(world.b.admin, pupil)
    c = login(world.a.admin)
    url = reverse("portal:manage_person_password", args=[world.a.school.pk, pupil.pk])
    assert c.post(url).status_code == 404
    # the old school still sees the person in its register
    page = c.get(reverse("portal:manage_person", args=[world.a.school.pk, pupil.pk]))
    assert page.status_code == 200


def test_pupil_between_school_years_belongs_to_the_latest_school(world):
    pupil = world.a.pupil
    year_end = world.a.year.end
    # the day after the year ended: no current link anywhere
    day = year_end + datetime.timedelta(days=1)
    assert pupil.pk in people_managed_by(world.a.school, day).values_list("pk", flat=True)
    assert pupil.pk not in people_managed_by(world.b.school, day).values_list("pk", flat=True)


def test_guardian_link_form_offers_no_foreign_guardian_or_superuser(world, login):
    c = login(world.a.admin)
    url = reverse("portal:manage_add", args=[world.a.school.pk, "guardians"])
    html = c.get(url).content.decode()
    assert f'value="{world.b.guardian.pk}"' not in html
    assert f'value="{world.superuser.pk}"' not in html
    assert f'value="{world.a.guardian.pk}"' in html
    response = c.post(
        url, {"guardian": world.b.guardian.pk, "pupil": world.a.pupil.pk, "relation": "mother"}
    )
    assert response.status_code == 400
    assert not GuardianLink.objects.filter(guardian=world.b.guardian, pupil=world.a.pupil).exists()
    # nor a pupil of another school
    response = c.post(
        url, {"guardian": world.a.guardian.pk, "pupil": world.b.pupil.pk, "relation": "mother"}
    )
    assert response.status_code == 400


def test_person_form_offers_only_the_schools_current_pupils_as_children(world, login):
    c = login(world.a.admin)
    html = c.get(reverse("portal:manage_person_add", args=[world.a.school.pk])).content.decode()
    assert f'value="{world.a.pupil.pk}"' in html
    assert f'value="{world.b.pupil.pk}"' not in html


# --- Audit of account actions ----------------------------------------------------------------


def test_admin_account_actions_are_audited_with_before_and_after(world, login):
    pupil = world.a.pupil
    c = login(world.a.admin)
    c.post(reverse("portal:manage_person_password", args=[world.a.school.pk, pupil.pk]))
    c.post(
        reverse("portal:manage_person_active", args=[world.a.school.pk, pupil.pk]), {"active": "0"}
    )
    c.post(
        reverse("portal:manage_person", args=[world.a.school.pk, world.a.teacher.pk]),
        {
            "first_name": world.a.teacher.first_name,
            "last_name": world.a.teacher.last_name,
            "username": world.a.teacher.username,
            "email": "inny@example.org",
            "roles": ["teacher", "school_admin"],
        },
    )
    events = AuditEvent.objects.filter(school=world.a.school, actor=world.a.admin)
    by_action = {e.action: e for e in events}
    assert {"password.reset", "account.disable", "email.set_by_school", "role.grant"} <= set(
        by_action
    )
    assert by_action["account.disable"].before == {"is_active": True}
    assert by_action["account.disable"].after == {"is_active": False}
    email = by_action["email.set_by_school"]
    assert email.before["email"] == world.a.teacher.email
    assert email.after == {"email": "inny@example.org"}  # "verified" stayed False
    assert by_action["role.grant"].after == {"role": "school_admin", "school": world.a.school.pk}
    assert email.actor_name.endswith("(a-admin)")


def test_audit_keeps_the_actors_name_after_the_account_is_deleted(world, login):
    c = login(world.a.admin)
    c.post(reverse("portal:manage_person_password", args=[world.a.school.pk, world.a.pupil.pk]))
    admin_name = world.a.admin.username
    world.a.admin.delete()
    event = AuditEvent.objects.get(action="password.reset")
    assert event.actor is None and admin_name in event.who


def test_school_details_and_section_changes_are_audited(world, login):
    c = login(world.a.admin)
    url = reverse("portal:manage_add", args=[world.a.school.pk, "subjects"])
    c.post(url, {"name": "Chemia", "short_name": "chem"})
    event = AuditEvent.objects.get(action="subject.create")
    assert event.after["name"] == "Chemia" and event.school_id == world.a.school.pk
    subject = event.target_id
    c.post(reverse("portal:manage_delete", args=[world.a.school.pk, "subjects", subject]))
    deleted = AuditEvent.objects.get(action="subject.delete")
    assert deleted.before["name"] == "Chemia"


@pytest.mark.parametrize("who", ["b.admin", "a.teacher", "a.guardian", "officer"])
def test_no_one_else_reaches_the_conflict_or_person_actions(world, login, who):
    user = world
    for part in who.split("."):
        user = getattr(user, part)
    c = login(user)
    for name in ("manage_person_password", "manage_person_active"):
        url = reverse(f"portal:{name}", args=[world.a.school.pk, world.a.pupil.pk])
        assert c.post(url, {"active": "0"}).status_code == 404
