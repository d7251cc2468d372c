"""portal.statements: a values_list() compiled once per connection and shape gives
the rows the queryset gives, for any values, on both databases."""

import datetime

import pytest

from django.db import connection, connections
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from portal.models import Enrolment
from portal.statements import Statement
from tests.factories import EnrolmentFactory, SchoolClassFactory, UserFactory

pytestmark = pytest.mark.django_db


def _enrolments(class_id, pupil_ids, since, until):
    return (
        Enrolment.objects.filter(
            school_class_id=class_id,
            pupil_id__in=pupil_ids,
            start_date__gte=since,
            start_date__lte=until,
        )
        .order_by("pk")
        .values_list("pk", "pupil_id", "start_date", "pupil__username")
    )


@pytest.fixture
def enrolments():
    school_class = SchoolClassFactory()
    start = school_class.school_year.start
    rows = [
        EnrolmentFactory(
            school_class=school_class,
            pupil=UserFactory(username=f"u{n}"),
            start_date=start + datetime.timedelta(days=n),
        )
        for n in range(6)
    ]
    return school_class, start, rows


def test_rows_equal_the_querysets_for_any_values(enrolments):
    school_class, start, rows = enrolments
    statement = Statement(Enrolment, _enrolments)
    pupils = [e.pupil_id for e in rows]
    cases = [
        (school_class.pk, pupils, start, start + datetime.timedelta(days=3)),
        (school_class.pk, pupils[:2], start, start + datetime.timedelta(days=10)),
        (
            school_class.pk,
            pupils[3:5],
            start + datetime.timedelta(days=4),
            start.replace(year=9999),
        ),
        (school_class.pk, pupils, start + datetime.timedelta(days=1), start),  # none
        (school_class.pk + 1000, pupils, start, start.replace(year=9999)),  # other class
        (school_class.pk, pupils[:1], start, start),
    ]
    for values in cases * 2:  # the second round runs the kept SQL
        got = statement.rows(*values)
        assert got == list(_enrolments(*values)), values
    # dates come back as dates on both databases, with the ORM's converters
    first = statement.rows(school_class.pk, pupils, start, start)[0]
    assert first == (rows[0].pk, rows[0].pupil_id, start, "u0")
    assert isinstance(first[2], datetime.date)


def test_compiled_once_per_shape(enrolments, monkeypatch):
    school_class, start, rows = enrolments
    statement = Statement(Enrolment, _enrolments)
    compiled = []
    as_sql = SQLCompiler.as_sql
    monkeypatch.setattr(
        SQLCompiler, "as_sql", lambda self, *a, **k: compiled.append(1) or as_sql(self, *a, **k)
    )
    pupils = [e.pupil_id for e in rows]
    for n in range(1, 4):
        for _ in range(3):
            statement.rows(school_class.pk, pupils[:n], start, start.replace(year=9999))
    # once per list length (the pupils' subquery-free statement compiles once each)
    assert len(compiled) == 3
    with CaptureQueriesContext(connection) as queries:
        assert statement.rows(school_class.pk, pupils[:2], start, start) == [
            (rows[0].pk, rows[0].pupil_id, start, "u0")
        ]
    assert len(queries) == 1 and len(compiled) == 3


def test_a_connection_keeps_at_most_max_kept_shapes(enrolments, monkeypatch):
    """The oldest compiled shape goes first; what is dropped compiles again and
    still gives the queryset's rows."""
    import portal.statements

    school_class, start, rows = enrolments
    monkeypatch.setattr(portal.statements, "MAX_KEPT", 2)
    real = connections["default"]  # `connection` is a proxy of it
    real.__dict__.pop("_portal_statements", None)
    statement = Statement(Enrolment, _enrolments)
    pupils = [e.pupil_id for e in rows]
    until = start.replace(year=9999)
    for n in (1, 2, 3, 1):
        values = (school_class.pk, pupils[:n], start, until)
        assert statement.rows(*values) == list(_enrolments(*values))
    kept = real.__dict__["_portal_statements"]
    assert [shape for _statement, shape in kept] == [(None, 3, None, None), (None, 1, None, None)]


def test_an_empty_list_asks_nothing(enrolments):
    school_class, start, _rows = enrolments
    statement = Statement(Enrolment, _enrolments)
    with CaptureQueriesContext(connection) as queries:
        assert statement.rows(school_class.pk, [], start, start) == []
    assert len(queries) == 0


def test_refuses_what_it_cannot_place(enrolments):
    school_class, start, rows = enrolments
    twice = Statement(
        Enrolment,
        lambda pk: Enrolment.objects.filter(pk=pk, pupil_id=pk).values_list("pk"),
    )
    with pytest.raises(ValueError, match="stands 2 times"):
        twice.rows(rows[0].pk)
    with pytest.raises(TypeError, match="datetimes"):
        Statement(Enrolment, _enrolments).rows(
            school_class.pk, [1], datetime.datetime(2026, 1, 1), start
        )


def test_a_finished_threads_connection_is_not_kept_alive():
    """The compiled statements live on the connection they were compiled for: when
    a thread (runserver's, a test server's) ends, its connection can go."""
    import gc
    import threading
    import weakref

    from django.db import connections

    from portal.models import Subject

    # a table this test writes nothing to: SQLite's shared in-memory test database
    # locks written tables against other threads
    statement = Statement(Subject, lambda pk: Subject.objects.filter(pk=pk).values_list("pk"))
    seen = []

    def request():
        assert statement.rows(1) == []
        seen.append(weakref.ref(connections["default"]))
        connections.close_all()

    thread = threading.Thread(target=request)
    thread.start()
    thread.join()
    gc.collect()
    assert seen and seen[0]() is None
    # this thread's own connection keeps what it compiled
    statement.rows(1)
    kept = connections["default"].__dict__["_portal_statements"]
    assert any(key[0] is statement for key in kept)
