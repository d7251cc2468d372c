import datetime

import pytest

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from portal.models import Enrolment, GuardianLink, Role, RoleAssignment, SchoolYear, Term
from tests.factories import (
    EnrolmentFactory,
    SchoolClassFactory,
    SchoolFactory,
    SchoolYearFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_only_one_current_year_per_school():
    year = SchoolYearFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SchoolYear.objects.create(
            school=year.school,
            name="2030/2031",
            start=datetime.date(2030, 9, 1),
            end=datetime.date(2031, 6, 27),
            is_current=True,
        )
    # another school may have its own current year
    SchoolYearFactory()


def test_year_and_term_dates_are_checked():
    year = SchoolYearFactory(terms=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        SchoolYear.objects.create(
            school=SchoolFactory(),
            name="x",
            start=datetime.date(2030, 9, 1),
            end=datetime.date(2030, 8, 1),
        )
    term = Term(
        school_year=year,
        number=1,
        start=year.start - datetime.timedelta(days=3),
        end=year.start + datetime.timedelta(days=30),
    )
    with pytest.raises(ValidationError):
        term.full_clean()


def test_school_roles_need_a_school_and_officer_has_none():
    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role=Role.TEACHER, school=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role=Role.OFFICER, school=SchoolFactory())
    RoleAssignment.objects.create(user=user, role=Role.OFFICER, school=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role=Role.OFFICER, school=None)


def test_teacher_may_teach_in_two_schools():
    user = UserFactory()
    RoleAssignment.objects.create(user=user, role=Role.TEACHER, school=SchoolFactory())
    RoleAssignment.objects.create(user=user, role=Role.TEACHER, school=SchoolFactory())
    assert user.role_assignments.count() == 2


def test_email_and_username_unique_case_insensitively_but_email_optional():
    UserFactory(username="Jan.Kowalski", email="Jan@Example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="jan.kowalski", email="other@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="someone", email="jan@example.org")
    # many pupils without e-mail
    UserFactory(email="")
    UserFactory(email="")


def test_pesel_is_validated_and_unique():
    user = UserFactory.build(pesel="12345678901")
    with pytest.raises(ValidationError) as err:
        user.full_clean()
    assert "pesel" in err.value.message_dict
    UserFactory(pesel="16321512340")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(pesel="16321512340")


def test_enrolment_overlap_in_the_same_year_is_refused():
    school_class = SchoolClassFactory()
    other = SchoolClassFactory(school_year=school_class.school_year)
    enrolment = EnrolmentFactory(school_class=school_class)
    clash = Enrolment(
        pupil=enrolment.pupil,
        school_class=other,
        start_date=enrolment.start_date + datetime.timedelta(days=10),
    )
    with pytest.raises(ValidationError):
        clash.full_clean()
    enrolment.end_date = enrolment.start_date + datetime.timedelta(days=9)
    enrolment.save()
    clash.full_clean()  # after the first one ends, the move is fine


def test_enrolment_cannot_end_before_it_starts():
    enrolment = EnrolmentFactory()
    enrolment.end_date = enrolment.start_date - datetime.timedelta(days=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        enrolment.save()


def test_guardian_cannot_be_their_own_child():
    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        GuardianLink.objects.create(guardian=user, pupil=user)


def test_pupils_on_follows_enrolment_dates():
    school_class = SchoolClassFactory()
    stays = EnrolmentFactory(school_class=school_class).pupil
    leaver = EnrolmentFactory(school_class=school_class)
    leaver.end_date = leaver.start_date + datetime.timedelta(days=5)
    leaver.save()
    later = leaver.start_date + datetime.timedelta(days=6)
    assert list(school_class.pupils_on(later)) == [stays]
    assert set(school_class.pupils_on(leaver.start_date)) == {stays, leaver.pupil}
