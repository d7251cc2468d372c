"""The dziennik lekcyjny of a class as a PDF: for a month or the whole school
year, per subject the lessons (date, number, topic, teacher), the attendance grid
(pupils × the lessons of each month, with the register's marks), the grades
(pupils × grade columns, then the term grades), and the class's behaviour grades
and remarks.

The data is read by the XML export's `RegisterBuilder` (a fixed number of
queries for a class's whole year) and cut to the period here, in Python."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gradebook.models import BehaviourGrade
from gradebook.register.models import Attendance, Remark
from portal.models import SchoolClass
from portal.pdfs import PdfAttachment, render_pdf

from ..xml_export import ATTENDANCE_STATUS, RegisterBuilder

TEMPLATE = "yearend/statutory/register_pdf.html"
# the builder's words for a mark, back to the register's own symbols (p, u, n, s, z, sz)
MARKS = {word: code for code, word in ATTENDANCE_STATUS.items()}


@dataclass
class PupilRow:
    id: int
    number: int | None
    name: str
    cells: list[str] = field(default_factory=list)


# The grids are printed as lines of monospaced text, not as HTML tables: a year's
# attendance is some 40,000 marks, and WeasyPrint lays a table cell out about thirty
# times slower than a character of preformatted text (bench/yearend_register.py).
LINE = 150  # characters of a grid's line (7 pt monospace across a landscape A4)
NAME = 30  # the pupil's number and name


@dataclass
class GridBlock:
    head: str
    body: str


@dataclass
class Grid:
    """Pupils × columns, with the columns' headings. `heads` gives each column's
    heading as short lines (the day and the lesson of an attendance column);
    without it the columns are numbered and `columns` is printed as their key."""

    caption: str
    columns: list[str]
    rows: list[PupilRow]
    heads: list[list[str]] | None = None

    @property
    def keyed(self) -> bool:
        return self.heads is None

    def blocks(self) -> list[GridBlock]:
        """The grid as text: as many columns in a block as fit in a line."""
        heads = self.heads or [[str(i)] for i in range(1, len(self.columns) + 1)]
        cells = [len(c) for row in self.rows for c in row.cells]
        width = max([3, *[len(h) + 1 for col in heads for h in col], *[n + 1 for n in cells]])
        per_block = max(1, (LINE - NAME) // width)
        pupil = _("Pupil")
        blocks = []
        for first in range(0, len(heads), per_block):
            chosen = range(first, min(first + per_block, len(heads)))
            levels = max(len(heads[i]) for i in chosen)
            head = []
            for level in range(levels):
                label = f"{_('No.'):>3} {pupil}" if level == levels - 1 else ""
                line = "".join(
                    f"{(heads[i][level] if level < len(heads[i]) else ''):<{width}}" for i in chosen
                )
                head.append(f"{label:<{NAME}}{line}".rstrip())
            body = [
                f"{row.number or '':>3} {row.name[: NAME - 5]:<{NAME - 4}}"
                + "".join(f"{row.cells[i]:<{width}}" for i in chosen).rstrip()
                for row in self.rows
            ]
            blocks.append(GridBlock("\n".join(head), "\n".join(body)))
        return blocks


@dataclass
class SubjectPart:
    subject: str
    group: str
    teacher: str
    lessons: list[dict]
    attendance: list[Grid]
    grades: Grid | None
    term_grades: Grid | None


@dataclass
class ClassRegister:
    school_class: SchoolClass
    school: object
    period: str
    month: datetime.date | None
    start: datetime.date
    end: datetime.date
    homeroom: str
    pupils: list[PupilRow]
    subjects: list[SubjectPart]
    behaviour: Grid | None
    remarks: list[dict]
    legend: list[tuple[str, str]]


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = month.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def period_of(
    school_class: SchoolClass, month: datetime.date | None
) -> tuple[datetime.date, datetime.date, str]:
    """The dates printed and their name: a month (within the school year) or the
    whole school year."""
    year = school_class.school_year
    if month is None:
        return year.start, year.end, _("school year %(name)s") % {"name": year.name}
    start, end = month_bounds(month)
    return max(start, year.start), min(end, year.end), date_format(month, "F Y")


def _in(day, start, end) -> bool:
    return day is not None and start <= day <= end


def _enrolled(pupil: dict, start, end) -> bool:
    """Enrolled on some day of the period (a pupil listed with no enrolment, whose
    entries still name this class, is printed too)."""
    if not pupil["enrolments"]:
        return True
    return any(
        e["from"] <= end and (e["until"] is None or e["until"] >= start)
        for e in pupil["enrolments"]
    )


def _number(pupil: dict) -> int | None:
    numbers = [e["register_number"] for e in pupil["enrolments"] if e["register_number"]]
    return numbers[-1] if numbers else None


def _months(lessons: list[dict]) -> list[list[dict]]:
    by_month: dict[tuple, list] = defaultdict(list)
    for lesson in lessons:
        by_month[(lesson["date"].year, lesson["date"].month)].append(lesson)
    return [by_month[key] for key in sorted(by_month)]


def _rows(pupils: list[PupilRow], members: set[int] | None) -> list[PupilRow]:
    chosen = pupils if members is None else [p for p in pupils if p.id in members]
    return [PupilRow(p.id, p.number, p.name) for p in chosen]


def class_register_data(
    school_class: SchoolClass, *, month: datetime.date | None = None
) -> ClassRegister:
    """The register of a class for a month (any day of it) or, with no month, the
    whole school year, as the printout's tables. A fixed number of queries,
    whatever the numbers of pupils, lessons and grades."""
    builder = RegisterBuilder(school_year=school_class.school_year, school_class=school_class)
    header = builder.header()
    data = builder.build_class(school_class)
    staff = {p["id"]: f"{p['first_name']} {p['last_name']}".strip() for p in builder.staff()}
    subjects = {s["id"]: s["name"] for s in header["subjects"]}
    start, end, period = period_of(school_class, month)

    pupils = [
        PupilRow(p["id"], _number(p), f"{p['last_name']} {p['first_name']}".strip())
        for p in data["pupils"]
        if _enrolled(p, start, end)
    ]
    names = {p["id"]: f"{p['last_name']} {p['first_name']}".strip() for p in data["pupils"]}
    groups = {g["id"]: g for g in data["groups"]}

    lessons_of = defaultdict(list)
    for lesson in data["lessons"]:
        if _in(lesson["date"], start, end):
            lessons_of[lesson["assignment"]].append(lesson)
    assessments_of = defaultdict(list)
    for a in data["assessments"]:
        if month is None or _in(a["date"], start, end):
            assessments_of[a["assignment"]].append(a)
    term_grades_of = defaultdict(list)
    if month is None:
        for t in data["term_grades"]:
            term_grades_of[t["assignment"]].append(t)

    parts = []
    for a in data["assignments"]:
        group = groups.get(a["group"])
        members = {m["pupil"] for m in group["members"]} if group else None
        lessons = [
            {
                "date": lesson["date"],
                "number": lesson["number"],
                "topic": lesson["topic"],
                "teacher": staff.get(lesson["teacher"], ""),
                "substitute": lesson["substitute"],
            }
            for lesson in lessons_of[a["id"]]
        ]
        grids = []
        for month_lessons in _months(lessons_of[a["id"]]):
            rows = _rows(pupils, members)
            marks = {
                (lesson["id"], m["pupil"]): MARKS[m["status"]]
                for lesson in month_lessons
                for m in lesson["attendance"]
            }
            for row in rows:
                row.cells = [marks.get((lesson["id"], row.id), "") for lesson in month_lessons]
            grids.append(
                Grid(
                    date_format(month_lessons[0]["date"], "F Y"),
                    [f"{lesson['date']:%d.%m}/{lesson['number']}" for lesson in month_lessons],
                    rows,
                    heads=[
                        [f"{lesson['date']:%d}", str(lesson["number"])] for lesson in month_lessons
                    ],
                )
            )
        parts.append(
            SubjectPart(
                subject=subjects.get(a["subject"], ""),
                group=group["name"] if group else "",
                teacher=staff.get(a["teacher"], ""),
                lessons=lessons,
                attendance=grids,
                grades=_grades(assessments_of[a["id"]], pupils, members),
                term_grades=_term_grades(term_grades_of[a["id"]], pupils, members),
            )
        )

    behaviour = None
    if month is None and data["behaviour_grades"]:
        labels = dict(BehaviourGrade.Value.choices)
        behaviour = _keyed_grid(
            _("Behaviour grades"),
            data["behaviour_grades"],
            pupils,
            None,
            value=lambda b: str(labels.get(b["value"], b["value"])),
        )
    kinds = dict(Remark.Kind.choices)
    remarks = [
        {
            "date": datetime.date.fromisoformat(r["created_at"][:10]),
            "pupil": names.get(r["pupil"], ""),
            "kind": kinds.get(r["kind"], r["kind"]),
            "text": r["text"],
            "author": staff.get(r["author"], ""),
        }
        for r in data["remarks"]
        if _in(datetime.date.fromisoformat(r["created_at"][:10]), start, end)
    ]
    return ClassRegister(
        school_class=school_class,
        school=school_class.school_year.school,
        period=period,
        month=month,
        start=start,
        end=end,
        homeroom=staff.get(data["homeroom_teacher"], ""),
        pupils=pupils,
        subjects=parts,
        behaviour=behaviour,
        remarks=remarks,
        legend=[(code, str(label)) for code, label in Attendance.Status.choices],
    )


def _grades(assessments: list[dict], pupils, members) -> Grid | None:
    if not assessments:
        return None
    rows = _rows(pupils, members)
    values = defaultdict(list)
    for a in assessments:
        for g in a["grades"]:
            values[(a["id"], g["pupil"])].append(g["value"])
    for row in rows:
        row.cells = [" ".join(values.get((a["id"], row.id), [])) for a in assessments]
    columns = [
        f"{a['name'] or _('grade')}{' (' + format(a['date'], '%d.%m') + ')' if a['date'] else ''}"
        for a in assessments
    ]
    return Grid(_("Grades"), columns, rows)


def _keyed_grid(caption, entries, pupils, members, *, value) -> Grid:
    """Term grades (or behaviour grades) as columns per term and kind."""
    kinds = {"proposed": _("proposed"), "final": _("final")}
    keys = sorted(
        {(e["term"], e["kind"]) for e in entries}, key=lambda k: (k[0], k[1] != "proposed")
    )
    cells = {(e["term"], e["kind"], e["pupil"]): value(e) for e in entries}
    rows = _rows(pupils, members)
    for row in rows:
        row.cells = [cells.get((term, kind, row.id), "") for term, kind in keys]
    columns = [
        _("term %(number)s, %(kind)s") % {"number": term, "kind": kinds.get(kind, kind)}
        for term, kind in keys
    ]
    return Grid(caption, columns, rows)


def _term_grades(entries: list[dict], pupils, members) -> Grid | None:
    if not entries:
        return None
    return _keyed_grid(
        _("Term grades"),
        entries,
        pupils,
        members,
        value=lambda t: str(t["grade"]) if t["grade"] is not None else (t["description"] or ""),
    )


def register_filename(school_class: SchoolClass, month: datetime.date | None) -> str:
    when = f"{month:%Y-%m}" if month else school_class.school_year.name.replace("/", "-")
    return f"dziennik-{school_class.name}-{when}"


def class_register_pdf(
    school_class: SchoolClass,
    *,
    month: datetime.date | None = None,
    pdf_variant: str | None = None,
    attachments: list[PdfAttachment] | None = None,
) -> bytes:
    """The dziennik lekcyjny of a class (a month, or with no month the whole
    school year) as a PDF. `pdf_variant` ("pdf/a-3b") and `attachments` (the
    class's XML) go to WeasyPrint, for the year-end archive."""
    register = class_register_data(school_class, month=month)
    context = {
        "register": register,
        "school": register.school,
        "term": f"{school_class.name} · {register.period}",
        "now": timezone.now(),
        "landscape": True,
    }
    return render_pdf(
        TEMPLATE, context, str(settings.BASE_DIR), pdf_variant=pdf_variant, attachments=attachments
    )
