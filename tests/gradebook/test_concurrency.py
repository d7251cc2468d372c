"""Two teachers saving the same cell at the same moment: one wins, the other is
told; nothing is silently overwritten. Needs real row locks (PostgreSQL)."""

import threading

import pytest

from django.db import connection

from gradebook import services
from gradebook.models import Grade, GradeHistory
from gradebook.selectors import current_term, sheet_day
from tests.conftest import build_school_world
from tests.factories.gradebook import AssessmentFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_of_one_cell():
    side = build_school_world("c")
    term = current_term(side.year)
    assessment = AssessmentFactory(assignment=side.assignment)
    barrier = threading.Barrier(2)
    outcomes = []

    def save(symbol):
        try:
            barrier.wait()
            services.sheet_save(
                assignment=side.assignment,
                user=side.teacher,
                cells=[services.CellInput(assessment.pk, side.pupil.pk, symbol, "")],
                day=sheet_day(term),
            )
            outcomes.append(("ok", symbol))
        except services.GradebookError as exc:
            outcomes.append((exc.code, symbol))
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(s,)) for s in ("3", "5")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(code for code, _symbol in outcomes)
    assert codes == ["invalid_cells", "ok"]
    winner = next(symbol for code, symbol in outcomes if code == "ok")
    assert Grade.objects.get().symbol == winner
    assert GradeHistory.objects.count() == 1
