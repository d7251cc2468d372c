"""Timetable double-booking: a class in two lessons at once is refused; a teacher
or a room booked twice is saved with a warning. Groups of one class may overlap."""

import datetime

from django.urls import reverse

from gradebook.register.models import TimetableEntry
from tests.factories import SubjectFactory, TeachingAssignmentFactory, TeachingGroupFactory
from tests.factories.register import TimetableEntryFactory


def post_slot(client, a, assignment, **extra):
    data = {"assignment": assignment.pk, "weekday": 1, "number": 3, **extra}
    return client.post(reverse("register:timetable", args=[a.class_a.pk]), data, follow=True)


def test_a_double_booked_class_is_refused_and_nothing_is_saved(world, login):
    a = world.a
    TimetableEntryFactory(assignment=a.assignment, weekday=1, number=3)
    other = TeachingAssignmentFactory(
        school_class=a.class_a, subject=SubjectFactory(school=a.school, name="Fizyka")
    )
    page = post_slot(login(a.admin), a, other)
    assert "Klasa ma już o tej porze Matematyka w 4a" in page.text
    assert not other.timetable_entries.exists()


def test_slots_in_different_terms_do_not_clash(world, login):
    a = world.a
    TimetableEntryFactory(
        assignment=a.assignment,
        weekday=1,
        number=3,
        valid_until=datetime.date(2026, 1, 31),
    )
    other = TeachingAssignmentFactory(school_class=a.class_a)
    post_slot(login(a.admin), a, other, valid_from="2026-02-01")
    assert other.timetable_entries.count() == 1


def test_two_groups_of_a_class_may_have_lessons_at_once(world, login):
    a = world.a
    first, second = (TeachingGroupFactory(school_class=a.class_a) for _ in range(2))
    english = TeachingAssignmentFactory(school_class=a.class_a, group=first)
    german = TeachingAssignmentFactory(school_class=a.class_a, group=second)
    TimetableEntryFactory(assignment=english, weekday=1, number=3)
    post_slot(login(a.admin), a, german)
    assert german.timetable_entries.count() == 1
    # …but the whole class cannot have a lesson while a group has one
    post_slot(login(a.admin), a, a.assignment)
    assert not a.assignment.timetable_entries.exists()


def test_a_teacher_or_room_booked_twice_is_saved_with_a_warning(world, login):
    a = world.a
    other_class = TeachingAssignmentFactory(school_class=a.class_b, teacher=a.teacher)
    TimetableEntryFactory(assignment=other_class, weekday=1, number=3, room="12")
    newcomer = TeachingAssignmentFactory(school_class=a.class_a)
    page = post_slot(login(a.admin), a, a.assignment)
    assert f"{a.teacher} uczy już o tej porze" in page.text
    assert a.assignment.timetable_entries.count() == 1
    TimetableEntry.objects.filter(assignment=a.assignment).delete()
    page = post_slot(login(a.admin), a, newcomer, room="12")
    assert "Sala 12 jest już zajęta o tej porze" in page.text
    assert newcomer.timetable_entries.count() == 1
