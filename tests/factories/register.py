"""Factories of the class register."""

import datetime

import factory

from django.utils import timezone

from gradebook.register.models import (
    Announcement,
    Attendance,
    Homework,
    Lesson,
    PlannedTest,
    Remark,
    TimetableEntry,
)


def last_school_day(before: datetime.date | None = None) -> datetime.date:
    """The latest weekday strictly before `before` (today by default)."""
    day = (before or timezone.localdate()) - datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    return day


class TimetableEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimetableEntry

    weekday = factory.LazyFunction(lambda: last_school_day().weekday())
    number = 1


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    date = factory.LazyFunction(last_school_day)
    number = 1
    topic = "Ułamki"
    attendance_taken = True


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    lesson = factory.SubFactory(LessonFactory)
    status = Attendance.Status.PRESENT


class RemarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Remark

    kind = Remark.Kind.NEGATIVE
    text = "Rozmowy na lekcji."


class HomeworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Homework

    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=2))
    description = "Zadania 1–5 ze strony 42."
    created_by = factory.LazyAttribute(lambda o: o.assignment.teacher)


class PlannedTestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlannedTest

    date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=10))
    kind = PlannedTest.Kind.TEST
    scope = "Ułamki zwykłe"
    created_by = factory.LazyAttribute(lambda o: o.assignment.teacher)


class AnnouncementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Announcement

    audience = Announcement.Audience.SCHOOL
    title = "Dzień otwarty"
    body = "Zapraszamy."
