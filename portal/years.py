"""A finished school year is read-only: the one check every write service of
register data calls. Closing and reopening a year are the year end's services
(gradebook.yearend.rollover)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .errors import ServiceError
from .models import SchoolYear


def year_closed_error(school_year: SchoolYear, error=ServiceError) -> ServiceError:
    return error(
        "year_closed",
        _(
            "The school year %(name)s is finished and read-only; "
            "a school admin can reopen it to make changes."
        )
        % {"name": school_year.name},
    )


def ensure_year_open(school_year: SchoolYear | None, *, error=ServiceError) -> None:
    """Refuse (with the calling app's error type, code "year_closed") a change of
    register data of a finished school year. Reads the year as loaded: callers
    pass the year they already have (`assignment.school_class.school_year`)."""
    if school_year is not None and school_year.closed_at is not None:
        raise year_closed_error(school_year, error)
