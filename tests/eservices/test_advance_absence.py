"""An advance absence notice accepted by the homeroom teacher excuses exactly
the covered lessons marked absent later (and those already marked)."""

import datetime

from eservices import services
from eservices.models import ServiceKind, Status
from gradebook.register import services as register
from gradebook.register.models import Attendance, Excuse
from tests.factories.register import LessonFactory

from .conftest import service_of


def _notice(side, first_day, *, last_day=None, first_lesson="", last_lesson=""):
    service = service_of(side, ServiceKind.ADVANCE_ABSENCE)
    key = {f.key: f.pk for f in service.fields.all()}
    return services.case_submit(
        applicant=side.guardian,
        service=service,
        pupil=side.pupil,
        answers={
            key["first_day"]: first_day,
            key["last_day"]: last_day,
            key["first_lesson"]: first_lesson,
            key["last_lesson"]: last_lesson,
            key["reason"]: "Wizyta u lekarza",
        },
    )


def _record(side, day, number, status=Attendance.Status.UNEXCUSED):
    lesson = LessonFactory(
        assignment=side.assignment, date=day, number=number, attendance_taken=False
    )
    register.lesson_record(
        lesson=lesson,
        topic="Temat",
        marks={side.pupil.pk: register.Mark(status)},
        pupil_ids=[side.pupil.pk],
        user=side.teacher,
    )
    return Attendance.objects.get(lesson=lesson, pupil=side.pupil)


def test_exactly_the_covered_lessons_are_excused(es, on_a_school_day):
    today = datetime.date.today()  # a Wednesday
    tomorrow = today + datetime.timedelta(days=1)
    case = _notice(es.a, tomorrow, first_lesson="2", last_lesson="3")
    services.case_transition(case=case, user=es.a.homeroom, to=Status.ACCEPTED)
    services.case_transition(case=case, user=es.a.homeroom, to=Status.GRANTED)
    excuse = Excuse.objects.get(pupil=es.a.pupil)
    assert excuse.status == Excuse.Status.ACCEPTED

    on_a_school_day.shift(datetime.timedelta(days=1))
    rows = {n: _record(es.a, tomorrow, n) for n in (1, 2, 3, 4)}
    statuses = {n: row.status for n, row in rows.items()}
    assert statuses == {
        1: Attendance.Status.UNEXCUSED,
        2: Attendance.Status.EXCUSED,
        3: Attendance.Status.EXCUSED,
        4: Attendance.Status.UNEXCUSED,
    }
    # another day is not covered
    other = _record(es.a, today, 2)
    assert other.status == Attendance.Status.UNEXCUSED


def test_a_whole_day_notice_covers_every_lesson_and_a_refusal_none(es):
    today = datetime.date.today()
    covered = _notice(es.a, today)
    refused = _notice(es.a, today + datetime.timedelta(days=7))
    services.case_transition(case=refused, user=es.a.homeroom, to=Status.REFUSED, text="nie")
    before = _record(es.a, today, 1)  # already marked when the notice is accepted
    services.case_transition(case=covered, user=es.a.homeroom, to=Status.ACCEPTED)
    services.case_transition(case=covered, user=es.a.homeroom, to=Status.GRANTED)
    before.refresh_from_db()
    assert before.status == Attendance.Status.EXCUSED
    assert _record(es.a, today, 6).status == Attendance.Status.EXCUSED
    assert Excuse.objects.count() == 1
