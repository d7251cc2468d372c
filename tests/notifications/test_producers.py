"""Each service that changes what families should know makes, after commit, one
notification per event for the pupil and (by the school's setting) every
guardian; grades of one column fold into one item."""

import datetime

import pytest

from django.urls import reverse
from django.utils import timezone

from gradebook import services as grade_services
from gradebook.models import Grade, TermGrade
from gradebook.register import services as register
from gradebook.register.models import Announcement, Attendance, Excuse
from gradebook.selectors import sheet_day
from gradebook.services import CellInput, TermGradeInput
from notifications.models import Kind, Notification, SchoolSettings
from portal.models import GuardianLink
from tests.factories import UserFactory, make_pupil
from tests.factories.gradebook import AssessmentFactory
from tests.factories.register import LessonFactory, last_school_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(world):
    """School A's pupil with two guardians (both are told)."""
    second = UserFactory(username="a-parent-2")
    GuardianLink.objects.create(guardian=second, pupil=world.a.pupil)
    world.a.guardian2 = second
    return world.a


def told(kind, **filters):
    return set(
        Notification.objects.filter(kind=kind, **filters).values_list("recipient", flat=True)
    )


def everyone(a):
    return {a.pupil.pk, a.guardian.pk, a.guardian2.pk}


def guardians_off(a):
    SchoolSettings.objects.create(school=a.school, tell_guardians=False)


def enter_grades(a, assessment, symbols: dict, run):
    return run(
        grade_services.sheet_save,
        assignment=a.assignment,
        user=a.teacher,
        cells=[CellInput(assessment.pk, pupil.pk, text, "") for pupil, text in symbols.items()],
        day=sheet_day(assessment.term),
    )


def test_a_new_grade_tells_the_pupil_and_both_guardians_and_links_to_the_grade(family, run):
    a = family
    assessment = AssessmentFactory(assignment=a.assignment, name="Kartkówka")
    enter_grades(a, assessment, {a.pupil: "5"}, run)
    assert told(Kind.GRADE) == everyone(a)
    grade = Grade.objects.get()
    item = Notification.objects.get(recipient=a.guardian)
    assert item.url.startswith(reverse("gradebook:pupil", args=[a.pupil.pk]))
    assert item.url.endswith(f"#ocena-{grade.pk}")
    assert "5" in item.title and item.pupil == a.pupil


def test_no_guardian_is_told_when_the_school_turned_it_off(family, run):
    a = family
    guardians_off(a)
    assessment = AssessmentFactory(assignment=a.assignment)
    enter_grades(a, assessment, {a.pupil: "4"}, run)
    assert told(Kind.GRADE) == {a.pupil.pk}


def test_a_whole_column_is_one_growing_item_per_recipient(world, run):
    a = world.a
    # A guardian of five pupils of the class (a foster family): one item, "5 new grades".
    parent = UserFactory(username="foster")
    pupils = [make_pupil(a.class_a, username=f"twin{n}") for n in range(5)]
    for pupil in pupils:
        GuardianLink.objects.create(guardian=parent, pupil=pupil)
    assessment = AssessmentFactory(assignment=a.assignment, name="Sprawdzian")
    enter_grades(a, assessment, dict.fromkeys(pupils, "4") | {a.pupil: "3"}, run)
    [item] = Notification.objects.filter(recipient=parent)
    assert item.count == 5
    assert item.title == "Matematyka: 5 nowych ocen"
    # Each pupil and the other family got one item each, not five.
    assert Notification.objects.filter(recipient=a.guardian).count() == 1
    assert Notification.objects.filter(recipient=pupils[0]).count() == 1


def test_term_grades_tell_the_family(family, run):
    a = family
    a.term = a.year.terms.order_by("number").first()
    run(
        grade_services.term_grades_save,
        assignment=a.assignment,
        term=a.term,
        user=a.teacher,
        entries=[TermGradeInput(a.pupil.pk, TermGrade.Kind.PROPOSED, 4)],
    )
    assert told(Kind.TERM_GRADE) == everyone(a)


def test_absence_and_lateness_tell_the_family_but_presence_does_not(family, world, run):
    a = family
    other = make_pupil(a.class_a, username="present-one")
    lesson = LessonFactory(assignment=a.assignment, date=last_school_day())
    run(
        register.lesson_record,
        lesson=lesson,
        topic="Ułamki",
        marks={a.pupil.pk: register.Mark(Attendance.Status.UNEXCUSED)},
        pupil_ids=[a.pupil.pk, other.pk],
        user=a.teacher,
    )
    assert told(Kind.ATTENDANCE) == everyone(a)
    item = Notification.objects.get(recipient=a.guardian, kind=Kind.ATTENDANCE)
    assert f"lekcja-{lesson.date:%Y-%m-%d}-{lesson.number}" in item.url
    # Marked late instead: a new event; saving the same again tells nobody twice.
    for _ in range(2):
        run(
            register.lesson_record,
            lesson=lesson,
            topic="Ułamki",
            marks={a.pupil.pk: register.Mark(Attendance.Status.LATE, 5)},
            pupil_ids=[a.pupil.pk, other.pk],
            user=a.teacher,
        )
    assert Notification.objects.filter(recipient=a.guardian, kind=Kind.ATTENDANCE).count() == 2
    assert not Notification.objects.filter(recipient=other).exists()


def test_a_remark_tells_the_family_and_links_to_it(family, run):
    a = family
    remark = run(
        register.remark_create,
        author=a.homeroom,
        pupil=a.pupil,
        school_class=a.class_a,
        kind="positive",
        text="Pomoc kolegom",
    )
    assert told(Kind.REMARK) == everyone(a)
    assert Notification.objects.get(recipient=a.guardian).url.endswith(f"#uwaga-{remark.pk}")


def test_a_decided_excuse_tells_the_family(family, run):
    a = family
    guardians_off(a)
    lesson = LessonFactory(assignment=a.assignment, date=last_school_day())
    absence = Attendance.objects.create(
        lesson=lesson, pupil=a.pupil, status=Attendance.Status.UNEXCUSED
    )
    excuse = register.excuse_submit(
        guardian=a.guardian, pupil=a.pupil, attendance_ids=[absence.pk], reason="Choroba"
    )
    run(register.excuse_decide, excuse=excuse, user=a.homeroom, accept=True)
    assert Excuse.objects.get().status == Excuse.Status.ACCEPTED
    assert told(Kind.EXCUSE) == {a.pupil.pk}


def test_homework_and_a_test_tell_the_class_families(family, run):
    a = family
    due = timezone.localdate() + datetime.timedelta(days=7)
    hw = run(
        register.homework_create,
        assignment=a.assignment,
        due_date=due,
        description="Zadania 1–5",
        user=a.teacher,
    )
    assert told(Kind.HOMEWORK) == everyone(a)
    assert Notification.objects.get(recipient=a.pupil, kind=Kind.HOMEWORK).url.endswith(
        f"#zadanie-{hw.pk}"
    )
    test, _problems = run(
        register.test_plan,
        assignment=a.assignment,
        date=due,
        kind="test",
        scope="Ułamki",
        user=a.teacher,
        confirmed=True,
    )
    assert told(Kind.TEST) == everyone(a)


def test_an_announcement_to_the_guardians_tells_only_guardians(family, run):
    a = family
    run(
        register.announcement_create,
        author=a.admin,
        school_id=a.school.pk,
        audience=Announcement.Audience.GUARDIANS,
        title="Zebranie",
        body="We wtorek o 17:00.",
    )
    assert told(Kind.ANNOUNCEMENT) == {a.guardian.pk, a.guardian2.pk}


def test_an_announcement_to_the_school_tells_pupils_and_guardians_but_not_school_b(
    family, world, run
):
    a = family
    run(
        register.announcement_create,
        author=a.admin,
        school_id=a.school.pk,
        audience=Announcement.Audience.SCHOOL,
        title="Dzień otwarty",
        body="Zapraszamy.",
    )
    recipients = told(Kind.ANNOUNCEMENT)
    assert everyone(a) <= recipients
    assert world.b.pupil.pk not in recipients and world.b.guardian.pk not in recipients


def test_library_reminders_tell_the_reader_and_guardians_in_the_portal(family, world, run):
    from library.circulation import services as circulation
    from library.circulation.reminders import send_reminders
    from tests.factories.circulation import card, copy_create, record_create

    a = family
    copy = copy_create(record_create("Pan Tadeusz"), a.school)
    monday = datetime.date(2026, 10, 5)
    loan = circulation.loan_checkout(
        user=a.librarian,
        school=a.school,
        card_number=card(a.pupil),
        barcode=copy.barcode,
        today=monday,
    )
    day = loan.due_on - datetime.timedelta(days=2)
    run(send_reminders, day)
    run(send_reminders, day)
    assert told(Kind.LIBRARY) == everyone(a)
    assert Notification.objects.filter(kind=Kind.LIBRARY).count() == 3
    mine = Notification.objects.get(recipient=a.pupil)
    assert mine.url == reverse("circulation:account")
    theirs = Notification.objects.get(recipient=a.guardian)
    assert theirs.url == reverse("circulation:account_child", args=[a.pupil.pk])
