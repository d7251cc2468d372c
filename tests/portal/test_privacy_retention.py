"""Anonymisation of people who left, after the retention periods (time frozen)."""

import datetime
import json

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from gradebook.register.models import Remark
from library.circulation.models import Loan, ReaderProfile
from portal.audit import audit_record
from portal.models import AuditEvent, GuardianLink, Role, SchoolYear, User
from portal.privacy.retention import (
    ANONYMOUS_FIRST_NAME,
    anonymisation_candidates,
    retention_ends,
)
from tests.factories import (
    EnrolmentFactory,
    RoleFactory,
    SchoolClassFactory,
    SchoolFactory,
    SchoolYearFactory,
    SubjectFactory,
    TeachingAssignmentFactory,
    UserFactory,
)
from tests.factories.circulation import card, copy_create, record_create

TODAY = "2031-03-01 09:00"


def _year(school, start, current=False):
    return SchoolYearFactory(
        school=school,
        start=datetime.date(start, 9, 1),
        end=datetime.date(start + 1, 6, 26),
        is_current=current,
        terms=False,
    )


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def people(db, frozen):
    school = SchoolFactory()
    old, recent, now = _year(school, 2024), _year(school, 2025), _year(school, 2030, True)
    old_class = SchoolClassFactory(school_year=old, name="8a", level=8)
    recent_class = SchoolClassFactory(school_year=recent, name="8a", level=8)
    now_class = SchoolClassFactory(school_year=now, name="4a", level=4)
    subject = SubjectFactory(school=school, name="Matematyka")

    def pupil(school_class, username, **kwargs):
        return EnrolmentFactory(
            school_class=school_class, pupil=UserFactory(username=username, **kwargs)
        ).pupil

    p = {
        "left_pupil": pupil(
            old_class,
            "left-pupil",
            pesel="09231512343",
            phone="600700800",
            date_of_birth=datetime.date(2009, 3, 15),
        ),
        "recent_pupil": pupil(recent_class, "recent-pupil"),
        "current_pupil": pupil(now_class, "current-pupil"),
        "reader": pupil(old_class, "left-reader"),
        "guardian_left": UserFactory(username="guardian-left"),
        "guardian_mixed": UserFactory(username="guardian-mixed"),
        "old_teacher": UserFactory(username="old-teacher"),
        "teacher_with_role": UserFactory(username="teacher-role"),
        "teacher_now": UserFactory(username="teacher-now"),
        "never_linked": UserFactory(
            username="never-linked", date_joined=timezone.make_aware(datetime.datetime(2029, 5, 5))
        ),
        "root": UserFactory(username="root", is_superuser=True, is_staff=True),
    }
    GuardianLink.objects.create(guardian=p["guardian_left"], pupil=p["left_pupil"])
    GuardianLink.objects.create(guardian=p["guardian_mixed"], pupil=p["left_pupil"])
    GuardianLink.objects.create(guardian=p["guardian_mixed"], pupil=p["current_pupil"])
    TeachingAssignmentFactory(school_class=old_class, subject=subject, teacher=p["old_teacher"])
    TeachingAssignmentFactory(
        school_class=old_class, subject=subject, teacher=p["teacher_with_role"]
    )
    RoleFactory(user=p["teacher_with_role"], role=Role.TEACHER, school=school)
    TeachingAssignmentFactory(school_class=now_class, subject=subject, teacher=p["teacher_now"])
    Remark.objects.create(
        pupil=p["left_pupil"],
        school_class=old_class,
        author=p["old_teacher"],
        kind=Remark.Kind.POSITIVE,
        text="Pomoc kolegom",
    )
    EmailAddress.objects.create(user=p["guardian_left"], email=p["guardian_left"].email)
    Authenticator.objects.create(
        user=p["guardian_left"], type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    card(p["left_pupil"])
    copy = copy_create(record_create(), school)
    Loan.objects.create(
        copy=copy,
        school=school,
        reader=p["reader"],
        checked_out_at=timezone.now(),
        due_on=timezone.localdate(),
    )
    audit_record(
        actor=p["old_teacher"],
        category=AuditEvent.Category.SCHOOL,
        action="update",
        school=school,
        before={"phone": "1"},
        after={"phone": "2"},
    )
    return p


DUE = {"left_pupil", "guardian_left", "old_teacher", "never_linked"}


def _snapshot():
    return list(User.objects.order_by("pk").values())


def test_retention_counts_from_1_january_after_the_year_the_link_ended():
    assert retention_ends(datetime.date(2025, 6, 26), 5) == datetime.date(2031, 1, 1)
    assert retention_ends(datetime.date(2025, 12, 31), 1) == datetime.date(2027, 1, 1)


def test_dry_run_lists_who_and_why_and_changes_nothing(people, tmp_path):
    before = _snapshot()
    report_file = tmp_path / "raport.json"
    call_command("rodo_anonymise", "--dry-run", "--report", str(report_file))
    report = json.loads(report_file.read_text())

    rows = {row["login"]: row for row in report["would_anonymise"]}
    assert set(rows) == {people[key].username for key in DUE}
    pupil_row = rows["left-pupil"]
    assert pupil_row["id"] == people["left_pupil"].pk
    assert pupil_row["last_link_end"] == "2025-06-26"
    assert pupil_row["retention_years"] == 5
    assert pupil_row["eligible_from"] == "2031-01-01"
    assert "2025-06-26" in pupil_row["why"]
    assert rows["guardian-left"]["retention_years"] == 1
    assert [row["login"] for row in report["kept"]] == ["left-reader"]
    assert report["within_retention"] == 1  # recent-pupil, until 2032

    assert _snapshot() == before
    assert not AuditEvent.objects.filter(category=AuditEvent.Category.PRIVACY).exists()


def _row_but_roles_version(person) -> dict:
    row = User.objects.filter(pk=person.pk).values().get()
    row.pop("roles_version")
    return row


def test_real_run_anonymises_and_records_one_event_per_person(people, tmp_path):
    pupil = people["left_pupil"]
    old_pesel, old_email, old_login = pupil.pesel, pupil.email, pupil.username
    # roles_version may move (a guardian of the anonymised pupil loses that link).
    untouched = {key: _row_but_roles_version(people[key]) for key in people if key not in DUE}
    call_command("rodo_anonymise", "--report", str(tmp_path / "r.json"))

    pupil.refresh_from_db()
    assert str(pupil) == f"{ANONYMOUS_FIRST_NAME} #{pupil.pk}"
    assert (pupil.email, pupil.phone, pupil.pesel, pupil.date_of_birth) == ("", "", "", None)
    assert pupil.username != old_login and not pupil.has_usable_password()
    assert not pupil.is_active
    # The register keeps its records, now under the pseudonym.
    assert Remark.objects.get(pupil=pupil).text == "Pomoc kolegom"
    assert not ReaderProfile.objects.filter(user=pupil).exists()
    assert not GuardianLink.objects.filter(pupil=pupil, guardian=people["guardian_left"]).exists()
    guardian = people["guardian_left"]
    assert not EmailAddress.objects.filter(user=guardian).exists()
    assert not Authenticator.objects.filter(user=guardian).exists()

    events = AuditEvent.objects.filter(category=AuditEvent.Category.PRIVACY, action="anonymise")
    assert sorted(e.person_id for e in events) == sorted(people[k].pk for k in DUE)
    event = events.get(person=pupil)
    assert {"pesel", "email", "phone", "date_of_birth", "username"} <= set(event.before["removed"])
    stored = json.dumps([event.before, event.after, event.reason, event.target_repr])
    for value in (old_pesel, old_email, old_login):
        assert value not in stored
    # History keeps "who": the teacher's old change still names them.
    teacher_event = AuditEvent.objects.get(category=AuditEvent.Category.SCHOOL)
    assert "old-teacher" in teacher_event.actor_name
    assert "old-teacher" not in (tmp_path / "r.json").read_text()

    for key, values in untouched.items():
        assert _row_but_roles_version(people[key]) == values, key
    # The next scheduled run finds no one new.
    assert anonymisation_candidates()["due"] == []


def test_a_person_with_a_current_link_is_never_anonymised(people, settings):
    settings.PORTAL_RETENTION_YEARS = {"pupil": 0, "teacher": 0, "guardian": 0, "other": 0}
    report = anonymisation_candidates(today=datetime.date(2031, 3, 1))
    listed = {c.person.username for group in report.values() for c in group}
    for key in ("current_pupil", "guardian_mixed", "teacher_with_role", "teacher_now", "root"):
        assert people[key].username not in listed, key
    with time_machine.travel("2031-06-27", tick=False):
        # After the year's last day, while the school still marks it current,
        # its teachers, pupils and their guardians are still linked...
        report = anonymisation_candidates()
        listed = {c.person.username for group in report.values() for c in group}
        assert not {"teacher-now", "current-pupil", "guardian-mixed"} & listed
        # ...and they have left once the school closes the year.
        SchoolYear.objects.filter(is_current=True).update(is_current=False)
        report = anonymisation_candidates()
        listed = {c.person.username for group in report.values() for c in group}
        assert {"teacher-now", "current-pupil", "guardian-mixed"} <= listed


def test_the_period_runs_until_1_january(people):
    with time_machine.travel("2030-12-31", tick=False):
        due = {c.person.username for c in anonymisation_candidates()["due"]}
        assert "left-pupil" not in due and "guardian-left" in due
    with time_machine.travel("2031-01-01", tick=False):
        due = {c.person.username for c in anonymisation_candidates()["due"]}
        assert "left-pupil" in due


def test_dpo_report_page_shows_the_dry_run(people, login, client):
    dpo = RoleFactory(role=Role.DPO, school=None, user=UserFactory(username="dpo")).user
    login(dpo)
    page = client.get(reverse("portal:privacy_anonymisation")).content.decode()
    assert "left-pupil" in page and "left-reader" in page and "recent-pupil" in page
    assert "current-pupil" not in page
    assert not AuditEvent.objects.filter(category=AuditEvent.Category.PRIVACY).exists()


def test_anonymisation_signs_the_person_out_everywhere(people, client):
    from allauth.usersessions.models import UserSession  # noqa: PLC0415

    guardian = people["guardian_left"]
    client.force_login(guardian)
    assert client.get(reverse("portal:dashboard")).status_code == 200
    assert UserSession.objects.filter(user=guardian).exists()
    call_command("rodo_anonymise")
    assert not UserSession.objects.filter(user=guardian).exists()
    assert client.get(reverse("portal:dashboard")).status_code == 302
