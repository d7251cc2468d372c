"""Incremental computation, agreement with raw data, and the background run."""

import datetime

from django.db.models import Count, Sum
from django.utils import timezone

from analytics.models import (
    AggregationRun,
    ClassMonth,
    ClassSnapshot,
    ClassYear,
    SchoolMonth,
    SubjectMonth,
)
from analytics.services import aggregation_run_execute, aggregation_run_queue
from gradebook import scale as grade_scale
from gradebook.models import Grade, TermGrade
from gradebook.register.models import Attendance, Lesson, TimetableEntry
from gradebook.register.selectors import timetable_in_force
from gradebook.register.services import Mark, lesson_record
from gradebook.yearend.rules import FAILING, grades_average
from tests.factories import TeachingAssignmentFactory
from tests.factories.gradebook import grade_put

from .conftest import NOVEMBER, OCTOBER, column, final, lesson, slot

FIELDS = [f.name for f in SubjectMonth._meta.fields if f.name not in ("id", "computed_at")]


def rows():
    return sorted(SubjectMonth.objects.values_list(*FIELDS))


def run(full=False):
    return aggregation_run_execute(run_id=AggregationRun.objects.create(full=full).pk)


def test_aggregates_equal_a_recomputation_from_raw_data(small):
    run()
    totals = SubjectMonth.objects.aggregate(
        n=Sum("unexcused"), p=Sum("present"), w=Sum("weight_sum"), s=Sum("weighted_sum")
    )
    raw = dict(Attendance.objects.values_list("status").annotate(n=Count("pk")))
    assert (totals["n"], totals["p"]) == (raw["n"], raw["p"])
    scale = grade_scale.Scale()
    marks = [
        grade_scale.Mark(
            g.pk,
            scale.value_of(g.symbol),
            g.assessment.weight,
            g.assessment.counts_to_average,
            g.improves_id,
        )
        for g in Grade.objects.select_related("assessment")
    ]
    assert grade_scale.marks_average(marks, scale) == grade_scale.average_of(
        totals["s"], totals["w"]
    )


def test_classification_and_timetable_equal_a_recomputation_from_raw_data(small, clock):
    other = TeachingAssignmentFactory(school_class=small.school_class)
    for i, pupil in enumerate(small.pupils):
        final(small.assignment, pupil, 1 + i % 6)
        final(other, pupil, 6 - i)
        final(small.assignment, pupil, 2 + i % 5, term=2)
    slot(small.assignment, 0, 1)
    slot(small.assignment, 1, 1, valid_until=datetime.date(2030, 11, 1))
    slot(other, 0, 2)
    run()
    year = ClassYear.objects.get()
    finals = TermGrade.objects.filter(kind=TermGrade.Kind.FINAL)
    for prefix, number in (("midyear", 1), ("annual", 2)):
        grades = list(finals.filter(term__number=number).values_list("pupil_id", "grade"))
        average = grade_scale.average_of(
            getattr(year, f"{prefix}_grade_sum"), getattr(year, f"{prefix}_grade_count")
        )
        assert average == grades_average(g for _p, g in grades)
        assert getattr(year, f"{prefix}_graded") == len({p for p, _g in grades})
        assert getattr(year, f"{prefix}_failing") == len({p for p, g in grades if g == FAILING})
    in_force = TimetableEntry.objects.filter(timetable_in_force(datetime.date(2030, 11, 14)))
    snapshot = ClassSnapshot.objects.get()
    assert snapshot.weekly_lessons == in_force.count() == 2
    teachers = set(in_force.values_list("assignment__teacher", flat=True))
    assert snapshot.teachers == len(teachers)
    month = SchoolMonth.objects.get()
    assert (month.weekly_lessons, month.teachers) == (snapshot.weekly_lessons, len(teachers))


def test_only_changed_months_are_computed_again(small, clock):
    first = run()
    assert first.status == AggregationRun.Status.SUCCEEDED and first.months_computed >= 2
    october_at = SubjectMonth.objects.get(month=OCTOBER).computed_at
    clock.shift(datetime.timedelta(hours=1))
    # A teacher takes November's attendance and enters a grade in November.
    november = lesson(small.assignment, datetime.date(2030, 11, 12))
    Lesson.objects.filter(pk=november.pk).update(attendance_taken=False)
    november.refresh_from_db()
    lesson_record(
        lesson=november,
        topic="Ułamki",
        marks={small.pupils[0].pk: Mark(Attendance.Status.UNEXCUSED)},
        pupil_ids=[p.pk for p in small.pupils],
        user=small.teacher,
    )
    test = column(small.assignment, datetime.date(2030, 11, 13), 2)
    grade_put(assessment=test, pupil=small.pupils[2], user=small.teacher, text="6")
    clock.shift(datetime.timedelta(hours=1))
    second = run()
    assert second.changes_since == first.started_at
    assert second.months_computed == 1  # November of class 4a, nothing else
    assert SubjectMonth.objects.get(month=OCTOBER).computed_at == october_at
    row = SubjectMonth.objects.get(month=NOVEMBER)
    assert row.computed_at == second.started_at
    assert (row.unexcused, row.present, row.grade_count) == (1, 4, 1)
    # …and the incremental result is what a full computation gives.
    incremental = rows()
    run(full=True)
    assert rows() == incremental


def test_a_run_without_changes_computes_nothing(small, clock):
    run()
    clock.shift(datetime.timedelta(hours=1))
    assert run().months_computed == 0
    assert ClassMonth.objects.filter(month=OCTOBER).get().attendance_pupils == 5


def test_an_officer_queues_a_run_once_and_the_task_carries_it_out(
    small, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        queued = aggregation_run_queue(user=small.officer)
    queued.refresh_from_db()
    assert queued.status == AggregationRun.Status.SUCCEEDED
    assert queued.finished_at <= timezone.now()
    assert SubjectMonth.objects.exists()
