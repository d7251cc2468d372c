"""The register of a school year read into plain ordered data (dicts, lists,
strings, numbers, booleans, dates), a fixed number of queries per class."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from django.db.models import Q
from django.utils import timezone

from gradebook.models import (
    Assessment,
    BehaviourGrade,
    Grade,
    GradeCategory,
    GradeHistory,
    TermGrade,
)
from gradebook.register.models import Attendance, Lesson, Remark
from portal.models import (
    Enrolment,
    SchoolClass,
    SchoolYear,
    Subject,
    TeachingAssignment,
    TeachingGroup,
    Term,
    User,
)

from ..models import PromotionDecision, RetakeExam

# 1.1: the classes' retake exams (register-1.0.xsd stays for the files made before).
FORMAT_VERSION = "1.1"
NAMESPACE = f"urn:portal-oswiatowy:register:{FORMAT_VERSION}"
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / f"register-{FORMAT_VERSION}.xsd"
FORMATS = ("xml", "json")
CONTENT_TYPES = {"xml": "application/xml", "json": "application/json"}

ATTENDANCE_STATUS = {
    Attendance.Status.PRESENT: "present",
    Attendance.Status.EXCUSED: "excused-absence",
    Attendance.Status.UNEXCUSED: "unexcused-absence",
    Attendance.Status.LATE: "late",
    Attendance.Status.RELEASED: "released",
    Attendance.Status.SCHOOL: "school-reasons",
}


class InvalidRegisterExport(Exception):
    """The document written does not match the XSD: a bug of the exporter."""


def _when(value: datetime.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _history_entry(row: dict) -> dict:
    return {
        "action": row["action"],
        "at": _when(row["at"]),
        "actor": row["actor_id"],
        "who": row["actor_name"],
        "old": row["old_value"],
        "new": row["new_value"],
    }


class RegisterBuilder:
    """The register of one school year (all its classes, or `school_class` only)
    as plain data. `header()`, then `classes()` (a generator: one class at a time),
    then `staff()` (everyone the classes referred to as a teacher or author);
    `as_dict()` gathers the three into one ordered dict."""

    def __init__(self, *, school_year: SchoolYear, school_class: SchoolClass | None = None):
        self.school_year = school_year
        self.school = school_year.school
        self.school_class = school_class
        self._staff_ids: set[int] = set()

    # --- header ---------------------------------------------------------------------------

    def header(self) -> dict:
        school, year = self.school, self.school_year
        terms = Term.objects.filter(school_year=year).select_related("grading_status")
        subjects = Subject.objects.filter(school=school).order_by("name", "pk")
        categories = GradeCategory.objects.filter(school=school).order_by("order", "name", "pk")
        return {
            "format_version": FORMAT_VERSION,
            "generated_at": _when(timezone.now()),
            "scope": "class" if self.school_class else "school",
            "school": {
                "id": school.pk,
                "rspo": school.rspo,
                "type": school.school_type,
                "name": school.name,
                "short_name": school.short_name,
                "street": school.street,
                "postal_code": school.postal_code,
                "city": school.city,
                "headteacher": school.headteacher,
            },
            "school_year": {
                "id": year.pk,
                "name": year.name,
                "start": year.start,
                "end": year.end,
                "terms": [
                    {
                        "number": t.number,
                        "start": t.start,
                        "end": t.end,
                        "closed": bool(
                            getattr(t, "grading_status", None) and t.grading_status.is_closed
                        ),
                    }
                    for t in terms
                ],
            },
            "subjects": [
                {"id": s.pk, "name": s.name, "short_name": s.short_name} for s in subjects
            ],
            "grade_categories": [
                {
                    "id": c.pk,
                    "default_weight": c.weight,
                    "counts_to_average": c.counts_to_average,
                    "name": c.name,
                }
                for c in categories
            ],
        }

    # --- classes ----------------------------------------------------------------------------

    def class_queryset(self):
        if self.school_class is not None:
            return SchoolClass.objects.filter(pk=self.school_class.pk)
        return SchoolClass.objects.filter(school_year=self.school_year).order_by(
            "level", "name", "pk"
        )

    def classes(self) -> Iterator[dict]:
        for school_class in self.class_queryset():
            yield self.build_class(school_class)

    def _staff(self, *ids) -> None:
        self._staff_ids.update(i for i in ids if i)

    def build_class(self, school_class: SchoolClass) -> dict:
        """One class's part of the register, in a fixed number of queries."""
        self._staff(school_class.homeroom_teacher_id)
        term_numbers = {
            t.pk: t.number for t in Term.objects.filter(school_year_id=school_class.school_year_id)
        }

        # pupils and their enrolments (a pupil who left and came back has two)
        pupils: dict[int, dict] = {}
        enrolments = (
            Enrolment.objects.filter(school_class=school_class)
            .select_related("pupil")
            .order_by("register_number", "pupil__last_name", "pupil__first_name", "start_date")
        )
        for e in enrolments:
            pupil = pupils.get(e.pupil_id) or pupils.setdefault(e.pupil_id, _pupil(e.pupil))
            pupil["enrolments"].append(
                {"from": e.start_date, "until": e.end_date, "register_number": e.register_number}
            )

        groups = [
            {
                "id": g.pk,
                "name": g.name,
                "members": [{"pupil": p.pk} for p in g.pupils.all()],
            }
            for g in TeachingGroup.objects.filter(school_class=school_class).prefetch_related(
                "pupils"
            )
        ]

        assignments = list(
            TeachingAssignment.objects.filter(school_class=school_class)
            .select_related("subject")
            .order_by("subject__name", "group_id", "pk")
        )
        for a in assignments:
            self._staff(a.teacher_id)

        # lessons with the attendance of each pupil (two queries for the whole year)
        marks = defaultdict(list)
        attendance_rows = (
            Attendance.objects.filter(lesson__assignment__school_class=school_class)
            .order_by("lesson_id", "pupil__last_name", "pupil__first_name", "pupil_id")
            .values_list("lesson_id", "pupil_id", "status", "minutes_late")
        )
        referenced: set[int] = set()
        for lesson_id, pupil_id, status, minutes in attendance_rows.iterator(chunk_size=5000):
            mark = {"pupil": pupil_id, "status": ATTENDANCE_STATUS[status]}
            if status in Attendance.ABSENT:
                mark["excused"] = status == Attendance.Status.EXCUSED
            if minutes is not None:
                mark["late_minutes"] = minutes
            marks[lesson_id].append(mark)
            referenced.add(pupil_id)
        lessons = []
        for row in (
            Lesson.objects.filter(assignment__school_class=school_class)
            .order_by("date", "number", "pk")
            .values(
                "pk",
                "date",
                "number",
                "assignment_id",
                "assignment__teacher_id",
                "substitute_teacher_id",
                "is_one_off",
                "attendance_taken",
                "topic",
            )
            .iterator(chunk_size=2000)
        ):
            teacher = row["substitute_teacher_id"] or row["assignment__teacher_id"]
            self._staff(teacher)
            lessons.append(
                {
                    "id": row["pk"],
                    "date": row["date"],
                    "number": row["number"],
                    "assignment": row["assignment_id"],
                    "teacher": teacher,
                    "substitute": bool(row["substitute_teacher_id"]),
                    "one_off": row["is_one_off"],
                    "attendance_taken": row["attendance_taken"],
                    "topic": row["topic"],
                    "attendance": marks.pop(row["pk"], []),
                }
            )

        # grades with their history; term and behaviour grades
        history = defaultdict(list)
        behaviour_rows = list(
            BehaviourGrade.objects.filter(school_class=school_class)
            .order_by("term__number", "kind", "pupil__last_name", "pupil__first_name", "pk")
            .values("pk", "pupil_id", "term_id", "kind", "value", "teacher_id", "updated_at")
        )
        history_rows = (
            GradeHistory.objects.filter(
                Q(
                    assignment__school_class=school_class,
                    kind__in=[GradeHistory.Kind.GRADE, GradeHistory.Kind.TERM],
                )
                | Q(
                    kind=GradeHistory.Kind.BEHAVIOUR,
                    object_id__in=[b["pk"] for b in behaviour_rows],
                )
            )
            .order_by("at", "pk")
            .values(
                "kind",
                "object_id",
                "action",
                "at",
                "actor_id",
                "actor_name",
                "old_value",
                "new_value",
                "pupil_id",
                "assignment_id",
                "assessment_id",
                "label",
            )
        )
        for row in history_rows:
            history[(row["kind"], row["object_id"])].append(row)

        grades_by_assessment = defaultdict(list)
        live_grades: set[int] = set()
        for g in (
            Grade.objects.filter(assessment__assignment__school_class=school_class)
            .order_by("assessment_id", "pupil__last_name", "pupil__first_name", "pk")
            .values(
                "pk",
                "assessment_id",
                "pupil_id",
                "symbol",
                "teacher_id",
                "improves_id",
                "created_at",
                "updated_at",
            )
        ):
            live_grades.add(g["pk"])
            referenced.add(g["pupil_id"])
            self._staff(g["teacher_id"])
            grades_by_assessment[g["assessment_id"]].append(
                {
                    "id": g["pk"],
                    "pupil": g["pupil_id"],
                    "value": g["symbol"],
                    "teacher": g["teacher_id"],
                    "improves": g["improves_id"],
                    "created_at": _when(g["created_at"]),
                    "changed_at": _when(g["updated_at"]),
                    "history": [
                        _history_entry(h)
                        for h in history.get((GradeHistory.Kind.GRADE, g["pk"]), [])
                    ],
                }
            )
        assessments = [
            {
                "id": a["pk"],
                "assignment": a["assignment_id"],
                "term": term_numbers[a["term_id"]],
                "category": a["category_id"],
                "weight": a["weight"],
                "date": a["date"],
                "counts_to_average": a["counts_to_average"],
                "improves": a["improves_id"],
                "name": a["name"],
                "description": a["description"],
                "grades": grades_by_assessment.pop(a["pk"], []),
            }
            for a in Assessment.objects.filter(assignment__school_class=school_class)
            .order_by("assignment_id", "date", "pk")
            .values(
                "pk",
                "assignment_id",
                "term_id",
                "category_id",
                "weight",
                "date",
                "counts_to_average",
                "improves_id",
                "name",
                "description",
            )
        ]
        assignment_ids = {a.pk for a in assignments}
        assessment_ids = {a["id"] for a in assessments}
        deleted_grades = []
        for (kind, object_id), rows in history.items():
            if kind != GradeHistory.Kind.GRADE or object_id in live_grades:
                continue
            first = rows[0]
            referenced.add(first["pupil_id"])
            deleted_grades.append(
                {
                    "id": object_id,
                    "pupil": first["pupil_id"],
                    "assignment": first["assignment_id"]
                    if first["assignment_id"] in assignment_ids
                    else None,
                    "assessment": first["assessment_id"]
                    if first["assessment_id"] in assessment_ids
                    else None,
                    "label": first["label"],
                    "history": [_history_entry(h) for h in rows],
                }
            )
        deleted_grades.sort(key=lambda d: d["id"])

        term_grades = []
        for t in (
            TermGrade.objects.filter(assignment__school_class=school_class)
            .order_by(
                "term__number", "kind", "assignment_id", "pupil__last_name", "pupil__first_name"
            )
            .values(
                "pk",
                "pupil_id",
                "assignment_id",
                "term_id",
                "kind",
                "grade",
                "description",
                "teacher_id",
                "updated_at",
            )
        ):
            referenced.add(t["pupil_id"])
            self._staff(t["teacher_id"])
            term_grades.append(
                {
                    "pupil": t["pupil_id"],
                    "assignment": t["assignment_id"],
                    "term": term_numbers[t["term_id"]],
                    "kind": t["kind"],
                    "grade": t["grade"],
                    "teacher": t["teacher_id"],
                    "changed_at": _when(t["updated_at"]),
                    "description": t["description"],
                    "history": [
                        _history_entry(h)
                        for h in history.get((GradeHistory.Kind.TERM, t["pk"]), [])
                    ],
                }
            )

        behaviour_grades = []
        for b in behaviour_rows:
            referenced.add(b["pupil_id"])
            self._staff(b["teacher_id"])
            behaviour_grades.append(
                {
                    "pupil": b["pupil_id"],
                    "term": term_numbers[b["term_id"]],
                    "kind": b["kind"],
                    "value": b["value"],
                    "teacher": b["teacher_id"],
                    "changed_at": _when(b["updated_at"]),
                    "history": [
                        _history_entry(h)
                        for h in history.get((GradeHistory.Kind.BEHAVIOUR, b["pk"]), [])
                    ],
                }
            )

        remarks = []
        for r in (
            Remark.objects.filter(school_class=school_class)
            .select_related("acknowledged_by")
            .order_by("created_at", "pk")
        ):
            referenced.add(r.pupil_id)
            self._staff(r.author_id)
            remarks.append(
                {
                    "id": r.pk,
                    "pupil": r.pupil_id,
                    "kind": r.kind,
                    "author": r.author_id,
                    "created_at": _when(r.created_at),
                    "acknowledged": r.acknowledged_at is not None,
                    "acknowledged_at": _when(r.acknowledged_at),
                    "text": r.text,
                    "acknowledged_by": str(r.acknowledged_by) if r.acknowledged_by_id else "",
                }
            )

        decisions = []
        for d in PromotionDecision.objects.filter(school_class=school_class).order_by(
            "pupil__last_name", "pupil__first_name", "pk"
        ):
            referenced.add(d.pupil_id)
            self._staff(d.homeroom_confirmed_by_id, d.admin_confirmed_by_id)
            decisions.append(
                {
                    "pupil": d.pupil_id,
                    "proposed": d.proposed,
                    "outcome": d.outcome,
                    "resolution_number": d.resolution_number,
                    "resolution_date": d.resolution_date,
                    "homeroom_confirmed_by": d.homeroom_confirmed_by_id,
                    "homeroom_confirmed_at": _when(d.homeroom_confirmed_at),
                    "admin_confirmed_by": d.admin_confirmed_by_id,
                    "admin_confirmed_at": _when(d.admin_confirmed_at),
                    "note": d.note,
                }
            )

        retakes = []
        for r in (
            RetakeExam.objects.filter(school_class=school_class)
            .order_by("date", "pupil__last_name", "pupil__first_name", "pk")
            .values(
                "pupil_id",
                "subject_id",
                "date",
                "old_grade",
                "new_grade",
                "recorded_by_id",
                "recorded_at",
                "board",
                "note",
            )
        ):
            referenced.add(r["pupil_id"])
            self._staff(r["recorded_by_id"])
            retakes.append(
                {
                    "pupil": r["pupil_id"],
                    "subject": r["subject_id"],
                    "date": r["date"],
                    "grade_before": r["old_grade"],
                    "grade_after": r["new_grade"],
                    "recorded_by": r["recorded_by_id"],
                    "recorded_at": _when(r["recorded_at"]),
                    "board": r["board"],
                    "note": r["note"],
                }
            )

        # a pupil with an entry in this class but no enrolment in it (an enrolment
        # removed by mistake) is still listed, with no enrolment dates
        for group in groups:
            referenced.update(m["pupil"] for m in group["members"])
        missing = referenced - pupils.keys()
        if missing:
            for user in User.objects.filter(pk__in=missing).order_by("last_name", "first_name"):
                pupils[user.pk] = _pupil(user)

        return {
            "id": school_class.pk,
            "level": school_class.level,
            "homeroom_teacher": school_class.homeroom_teacher_id,
            "name": school_class.name,
            "groups": groups,
            "pupils": list(pupils.values()),
            "assignments": [
                {
                    "id": a.pk,
                    "subject": a.subject_id,
                    "teacher": a.teacher_id,
                    "group": a.group_id,
                }
                for a in assignments
            ],
            "lessons": lessons,
            "assessments": assessments,
            "deleted_grades": deleted_grades,
            "term_grades": term_grades,
            "behaviour_grades": behaviour_grades,
            "remarks": remarks,
            "promotion_decisions": decisions,
            "retake_exams": retakes,
        }

    # --- staff ------------------------------------------------------------------------------

    def staff(self) -> list[dict]:
        """Everyone the classes built so far named as a teacher or author."""
        people = User.objects.filter(pk__in=self._staff_ids).order_by(
            "last_name", "first_name", "pk"
        )
        return [{"id": p.pk, "first_name": p.first_name, "last_name": p.last_name} for p in people]

    def as_dict(self) -> dict:
        data = self.header()
        data["classes"] = list(self.classes())
        data["staff"] = self.staff()
        return data


def _pupil(user: User) -> dict:
    return {
        "id": user.pk,
        "date_of_birth": user.date_of_birth,
        "pesel": user.pesel,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "enrolments": [],
    }
