"""History rows in words (portal.changes): names, labels and dates, not codes."""

from gradebook.register.models import Attendance, Lesson
from portal.changes import change_rows, describe
from portal.models import User


def test_choices_dates_and_masked_fields_read_as_words():
    rows = change_rows(Attendance, {"status": "n"}, {"status": "u"})
    assert rows == [("stan", "nieobecny nieusprawiedliwiony", "nieobecny usprawiedliwiony")]
    rows = change_rows(
        Lesson, {"date": "2026-12-01", "topic": "A"}, {"date": "2026-12-03", "topic": "A"}
    )
    assert rows == [("data", "01.12.2026", "03.12.2026")]  # unchanged topic left out
    assert change_rows(User, {"pesel": "1"}, {"pesel": "2"})[0][1:] == ("•••", "•••")
    assert change_rows(None, "raw", None) == [("", "raw", "—")]


def test_describe_names_related_objects_in_one_query(world, django_assert_num_queries):
    class Entry:
        def __init__(self, before, after):
            self.before, self.after = before, after

    entries = [
        Entry(None, {"substitute_teacher": u.pk}) for u in (world.a.teacher, world.b.teacher)
    ]
    with django_assert_num_queries(1):
        describe(entries, model_of=lambda e: Lesson)
    assert entries[0].changes[0][2] == str(world.a.teacher)
    assert entries[1].changes[0][2] == str(world.b.teacher)
