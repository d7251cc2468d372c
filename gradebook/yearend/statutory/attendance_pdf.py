"""The attendance report of a class for a month (zestawienie frekwencji): per
pupil the lessons of each mark and the attendance %, per day the class's totals;
as a PDF and as a CSV. The figures come from the register's own statistics
(`gradebook.register.selectors`), with the school's rule for lateness."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gradebook.register.models import Attendance
from gradebook.register.selectors import (
    StatsRow,
    class_attendance_by_day,
    class_attendance_stats,
)
from portal.models import SchoolClass
from portal.pdfs import render_pdf

from ..printouts import csv_response, number
from .register_pdf import period_of

TEMPLATE = "yearend/statutory/attendance_pdf.html"
CODES = Attendance.Status.values


@dataclass
class AttendanceReport:
    school_class: SchoolClass
    period: str
    start: datetime.date
    end: datetime.date
    rows: list[StatsRow]
    days: list[StatsRow]
    total: StatsRow
    late_counts_as_present: bool
    columns: list[tuple[str, str]]


def class_attendance_report(school_class: SchoolClass, *, month: datetime.date) -> AttendanceReport:
    """The month's attendance of a class, per pupil and per day (a fixed number
    of queries)."""
    start, end, period = period_of(school_class, month)
    stats = class_attendance_stats(school_class, start=start, end=end)
    late = stats["settings"].late_counts_as_present
    return AttendanceReport(
        school_class=school_class,
        period=period,
        start=start,
        end=end,
        rows=stats["rows"],
        days=class_attendance_by_day(
            school_class, start=start, end=end, late_counts_as_present=late
        ),
        total=stats["total"],
        late_counts_as_present=late,
        columns=[(code, str(label)) for code, label in Attendance.Status.choices],
    )


def attendance_filename(report: AttendanceReport) -> str:
    return f"frekwencja-{report.school_class.name}-{report.start:%Y-%m}"


def attendance_report_pdf(report: AttendanceReport) -> bytes:
    school_class = report.school_class
    context = {
        "report": report,
        "school": school_class.school_year.school,
        "term": f"{school_class.name} · {report.period}",
        "now": timezone.now(),
        "landscape": True,
    }
    return render_pdf(TEMPLATE, context, str(settings.BASE_DIR))


def attendance_report_csv(report: AttendanceReport) -> HttpResponse:
    school_class = report.school_class
    labels = [label for _code, label in report.columns]
    rows: list[list] = [
        [
            _("Attendance report"),
            str(school_class.school_year.school),
            school_class.name,
            report.period,
        ],
        [],
        [_("Pupil"), *labels, _("Attendance %")],
    ]
    for row in [*report.rows, report.total]:
        rows.append([row.label, *[row.counts[c] for c in CODES], number(row.percent)])
    rows += [[], [_("Day"), *labels, _("Attendance %")]]
    for day in report.days:
        rows.append(
            [
                date_format(day.label, "SHORT_DATE_FORMAT"),
                *[day.counts[c] for c in CODES],
                number(day.percent),
            ]
        )
    return csv_response(rows, filename=attendance_filename(report))
