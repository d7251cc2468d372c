"""The register's XML and JSON export (§ 21 ust. 4a): valid against the XSD, the
same content as the database (grades with their history, attendance, term
grades), the same in JSON, bounded queries, who may download it, the command."""

from __future__ import annotations

import datetime
import io
import json
from types import SimpleNamespace

import pytest
import time_machine
from lxml import etree

from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gradebook.models import BehaviourGrade, Grade, GradeHistory, TermGrade
from gradebook.register.models import Attendance, Lesson
from gradebook.services import TermGradeInput, behaviour_grades_save, term_grades_save
from gradebook.yearend.models import PromotionDecision, RegisterExportJob, RetakeExam
from gradebook.yearend.promotion import retake_record
from gradebook.yearend.xml_export import (
    NAMESPACE,
    SCHEMA_PATH,
    register_export_write,
    register_schema,
)
from portal.models import AuditEvent, Enrolment, Term, User
from tests.conftest import build_school_world
from tests.factories import EnrolmentFactory, TeachingGroupFactory, UserFactory, make_pupil
from tests.factories.gradebook import AssessmentFactory, grade_put
from tests.factories.register import RemarkFactory

NS = {"r": NAMESPACE}
TODAY = datetime.datetime(2027, 3, 17, 11, 0, tzinfo=datetime.UTC)  # a Wednesday, term 2
MOVED = datetime.date(2027, 1, 15)  # the last day of the moving pupil in 4a
RETAKE_DAY = datetime.date(2027, 3, 10)


def school_days(first: datetime.date, count: int) -> list[datetime.date]:
    days, day = [], first
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def add_lessons(side, pupils, count, first=datetime.date(2026, 10, 5)):
    """`count` lessons of maths in 4a, each with the attendance of `pupils`."""
    statuses = list(Attendance.Status)
    lessons = Lesson.objects.bulk_create(
        Lesson(
            assignment=side.assignment,
            date=day,
            number=(i % 7) + 1,
            topic=f"Temat {i} – ułamki & <procenty>",
            attendance_taken=True,
        )
        for i, day in enumerate(school_days(first, count))
    )
    Attendance.objects.bulk_create(
        Attendance(
            lesson=lesson,
            pupil=pupil,
            status=statuses[(i + j) % len(statuses)],
            minutes_late=10 if statuses[(i + j) % len(statuses)] == "s" else None,
        )
        for i, lesson in enumerate(lessons)
        for j, pupil in enumerate(pupils)
    )
    return lessons


def add_pupils(side, count, tag):
    users = User.objects.bulk_create(
        User(username=f"bulk-{tag}-{i}", first_name="Jan", last_name=f"Nowak {i:03}")
        for i in range(count)
    )
    Enrolment.objects.bulk_create(
        Enrolment(pupil=u, school_class=side.class_a, start_date=side.year.start) for u in users
    )
    return users


@pytest.fixture
def ex(db):
    """School A's 4a with grades (one changed, one deleted), term and behaviour
    grades, lessons with attendance, a remark and a group; a pupil who moved
    from 4a to 5a on MOVED; a pupil who failed maths for the year and passed its
    retake exam; school B alongside."""
    with time_machine.travel(TODAY, tick=False):
        a, b = build_school_world("a"), build_school_world("b")
        term1, term2 = Term.objects.filter(school_year=a.year).order_by("number")
        mover = UserFactory(username="a-mover", first_name="Ola", last_name="Wędrowna")
        EnrolmentFactory(pupil=mover, school_class=a.class_a, end_date=MOVED, register_number=7)
        EnrolmentFactory(
            pupil=mover,
            school_class=a.class_b,
            start_date=MOVED + datetime.timedelta(days=3),
            register_number=12,
        )
        group = TeachingGroupFactory(school_class=a.class_a, name="angielski gr. 1")
        group.pupils.add(a.pupil)
        test1 = AssessmentFactory(assignment=a.assignment, term=term1, name="Sprawdzian 1")
        grade_put(assessment=test1, pupil=a.pupil, user=a.teacher, text="3")
        grade_put(assessment=test1, pupil=a.pupil, user=a.teacher, text="4+")
        grade_put(assessment=test1, pupil=mover, user=a.teacher, text="5")
        quiz = AssessmentFactory(assignment=a.assignment, term=term2, name="Kartkówka")
        grade_put(assessment=quiz, pupil=a.pupil, user=a.teacher, text="2")
        grade_put(assessment=quiz, pupil=a.pupil, user=a.teacher, text="")  # deleted
        grade_put(assessment=quiz, pupil=a.pupil, user=a.teacher, text="np")
        term_grades_save(
            assignment=a.assignment,
            term=term1,
            user=a.teacher,
            entries=[
                TermGradeInput(a.pupil.pk, "proposed", 4),
                TermGradeInput(a.pupil.pk, "final", 5),
            ],
        )
        behaviour_grades_save(
            school_class=a.class_a,
            term=term1,
            user=a.homeroom,
            entries=[(a.pupil.pk, "final", "bardzo_dobre")],
        )
        add_lessons(a, [a.pupil, mover], 3, first=datetime.date(2027, 1, 11))
        RemarkFactory(pupil=a.pupil, school_class=a.class_a, author=a.teacher, text="Pomaga innym.")
        PromotionDecision.objects.create(
            pupil=a.pupil, school_class=a.class_a, proposed="promoted", outcome="promoted"
        )
        retaker = make_pupil(a.class_a, username="a-retaker", first_name="Rafał", last_name="Zych")
        term_grades_save(
            assignment=a.assignment,
            term=term2,
            user=a.teacher,
            entries=[TermGradeInput(retaker.pk, "final", 1)],
        )
        retake = retake_record(
            school_class=a.class_a,
            pupil_id=retaker.pk,
            subject_id=a.subject.pk,
            date=RETAKE_DAY,
            grade=2,
            board="Jan Kowalski (przewodniczący), Anna Nowak",
            note="Zdał część ustną & <pisemną>.",
            user=a.admin,
        )
    return SimpleNamespace(
        a=a, b=b, mover=mover, group=group, term1=term1, term2=term2, retaker=retaker,
        retake=retake,
    )  # fmt: skip


def export(fmt, *, year, school_class=None) -> bytes:
    out = io.BytesIO()
    with time_machine.travel(TODAY, tick=False):
        register_export_write(school_year=year, school_class=school_class, fmt=fmt, out=out)
    return out.getvalue()


def parse(data: bytes):
    return etree.fromstring(data)


# --- valid XML ------------------------------------------------------------------------------


def test_class_export_is_valid_against_the_xsd(ex):
    doc = parse(export("xml", year=ex.a.year, school_class=ex.a.class_a))
    register_schema().assertValid(doc)
    assert doc.get("scope") == "class"
    assert [c.findtext("r:name", namespaces=NS) for c in doc.iterfind("r:classes/r:class", NS)] == [
        "4a"
    ]


def test_school_export_is_valid_and_holds_every_class(ex):
    doc = parse(export("xml", year=ex.a.year))
    register_schema().assertValid(doc)
    assert doc.get("scope") == "school"
    names = [c.findtext("r:name", namespaces=NS) for c in doc.iterfind("r:classes/r:class", NS)]
    assert names == ["4a", "5a"]
    assert doc.find("r:school", NS).get("rspo") == ex.a.school.rspo


def test_invalid_document_fails_loudly(ex, monkeypatch):
    """A document the XSD refuses is never handed out."""
    from gradebook.yearend import xml_export

    monkeypatch.setitem(xml_export.ATTENDANCE_STATUS, Attendance.Status.PRESENT, "here")
    out = io.BytesIO()
    with pytest.raises(xml_export.InvalidRegisterExport):
        xml_export.register_export_write(
            school_year=ex.a.year, school_class=ex.a.class_a, fmt="xml", out=out
        )
    assert out.getvalue() == b""


# --- round trip: the XML says what the database holds ------------------------------------


def _class(doc, school_class):
    return doc.find(f"r:classes/r:class[@id='{school_class.pk}']", NS)


def test_grades_and_their_history_round_trip(ex):
    doc = parse(export("xml", year=ex.a.year, school_class=ex.a.class_a))
    klass = _class(doc, ex.a.class_a)
    exported = {
        int(g.get("id")): (
            int(g.get("pupil")),
            g.get("value"),
            int(g.get("teacher")),
            [
                (c.get("action"), c.findtext("r:old", "", NS), c.findtext("r:new", "", NS))
                for c in g.iterfind("r:history/r:change", NS)
            ],
        )
        for g in klass.iterfind("r:assessments/r:assessment/r:grades/r:grade", NS)
    }
    grades = Grade.objects.filter(assessment__assignment__school_class=ex.a.class_a)
    expected = {
        g.pk: (
            g.pupil_id,
            g.symbol,
            g.teacher_id,
            [
                (h.action, h.old_value, h.new_value)
                for h in GradeHistory.objects.filter(kind="grade", object_id=g.pk).order_by(
                    "at", "pk"
                )
            ],
        )
        for g in grades
    }
    assert exported == expected
    assert sorted(v[1] for v in exported.values()) == ["4+", "5", "np"]
    first = next(v for v in exported.values() if v[1] == "4+")
    assert [a for a, _o, _n in first[3]] == ["create", "update"]
    assert (first[3][1][1], first[3][1][2]) == ("3", "4+")
    # the deleted "2" keeps its history
    deleted = klass.findall("r:deleted-grades/r:deleted-grade", NS)
    assert len(deleted) == 1
    changes = deleted[0].findall("r:history/r:change", NS)
    assert [c.get("action") for c in changes] == ["create", "delete"]
    assert changes[0].findtext("r:new", namespaces=NS) == "2"
    assert changes[0].findtext("r:who", namespaces=NS).endswith("(a-teacher)")
    # category, weight and date come with the column
    column = klass.find("r:assessments/r:assessment", NS)
    assert column.get("weight") == "3"
    category = doc.find(f"r:grade-categories/r:category[@id='{column.get('category')}']", NS)
    assert category.findtext("r:name", namespaces=NS) == "sprawdzian"


def test_attendance_round_trips(ex):
    doc = parse(export("xml", year=ex.a.year, school_class=ex.a.class_a))
    klass = _class(doc, ex.a.class_a)
    exported = {
        (int(lesson.get("id")), int(e.get("pupil"))): (
            e.get("status"),
            e.get("late-minutes"),
            e.get("excused"),
        )
        for lesson in klass.iterfind("r:lessons/r:lesson", NS)
        for e in lesson.iterfind("r:attendance/r:entry", NS)
    }
    words = {
        "p": "present",
        "u": "excused-absence",
        "n": "unexcused-absence",
        "s": "late",
        "z": "released",
        "sz": "school-reasons",
    }
    expected = {
        (a.lesson_id, a.pupil_id): (
            words[a.status],
            str(a.minutes_late) if a.minutes_late is not None else None,
            {"u": "true", "n": "false"}.get(a.status),
        )
        for a in Attendance.objects.filter(lesson__assignment__school_class=ex.a.class_a)
    }
    assert exported == expected and len(expected) == 6
    lesson = klass.find("r:lessons/r:lesson", NS)
    assert lesson.findtext("r:topic", namespaces=NS) == "Temat 0 – ułamki & <procenty>"
    assert lesson.get("teacher") == str(ex.a.teacher.pk)


def test_term_behaviour_remarks_and_decisions_round_trip(ex):
    doc = parse(export("xml", year=ex.a.year, school_class=ex.a.class_a))
    klass = _class(doc, ex.a.class_a)
    exported = {
        (int(t.get("pupil")), int(t.get("term")), t.get("kind")): (
            int(t.get("grade")),
            [c.findtext("r:new", namespaces=NS) for c in t.iterfind("r:history/r:change", NS)],
        )
        for t in klass.iterfind("r:term-grades/r:term-grade", NS)
    }
    expected = {
        (t.pupil_id, t.term.number, t.kind): (
            t.grade,
            list(
                GradeHistory.objects.filter(kind="term", object_id=t.pk)
                .order_by("at", "pk")
                .values_list("new_value", flat=True)
            ),
        )
        for t in TermGrade.objects.filter(assignment__school_class=ex.a.class_a)
    }
    assert exported == expected
    assert exported[(ex.a.pupil.pk, 1, "final")][0] == 5
    behaviour = klass.find("r:behaviour-grades/r:behaviour-grade", NS)
    stored = BehaviourGrade.objects.get()
    assert (behaviour.get("value"), behaviour.get("kind"), behaviour.get("term")) == (
        stored.value,
        "final",
        "1",
    )
    assert behaviour.get("teacher") == str(ex.a.homeroom.pk)
    remark = klass.find("r:remarks/r:remark", NS)
    assert remark.findtext("r:text", namespaces=NS) == "Pomaga innym."
    assert (remark.get("kind"), remark.get("acknowledged")) == ("negative", "false")
    decision = klass.find(f"r:promotion-decisions/r:decision[@pupil='{ex.a.pupil.pk}']", NS)
    assert decision.get("outcome") == "promoted"
    staff = {int(p.get("id")) for p in doc.iterfind("r:staff/r:person", NS)}
    # the admin recorded the retake (and so wrote its annual grade)
    assert staff == {ex.a.teacher.pk, ex.a.homeroom.pk, ex.a.admin.pk}


def test_retake_exams_round_trip(ex):
    doc = parse(export("xml", year=ex.a.year, school_class=ex.a.class_a))
    register_schema().assertValid(doc)
    klass = _class(doc, ex.a.class_a)
    exported = [
        (
            int(r.get("pupil")),
            int(r.get("subject")),
            datetime.date.fromisoformat(r.get("date")),
            int(r.get("grade-before")),
            int(r.get("grade-after")),
            int(r.get("recorded-by")),
            datetime.datetime.fromisoformat(r.get("recorded-at")),
            r.findtext("r:board", namespaces=NS),
            r.findtext("r:note", namespaces=NS),
        )
        for r in klass.iterfind("r:retake-exams/r:retake-exam", NS)
    ]
    expected = [
        (
            r.pupil_id,
            r.subject_id,
            r.date,
            r.old_grade,
            r.new_grade,
            r.recorded_by_id,
            r.recorded_at.replace(microsecond=0),
            r.board,
            r.note,
        )
        for r in RetakeExam.objects.filter(school_class=ex.a.class_a)
    ]
    assert exported == expected
    assert exported[0][:5] == (ex.retaker.pk, ex.a.subject.pk, RETAKE_DAY, 1, 2)
    assert exported[0][8] == "Zdał część ustną & <pisemną>."
    # the pupil and the subject it names are in the document
    assert klass.find(f"r:pupils/r:pupil[@id='{ex.retaker.pk}']", NS) is not None
    assert doc.find(f"r:subjects/r:subject[@id='{ex.a.subject.pk}']", NS) is not None
    # the annual grade it changed says so in its history
    annual = klass.find(
        f"r:term-grades/r:term-grade[@pupil='{ex.retaker.pk}'][@term='2'][@kind='final']", NS
    )
    assert annual.get("grade") == "2"
    assert [c.findtext("r:new", namespaces=NS) for c in annual.iterfind("r:history/r:change", NS)][
        -1
    ].startswith("2")
    # a class without retakes has the list, empty
    other = _class(parse(export("xml", year=ex.a.year)), ex.a.class_b)
    assert other.find("r:retake-exams", NS) is not None
    assert other.find("r:retake-exams/r:retake-exam", NS) is None


def test_a_retake_naming_a_pupil_or_subject_outside_the_document_is_refused(ex):
    """The schema's identity constraints hold the retakes to the document's
    pupils, subjects and staff (a broken reference is a bug, never handed out)."""
    doc = parse(export("xml", year=ex.a.year, school_class=ex.a.class_a))
    schema = register_schema()
    retake = doc.find(".//r:retake-exams/r:retake-exam", NS)
    for attribute, foreign in (
        ("pupil", ex.b.pupil.pk),
        ("subject", ex.b.subject.pk),
        ("recorded-by", ex.b.admin.pk),
        ("grade-after", 7),
    ):
        original = retake.get(attribute)
        retake.set(attribute, str(foreign))
        assert not schema.validate(doc), attribute
        retake.set(attribute, original)
    assert schema.validate(doc)


def test_version_1_1_differs_from_1_0_only_by_the_retakes(ex):
    """Files made before 1.1 are still checked by register-1.0.xsd, and a 1.1
    document without its retake lists is a valid 1.0 document."""
    old_schema = etree.XMLSchema(etree.parse(str(SCHEMA_PATH.with_name("register-1.0.xsd"))))
    data = export("xml", year=ex.a.year)
    assert b'format-version="1.1"' in data and NAMESPACE == "urn:portal-oswiatowy:register:1.1"
    doc = parse(data.replace(NAMESPACE.encode(), b"urn:portal-oswiatowy:register:1.0"))
    assert not old_schema.validate(doc)  # 1.0 knows no retakes
    for retakes in doc.iterfind(".//{urn:portal-oswiatowy:register:1.0}retake-exams"):
        retakes.getparent().remove(retakes)
    doc.set("format-version", "1.0")
    old_schema.assertValid(doc)


def test_a_pupil_who_moved_appears_in_both_classes_with_dates(ex):
    doc = parse(export("xml", year=ex.a.year))
    periods = {}
    for klass in doc.iterfind("r:classes/r:class", NS):
        pupil = klass.find(f"r:pupils/r:pupil[@id='{ex.mover.pk}']", NS)
        assert pupil is not None, klass.findtext("r:name", namespaces=NS)
        assert pupil.findtext("r:last-name", namespaces=NS) == "Wędrowna"
        periods[klass.findtext("r:name", namespaces=NS)] = [
            (e.get("from"), e.get("until"), e.get("register-number"))
            for e in pupil.iterfind("r:enrolments/r:enrolment", NS)
        ]
    assert periods == {
        "4a": [(ex.a.year.start.isoformat(), "2027-01-15", "7")],
        "5a": [("2027-01-18", None, "12")],
    }
    # the grade given in 4a stays in 4a
    klass_5a = _class(doc, ex.a.class_b)
    assert klass_5a.find("r:assessments/r:assessment", NS) is None


def test_another_schools_data_is_not_in_the_export(ex):
    data = export("xml", year=ex.a.year)
    assert ex.b.pupil.last_name.encode() not in data or ex.b.pupil.last_name == ex.a.pupil.last_name
    doc = parse(data)
    ids = {int(p.get("id")) for p in doc.iterfind(".//r:pupil", NS)}
    assert ex.b.pupil.pk not in ids and ex.b.other_pupil.pk not in ids


# --- JSON -------------------------------------------------------------------------------------

CONTAINERS = {
    "terms", "subjects", "grade-categories", "classes", "groups", "members", "pupils",
    "enrolments", "assignments", "lessons", "attendance", "assessments", "grades", "history",
    "deleted-grades", "term-grades", "behaviour-grades", "remarks", "promotion-decisions",
    "retake-exams", "staff",
}  # fmt: skip


def xml_to_data(element) -> dict:
    """The XML read back into the JSON's shape (every scalar a string)."""
    data = {k.replace("-", "_"): v for k, v in element.attrib.items()}
    for child in element:
        name = etree.QName(child).localname
        key = name.replace("-", "_")
        if name in CONTAINERS:
            data[key] = [xml_to_data(item) for item in child]
        elif len(child) or child.attrib:
            data[key] = xml_to_data(child)
        else:
            data[key] = child.text or ""
    return data


def as_strings(value):
    """JSON values as the XML writes them; empty and missing values dropped."""
    if isinstance(value, dict):
        return {
            k: as_strings(v)
            for k, v in value.items()
            if v is not None and (v != "" or k in ("name", "first_name", "last_name"))
        }
    if isinstance(value, list):
        return [as_strings(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@pytest.mark.parametrize("whole_school", [False, True])
def test_json_holds_the_same_content_as_the_xml(ex, whole_school):
    school_class = None if whole_school else ex.a.class_a
    from_json = json.loads(export("json", year=ex.a.year, school_class=school_class))
    from_xml = xml_to_data(parse(export("xml", year=ex.a.year, school_class=school_class)))
    assert as_strings(from_json) == from_xml
    assert from_json["school_year"]["start"] == ex.a.year.start.isoformat()
    assert from_json["classes"][0]["lessons"][0]["date"] == "2027-01-11"
    grade = from_json["classes"][0]["assessments"][0]["grades"][0]
    assert grade["history"][0]["action"] == "create"
    assert from_json["format_version"] == "1.1"
    retake = from_json["classes"][0]["retake_exams"][0]
    assert retake == {
        "pupil": ex.retaker.pk,
        "subject": ex.a.subject.pk,
        "date": RETAKE_DAY.isoformat(),
        "grade_before": 1,
        "grade_after": 2,
        "recorded_by": ex.a.admin.pk,
        "recorded_at": retake["recorded_at"],
        "board": "Jan Kowalski (przewodniczący), Anna Nowak",
        "note": "Zdał część ustną & <pisemną>.",
    }


# --- bounded queries -------------------------------------------------------------------------


def count_queries(year, school_class=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        export("xml", year=year, school_class=school_class)
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_pupils_lessons_or_grades(ex):
    a = ex.a
    pupils = [a.pupil, ex.mover]
    small_class, small_school = count_queries(a.year, a.class_a), count_queries(a.year)
    with time_machine.travel(TODAY, tick=False):
        pupils += add_pupils(a, 20, "more")
        add_lessons(a, pupils, 40)
        column = AssessmentFactory(assignment=a.assignment, term=ex.term2, name="Kartkówka 2")
        Grade.objects.bulk_create(
            Grade(assessment=column, pupil=p, symbol="4", teacher=a.teacher) for p in pupils
        )
        for p in pupils[2:8]:
            RemarkFactory(pupil=p, school_class=a.class_a, author=a.homeroom)
    assert (
        Attendance.objects.filter(lesson__assignment__school_class=a.class_a).count() == 22 * 40 + 6
    )
    assert count_queries(a.year, a.class_a) == small_class
    assert count_queries(a.year) == small_school


# --- the pages: who may export --------------------------------------------------------------


@pytest.fixture
def roles(ex):
    from portal.models import Role
    from tests.factories import RoleFactory

    a = ex.a
    return SimpleNamespace(
        headteacher=RoleFactory(school=a.school, role=Role.HEADTEACHER).user,
        municipal=RoleFactory(school=None, role=Role.MUNICIPAL_ADMIN).user,
        secretary=RoleFactory(school=a.school, role=Role.SECRETARY).user,
    )


def _urls(side):
    from django.urls import reverse

    return [
        reverse("yearend:export", args=[side.school.pk]),
        reverse("yearend:export_class", args=[side.school.pk, side.class_a.pk, "xml"]),
        reverse("yearend:export_class", args=[side.school.pk, side.class_a.pk, "json"]),
    ]


@pytest.mark.parametrize("who", ["admin", "headteacher", "municipal"])
def test_school_admins_and_headteachers_export(ex, roles, login, who):
    user = getattr(ex.a, who, None) or getattr(roles, who)
    client = login(user)
    for url in _urls(ex.a):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    "who", ["teacher", "homeroom", "pupil", "guardian", "librarian", "secretary", "other_admin"]
)
def test_others_get_404(ex, roles, login, who):
    user = {
        "secretary": roles.secretary,
        "other_admin": ex.b.admin,
    }.get(who) or getattr(ex.a, who)
    client = login(user)
    for url in _urls(ex.a):
        assert client.get(url).status_code == 404, url
    if who != "other_admin":  # who runs another school's year is sent to it
        assert client.get(reverse("yearend:export_index")).status_code == 404
    start = reverse("yearend:export_school_start", args=[ex.a.school.pk, ex.a.year.pk, "xml"])
    assert client.post(start).status_code == 404
    assert not RegisterExportJob.objects.exists()


def test_anonymous_is_sent_to_sign_in(ex, client):
    response = client.get(_urls(ex.a)[1])
    assert response.status_code == 302 and "login" in response["Location"]


def test_another_schools_class_under_ones_own_school_is_404(ex, login):
    client = login(ex.a.admin)
    url = reverse("yearend:export_class", args=[ex.a.school.pk, ex.b.class_a.pk, "xml"])
    assert client.get(url).status_code == 404
    url = reverse("yearend:export_class", args=[ex.a.school.pk, ex.a.class_a.pk, "pdf"])
    assert client.get(url).status_code == 404


def test_a_class_download_is_valid_xml_and_is_audited(ex, login):
    client = login(ex.a.admin)
    response = client.get(_urls(ex.a)[1])
    assert response["Content-Type"].startswith("application/xml")
    assert "attachment" in response["Content-Disposition"]
    assert ".xml" in response["Content-Disposition"]
    register_schema().assertValid(parse(b"".join(response.streaming_content)))
    event = AuditEvent.objects.get(action="register_export.xml")
    assert (event.actor, event.school, event.category) == (ex.a.admin, ex.a.school, "yearend")
    assert (event.target_id, event.target_repr) == (ex.a.class_a.pk, "4a")
    assert event.after == {"school_year": ex.a.year.pk}
    response = client.get(_urls(ex.a)[2])
    assert json.loads(b"".join(response.streaming_content))["scope"] == "class"
    assert AuditEvent.objects.get(action="register_export.json").actor == ex.a.admin
    # the audit trail shows it in words
    trail = client.get(reverse("portal:privacy_audit")).content.decode()
    assert "eksport dziennika do XML" in trail and ex.a.year.name in trail


def test_the_page_lists_years_and_classes_with_links(ex, login):
    client = login(ex.a.admin)
    response = client.get(_urls(ex.a)[0])
    html = response.content.decode()
    for url in _urls(ex.a)[1:]:
        assert url in html
    assert reverse("yearend:export_class", args=[ex.a.school.pk, ex.a.class_b.pk, "xml"]) in html
    assert (
        reverse("yearend:export_class", args=[ex.b.school.pk, ex.b.class_a.pk, "xml"]) not in html
    )
    assert "<title>" in html and 'scope="col"' in html and "table-wrap" in html
    index = client.get(reverse("yearend:export_index"))
    assert index.status_code == 302 and index["Location"] == _urls(ex.a)[0]


def test_whole_school_export_runs_in_the_background(
    ex, login, disk, django_capture_on_commit_callbacks
):
    client = login(ex.a.admin)
    start = reverse("yearend:export_school_start", args=[ex.a.school.pk, ex.a.year.pk, "xml"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(start)
    assert response.status_code == 302
    job = RegisterExportJob.objects.get()
    assert job.status == RegisterExportJob.Status.SUCCEEDED and job.size > 0
    assert job.requested_by == ex.a.admin
    page = client.get(_urls(ex.a)[0]).content.decode()
    file_url = reverse("yearend:export_job_file", args=[ex.a.school.pk, job.pk])
    assert file_url in page
    response = client.get(file_url)
    assert response.status_code == 200
    doc = parse(b"".join(response.streaming_content))
    register_schema().assertValid(doc)
    assert doc.get("scope") == "school" and len(doc.findall("r:classes/r:class", NS)) == 2
    actions = list(
        AuditEvent.objects.filter(category="yearend", action__startswith="register_export.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["register_export.request", "register_export.xml"]
    # another school's admin cannot take the file
    other = login(ex.b.admin)
    assert other.get(file_url).status_code == 404
    foreign = reverse("yearend:export_job_file", args=[ex.b.school.pk, job.pk])
    assert other.get(foreign).status_code == 404
    # a newer export of the same year and format replaces the older file
    client = login(ex.a.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(start)
    job.refresh_from_db()
    newer = RegisterExportJob.objects.exclude(pk=job.pk).get()
    assert newer.status == RegisterExportJob.Status.SUCCEEDED and newer.file
    assert not job.file
    assert client.get(file_url).status_code == 404


def test_a_failed_whole_school_export_ends_failed(
    ex, login, disk, monkeypatch, django_capture_on_commit_callbacks
):
    from gradebook.yearend import export_jobs

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(export_jobs, "register_export_write", broken)
    client = login(ex.a.admin)
    start = reverse("yearend:export_school_start", args=[ex.a.school.pk, ex.a.year.pk, "json"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(start)
    job = RegisterExportJob.objects.get()
    assert job.status == RegisterExportJob.Status.FAILED and "disk full" in job.message
    assert not job.file
    file_url = reverse("yearend:export_job_file", args=[ex.a.school.pk, job.pk])
    assert client.get(file_url).status_code == 404
    page = client.get(_urls(ex.a)[0]).content.decode()
    assert "disk full" in page


def test_a_bad_format_for_the_whole_school_gives_a_message(ex, login):
    client = login(ex.a.admin)
    start = reverse("yearend:export_school_start", args=[ex.a.school.pk, ex.a.year.pk, "pdf"])
    response = client.post(start, follow=True)
    assert not RegisterExportJob.objects.exists()
    assert "XML" in response.content.decode()


# --- the command -----------------------------------------------------------------------------


def test_command_writes_a_class_or_the_school(ex, tmp_path):
    out = tmp_path / "4a.xml"
    with time_machine.travel(TODAY, tick=False):
        call_command(
            "export_register",
            str(ex.a.school.pk),
            ex.a.year.name,
            "--class",
            str(ex.a.class_a.pk),
            "--output",
            str(out),
            stderr=io.StringIO(),
        )
    doc = etree.parse(str(out)).getroot()
    register_schema().assertValid(doc)
    assert doc.get("scope") == "class"
    out = tmp_path / "school.json"
    call_command(
        "export_register",
        str(ex.a.school.pk),
        ex.a.year.name,
        "--format",
        "json",
        "--output",
        str(out),
        stderr=io.StringIO(),
    )
    assert [c["name"] for c in json.loads(out.read_text())["classes"]] == ["4a", "5a"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["4a.xml", "school.json"]


@pytest.mark.parametrize(
    "args, message",
    [
        (lambda ex: ["999999", "2026/2027"], "No school with id 999999"),
        (lambda ex: [str(ex.a.school.pk), "1999/2000"], "has no school year '1999/2000'"),
        (
            lambda ex: [str(ex.a.school.pk), ex.a.year.name, "--class", str(ex.b.class_a.pk)],
            "No class with id",
        ),
        (lambda ex: [str(ex.a.school.pk), ex.a.year.name, "--output", "/nonexistent/x.xml"],
         "does not exist"),
    ],
)  # fmt: skip
def test_command_errors_are_clear(ex, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_register", *args(ex), stderr=io.StringIO())


def test_the_documented_example_is_valid():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "register-xml.md").read_text()
    example = text.split("```xml\n", 1)[1].split("```", 1)[0]
    register_schema().assertValid(etree.fromstring(example.encode()))
