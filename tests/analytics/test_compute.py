"""Incremental computation, agreement with raw data, and the background run."""

import datetime

from django.db.models import Count, Sum
from django.utils import timezone

from analytics.models import AggregationRun, ClassMonth, SubjectMonth
from analytics.services import aggregation_run_execute, aggregation_run_queue
from gradebook import scale as grade_scale
from gradebook.models import Grade
from gradebook.register.models import Attendance, Lesson
from gradebook.register.services import Mark, lesson_record
from tests.factories.gradebook import grade_put

from .conftest import NOVEMBER, OCTOBER, column, lesson

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
