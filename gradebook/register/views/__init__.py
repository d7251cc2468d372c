"""Thin views of the class register, one module per topic: check access, call a
service or selector, render. Objects are looked up through scoped querysets
(permissions.py), so a foreign id answers 404."""

from .announcements import announcement_new_view, announcement_view, announcements_view
from .attendance import pupil_absences_view, pupil_stats_view, stats_view
from .excuses import excuse_decide_view, excuse_new_view, excuses_view
from .family import calendar_view, ical_view, lesson_plan_view, week_view
from .history import lesson_history_view
from .homework import homework_attachment_view, homework_edit_view, homework_view
from .lessons import day_view, lesson_add_view, lesson_view, missing_view
from .planned_tests import test_edit_view, tests_view
from .remarks import remark_acknowledge_view, remark_edit_view, remark_new_view, remarks_view
from .school import settings_view, timetable_view

__all__ = [
    "announcement_new_view",
    "announcement_view",
    "announcements_view",
    "calendar_view",
    "day_view",
    "excuse_decide_view",
    "excuse_new_view",
    "excuses_view",
    "homework_attachment_view",
    "homework_edit_view",
    "homework_view",
    "ical_view",
    "lesson_add_view",
    "lesson_history_view",
    "lesson_plan_view",
    "lesson_view",
    "missing_view",
    "pupil_absences_view",
    "pupil_stats_view",
    "remark_acknowledge_view",
    "remark_edit_view",
    "remark_new_view",
    "remarks_view",
    "settings_view",
    "stats_view",
    "test_edit_view",
    "tests_view",
    "timetable_view",
    "week_view",
]
