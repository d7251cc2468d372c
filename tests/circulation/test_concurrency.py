"""Two librarians scan the same copy at the same moment (PostgreSQL only).

Three runs of the same race, with two threads that meet at a barrier right
after reading the copy inside `loan_checkout`:

1. with row locks (production): the second desk waits for the first, then
   sees the copy on loan → `already_on_loan`;
2. with row locks switched off: both desks read "available"; only the partial
   unique index on open loans catches the second → `concurrent_checkout`;
3. with row locks off *and* the index dropped: the copy ends up on two open
   loans — the race is real, so both defences are needed.
"""

import contextlib
import threading

import pytest

from django.db import connection

from library.circulation import services
from library.circulation.models import Loan
from tests.factories.circulation import card

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent transactions need PostgreSQL")


@pytest.fixture
def race(monkeypatch):
    def run(world, copy, *, locks: bool):
        if not locks:  # what the partial unique index alone still catches
            monkeypatch.setattr(services, "_locked", lambda qs: qs)
        barrier = threading.Barrier(2, timeout=2)
        read_copy = services._copy_at

        def read_then_meet(school, barcode, lock):
            copy = read_copy(school, barcode, lock)
            # Broken when the other desk is blocked on the row lock: go on.
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait()
            return copy

        monkeypatch.setattr(services, "_copy_at", read_then_meet)
        readers = [card(world.a.pupil), card(world.a.teacher)]
        outcomes = []

        def desk(card_number):
            try:
                services.loan_checkout(
                    user=world.a.librarian,
                    school=world.a.school,
                    card_number=card_number,
                    barcode=copy.barcode,
                )
                outcomes.append("ok")
            except services.CirculationError as error:
                outcomes.append(error.code)
            finally:
                connection.close()

        threads = [threading.Thread(target=desk, args=(c,)) for c in readers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        return sorted(outcomes)

    return run


def test_row_lock_serialises_two_desks(world, library, race):
    assert race(world, library["copy"], locks=True) == ["already_on_loan", "ok"]
    assert Loan.objects.open().filter(copy=library["copy"]).count() == 1


def test_without_locks_only_the_constraint_saves_us(world, library, race):
    assert race(world, library["copy"], locks=False) == ["concurrent_checkout", "ok"]
    assert Loan.objects.open().filter(copy=library["copy"]).count() == 1


def test_without_locks_and_constraint_the_copy_is_lent_twice(world, library, race):
    constraint = next(
        c for c in Loan._meta.constraints if c.name == "circulation_one_open_loan_per_copy"
    )
    with connection.schema_editor() as editor:
        editor.remove_constraint(Loan, constraint)
    try:
        assert race(world, library["copy"], locks=False) == ["ok", "ok"]
        assert Loan.objects.open().filter(copy=library["copy"]).count() == 2
    finally:
        Loan.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.add_constraint(Loan, constraint)
