"""Read statements built through the ORM once per process, run with each call's values.

Building a queryset's SQL costs more than running it on the hot pages: profiling the
parent's week view (issue 20) put about a third of the request's Python in the ORM
compiling its statements, which differ between requests only in their values. A
`Statement` is written as a function of its values returning a `values_list()`
queryset; the first call for a database connection and a shape (how many ids each
list holds) builds it with stand-in values, finds where they sit among the compiled
parameters and keeps the SQL; later calls put their own values in those places and
run it on the cursor, with the ORM's own converters on the rows (dates on SQLite,
aware datetimes), so the rows are what the queryset would give.

Values: ints, dates and lists of ints. The build function must use them only as
lookup values (no arithmetic on them: pass `monday + 4 days` as a value of its own).
An empty list builds and runs the queryset as written (the ORM knows it matches
nothing without asking the database). The same pattern as the header's counters
(`portal/header.py`)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import connections, router
from django.db.models import QuerySet

#: Stand-ins: ints no row has, and dates before anything a school records.
_INT_BASE = -7_000_100_000
_DATE_BASE = datetime.date(1, 1, 1)
#: The attribute of a database connection that keeps its compiled statements.
_KEPT = "_portal_statements"
#: At most this many compiled shapes per connection, the oldest dropped first: a
#: shape is a statement and its lists' lengths (the grade sheet's are columns ×
#: pupils), and a pooled connection lives for many requests.
MAX_KEPT = 512


class Statement:
    """`build(*values)` -> a `values_list()` queryset of `model`; `rows(*values)` ->
    its rows as a list of tuples, compiled once per connection and shape."""

    def __init__(self, model, build: Callable[..., QuerySet]):
        self.model = model
        self.build = build

    def rows(self, *values) -> list[tuple]:
        if any(_is_list(v) and not v for v in values):
            return [tuple(row) for row in self.build(*values)]
        connection = connections[router.db_for_read(self.model)]
        # Kept on the connection object (one per thread and database), because the
        # compiler's converters belong to the connection that made them; a thread's
        # connection, and what was compiled for it, goes when the thread does (a
        # process-wide dict keyed by connections would keep every thread's alive).
        kept = connection.__dict__.setdefault(_KEPT, {})
        key = (self, tuple(len(v) if _is_list(v) else None for v in values))
        compiled = kept.get(key)
        if compiled is None:
            if len(kept) >= MAX_KEPT:
                del kept[next(iter(kept))]
            compiled = kept[key] = self._compile(connection, values)
        compiler, converters, sql, params, slots = compiled
        ops = connection.ops
        params = list(params)
        flat = _flatten(values)
        for slot, value in zip(slots, flat, strict=True):
            params[slot] = _adapt(ops, value)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        if not converters:
            return fetched
        return [tuple(row) for row in compiler.apply_converters(fetched, converters)]

    def _compile(self, connection, values):
        stand_ins, flat = _stand_ins(values)
        queryset = self.build(*stand_ins)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        slots = []
        for stand_in in flat:
            adapted = _adapt(connection.ops, stand_in)
            places = [i for i, p in enumerate(params) if p == adapted]
            if len(places) != 1:
                raise ValueError(
                    f"{self.build.__qualname__}: a value stands {len(places)} times in the SQL;"
                    " pass it once per use"
                )
            slots.append(places[0])
        converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
        return compiler, converters, sql, tuple(params), tuple(slots)


def _is_list(value) -> bool:
    return isinstance(value, list | tuple | set | frozenset)


def _flatten(values) -> list:
    return [x for v in values for x in (v if _is_list(v) else (v,))]


def _adapt(ops, value):
    if isinstance(value, datetime.date):
        return ops.adapt_datefield_value(value)
    return value


def _stand_ins(values) -> tuple[list, list]:
    """Stand-ins of the same kinds and shape as `values`, and the flat list of them."""
    count = 0

    def one(value):
        nonlocal count
        count += 1
        if isinstance(value, datetime.datetime):
            raise TypeError("datetimes are not supported by Statement")
        if isinstance(value, datetime.date):
            return _DATE_BASE + datetime.timedelta(days=count)
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"Statement takes ints, dates and lists of ints, not {value!r}")
        return _INT_BASE - count

    stand_ins = [[one(v) for v in value] if _is_list(value) else one(value) for value in values]
    return stand_ins, _flatten(stand_ins)
