"""One error type for services (portal.errors): readable validation messages, and
database constraint errors mapped to the constraint's own message, on SQLite and
PostgreSQL alike (both are run by CI)."""

import datetime

import pytest

from django.db import IntegrityError

from cms.services import CmsError
from gradebook.register.services import RegisterError
from gradebook.services import GradebookError
from library.circulation.models import ClosedPeriod
from library.circulation.services import CirculationError
from portal.errors import ServiceError, constraint_errors, constraint_name, validate
from portal.services import PortalError


def test_every_app_refuses_with_the_one_type():
    for error in (PortalError, RegisterError, GradebookError, CirculationError, CmsError):
        assert issubclass(error, ServiceError)
        refusal = error("some_code", "Zdanie dla człowieka.")
        assert (refusal.code, refusal.message) == ("some_code", "Zdanie dla człowieka.")
    assert GradebookError("x", "y").cell_errors == {}
    assert CirculationError("limit_reached", "y").overridable


def test_a_check_constraint_reads_as_its_message(world):
    with pytest.raises(CirculationError) as refused, constraint_errors(error=CirculationError):
        ClosedPeriod.objects.create(
            school=world.a.school,
            name="Ferie",
            start=datetime.date(2027, 1, 29),
            end=datetime.date(2027, 1, 18),
        )
    assert refused.value.code == "conflict"
    assert refused.value.message == "Okres zamknięcia nie może kończyć się przed swoim początkiem."
    assert "circulation_closed_dates" not in refused.value.message
    assert not ClosedPeriod.objects.exists()  # and the outer transaction still works


def test_an_unknown_integrity_error_still_reads_as_a_sentence(db):
    with pytest.raises(ServiceError) as refused, constraint_errors():
        raise IntegrityError("something the database said")
    assert constraint_name(refused.value.__cause__) is None
    assert "nic nie zostało zmienione" in refused.value.message


def test_validation_names_the_field(world):
    period = ClosedPeriod(school=world.a.school, name="", start=datetime.date(2027, 1, 1))
    with pytest.raises(PortalError) as refused:
        validate(period, error=PortalError)
    assert refused.value.code == "invalid"
    assert "Nazwa:" in refused.value.message and "Ostatni dzień:" in refused.value.message
