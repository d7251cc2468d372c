"""Families keep reading their earlier school years: the attendance pages and the
remarks page offer the grades page's year and class choice (?klasa=<enrolment>,
portal/class_years.py), checked per object like the current year."""

import datetime
from types import SimpleNamespace

import pytest
import time_machine

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gradebook.register.models import Attendance, Lesson, Remark
from portal.models import Enrolment, ReadAccess, Role, SchoolYear, TeachingAssignment, Term
from tests.factories import (
    EnrolmentFactory,
    GuardianLinkFactory,
    RoleFactory,
    SchoolClassFactory,
    SchoolFactory,
    SchoolYearFactory,
    SubjectFactory,
    TeachingAssignmentFactory,
    UserFactory,
    make_teacher,
)
from tests.factories.register import LessonFactory

D = datetime.date
# A Wednesday of the second school year's first term.
TODAY = "2027-10-13 10:00:00+02:00"
STATS, ABSENCES, REMARKS = "register:pupil_stats", "register:pupil_absences", "register:remarks"


@pytest.fixture
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


def school_year(school, first: int, *, current=False) -> SchoolYear:
    """The school year `first`/`first + 1`: 1 Sep – 25 Jun, two terms."""
    year = SchoolYearFactory(
        school=school,
        start=D(first, 9, 1),
        end=D(first + 1, 6, 25),
        name=f"{first}/{first + 1}",
        is_current=current,
        terms=False,
    )
    Term.objects.create(school_year=year, number=1, start=year.start, end=D(first + 1, 1, 31))
    Term.objects.create(school_year=year, number=2, start=D(first + 1, 2, 1), end=year.end)
    return year


def a_year_of(side, pupil, first: int, level: int, *, absent_on=None, remark=None):
    """`pupil` in class `<level>a` of `side.school` in the year `first`/`first + 1`,
    enrolled for the whole year, with an unexcused absence and a remark."""
    year = side.years.get(first) or school_year(side.school, first, current=first == 2027)
    side.years[first] = year
    school_class = class_of(year, level)
    enrolment = EnrolmentFactory(
        pupil=pupil,
        school_class=school_class,
        start_date=year.start,
        end_date=None if first == 2027 else year.end,
    )
    assignment = TeachingAssignment.objects.filter(school_class=school_class).first()
    assignment = assignment or TeachingAssignmentFactory(
        school_class=school_class, subject=side.subject, teacher=side.teacher
    )
    day = absent_on or D(first + 1, 3, 10)
    lesson = Lesson.objects.filter(assignment=assignment, date=day).first()
    lesson = lesson or LessonFactory(assignment=assignment, date=day, number=1)
    Attendance.objects.create(lesson=lesson, pupil=pupil, status=Attendance.Status.UNEXCUSED)
    text = remark or f"Uwaga z roku {year.name}"
    written = Remark.objects.create(
        pupil=pupil, school_class=school_class, author=side.teacher, kind="negative", text=text
    )
    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    Remark.objects.filter(pk=written.pk).update(created_at=at)
    return enrolment


def class_of(year, level):
    found = year.classes.filter(level=level).first()
    return found or SchoolClassFactory(school_year=year, level=level, name=f"{level}a")


def a_school(name):
    school = SchoolFactory(short_name=name)
    return SimpleNamespace(
        school=school,
        years={},
        teacher=make_teacher(school, username=f"{name}-teacher"),
        subject=SubjectFactory(school=school, name="Matematyka"),
        admin=RoleFactory(
            school=school, role=Role.SCHOOL_ADMIN, user=UserFactory(username=f"{name}-admin")
        ).user,
    )


@pytest.fixture
def family(today, db):
    """School A: a pupil in 4a (2026/2027, finished) and 5a (2027/2028, now), with a
    guardian; another family's child in the same classes. School B: a pupil of its
    own, and a pupil who moved there from A after 2026/2027."""
    a, b = a_school("a"), a_school("b")
    f = SimpleNamespace(a=a, b=b)
    f.pupil = UserFactory(username="a-pupil", first_name="Ala", last_name="Kos")
    f.guardian = UserFactory(username="a-parent")
    GuardianLinkFactory(guardian=f.guardian, pupil=f.pupil)
    f.last_year = a_year_of(a, f.pupil, 2026, 4, remark="Rozmowy na lekcji w czwartej klasie")
    f.this_year = a_year_of(
        a, f.pupil, 2027, 5, absent_on=D(2027, 10, 6), remark="Spóźnienia w piątej klasie"
    )
    f.other_child = UserFactory(username="a-other")
    f.other_last_year = a_year_of(a, f.other_child, 2026, 4)
    f.b_pupil = UserFactory(username="b-pupil")
    f.b_enrolment = a_year_of(b, f.b_pupil, 2027, 5)
    f.mover = UserFactory(username="mover")
    f.mover_guardian = UserFactory(username="mover-parent")
    GuardianLinkFactory(guardian=f.mover_guardian, pupil=f.mover)
    f.mover_at_a = a_year_of(a, f.mover, 2026, 4, remark="Uwaga ze szkoły A")
    f.mover_at_b = a_year_of(b, f.mover, 2027, 5, remark="Uwaga ze szkoły B")
    return f


def get(client, name, pupil, **params):
    return client.get(reverse(name), {"pupil": pupil.pk, **params})


def test_a_guardian_reads_last_year_s_attendance_and_remarks(family, login):
    f = family
    client = login(f.guardian, mfa=False)
    # The current year by default, with the choice of the earlier one.
    page = get(client, STATS, f.pupil).content.decode()
    assert "Pokazywany rok szkolny" in page and "(5a)" in page
    assert f"klasa={f.last_year.pk}" in page and "2026/2027: klasa 4a" in page
    assert 'aria-current="page">2027/2028: klasa 5a' in page
    page = get(client, STATS, f.pupil, klasa=f.last_year.pk).content.decode()
    assert "(4a)" in page and "Cały rok szkolny" in page
    # The whole finished year, cut to the enrolment: 1.09.2026 – 25.06.2027.
    assert "01.09.2026" in page and "25.06.2027" in page
    assert f'name="klasa" value="{f.last_year.pk}"' in page
    assert 'aria-current="page">2026/2027: klasa 4a' in page

    absences = get(client, ABSENCES, f.pupil).content.decode()
    assert "6 października 2027" in absences and "2027-03-10" not in absences
    absences = get(client, ABSENCES, f.pupil, klasa=f.last_year.pk).content.decode()
    assert 'datetime="2027-03-10"' in absences and "2027-10-06" not in absences
    # A term of the earlier year keeps the year chosen.
    term_2 = get(client, ABSENCES, f.pupil, klasa=f.last_year.pk, term=2).content.decode()
    assert 'datetime="2027-03-10"' in term_2 and "(4a)" in term_2
    term_1 = get(client, ABSENCES, f.pupil, klasa=f.last_year.pk, term=1).content.decode()
    assert "2027-03-10" not in term_1 and "(4a)" in term_1

    remarks = get(client, REMARKS, f.pupil).content.decode()
    assert "Spóźnienia w piątej klasie" in remarks
    assert "Rozmowy na lekcji w czwartej klasie" not in remarks
    assert f"klasa={f.last_year.pk}" in remarks
    remarks = get(client, REMARKS, f.pupil, klasa=f.last_year.pk).content.decode()
    assert "Rozmowy na lekcji w czwartej klasie" in remarks
    assert "Spóźnienia w piątej klasie" not in remarks
    # The pupil themself has the same choice.
    own = login(f.pupil, mfa=False)
    assert "(4a)" in get(own, STATS, f.pupil, klasa=f.last_year.pk).content.decode()


def test_the_remarks_list_without_a_pupil_is_not_split_by_year(family, login):
    client = login(family.guardian, mfa=False)
    page = client.get(reverse(REMARKS)).content.decode()
    assert "Rozmowy na lekcji w czwartej klasie" in page and "Spóźnienia w piątej" in page
    assert "Pokazywany rok szkolny" not in page


@pytest.mark.parametrize("name", [STATS, ABSENCES, REMARKS])
def test_a_forged_enrolment_is_not_found(family, login, name):
    f = family
    client = login(f.guardian, mfa=False)
    for forged in (f.other_last_year, f.b_enrolment, f.mover_at_a, f.mover_at_b):
        assert get(client, name, f.pupil, klasa=forged.pk).status_code == 404, forged
    assert get(client, name, f.pupil, klasa=10**12).status_code == 404
    assert get(client, name, f.pupil, klasa="x").status_code == 400


@pytest.mark.parametrize("name", [STATS, ABSENCES])
def test_after_a_transfer_each_school_sees_only_its_own_years(family, login, name):
    """The rule of the current year (portal.permissions.visible_enrolments): school B
    sees the mover from the transfer on, school A until it; the family all years."""
    f = family
    new_school = login(f.b.admin)
    page = get(new_school, name, f.mover).content.decode()
    assert "(5a)" in page and "Pokazywany rok szkolny" not in page
    assert get(new_school, name, f.mover, klasa=f.mover_at_a.pk).status_code == 404
    old_school = login(f.a.admin)
    page = get(old_school, name, f.mover).content.decode()
    assert "(4a)" in page and "Pokazywany rok szkolny" not in page
    assert get(old_school, name, f.mover, klasa=f.mover_at_b.pk).status_code == 404
    parent = login(f.mover_guardian, mfa=False)
    page = get(parent, name, f.mover, klasa=f.mover_at_a.pk).content.decode()
    assert "(4a)" in page and f"klasa={f.mover_at_b.pk}" in page


def test_reads_are_logged_as_today(family, login):
    """Staff reading an earlier year are audited with that year's school; families
    reading their own are not (portal.audit.note_read)."""
    f = family
    get(login(f.guardian, mfa=False), STATS, f.pupil, klasa=f.last_year.pk)
    assert not ReadAccess.objects.exists()
    get(login(f.a.admin), STATS, f.pupil, klasa=f.last_year.pk)
    get(login(f.a.admin), REMARKS, f.pupil)
    read = ReadAccess.objects.get(what=ReadAccess.What.ATTENDANCE)
    assert (read.actor, read.pupil, read.school) == (f.a.admin, f.pupil, f.a.school)
    assert ReadAccess.objects.filter(what=ReadAccess.What.REMARKS, pupil=f.pupil).exists()


def _queries(client, name, pupil, **params) -> int:
    client.get(reverse(name), {"pupil": pupil.pk, **params})  # sessions, caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(name), {"pupil": pupil.pk, **params}).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", [STATS, ABSENCES, REMARKS])
def test_the_pages_do_not_query_more_with_more_years(family, login, name):
    f = family
    client = login(f.guardian, mfa=False)
    before = _queries(client, name, f.pupil), _queries(client, name, f.pupil, klasa=f.last_year.pk)
    for first, level in ((2024, 2), (2025, 3)):
        a_year_of(f.a, f.pupil, first, level)
    assert Enrolment.objects.filter(pupil=f.pupil).count() == 4
    after = _queries(client, name, f.pupil), _queries(client, name, f.pupil, klasa=f.last_year.pk)
    assert after == before
    page = get(client, name, f.pupil).content.decode()
    assert "2024/2025: klasa 2a" in page and "2025/2026: klasa 3a" in page
