"""The school year and class a pupil page shows: the current one by default, an
earlier one (finished, read-only) chosen with `?klasa=<enrolment>`. Families keep
their past years after the rollover; the grades, attendance and remarks pages all
offer the same choice (template `portal/_class_years.html`).

Only the enrolments whose period the viewer may see are offered or accepted
(`visible_enrolments`): a guardian their children's, a pupil their own, a school
admin their school's (after a transfer, never the other school's), a teacher the
current ones of their classes. Any other id, of another pupil or school, is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import Http404, QueryDict

from .inputs import id_param
from .models import Enrolment
from .permissions import shown_enrolment, visible_enrolments

# The query parameter naming the chosen enrolment.
YEAR_PARAM = "klasa"


def class_years(enrolments) -> list[Enrolment]:
    """One enrolment per class (the latest), newest first: the choice of the
    school year and class whose data a pupil page shows."""
    seen, years = set(), []
    for enrolment in enrolments:
        if enrolment.school_class_id not in seen:
            seen.add(enrolment.school_class_id)
            years.append(enrolment)
    return years


@dataclass(frozen=True)
class ClassYearChoice:
    """The enrolment shown (None when the viewer may see none), the years to
    choose from (empty when there is only one) and whether the address chose it."""

    enrolment: Enrolment | None
    years: list[Enrolment] = field(default_factory=list)
    chosen: bool = False

    @property
    def chosen_id(self) -> int | None:
        """The enrolment id to carry in links (None for the default year)."""
        return self.enrolment.pk if self.chosen and self.enrolment else None


def class_year_choice(user, pupil, params: QueryDict) -> ClassYearChoice:
    """The enrolment of `pupil` that `user` sees on a pupil page: the one named by
    `params["klasa"]` if it is among the visible ones (else 404), by default the
    current one (`shown_enrolment`). One query whatever the number of years."""
    visible = list(visible_enrolments(user, pupil))
    years = class_years(visible)
    chosen = id_param(params, YEAR_PARAM)
    if chosen is None:
        enrolment = shown_enrolment(user, pupil, visible=visible)
    else:
        enrolment = next((e for e in years if e.pk == chosen), None)
        if enrolment is None:
            raise Http404
    return ClassYearChoice(
        enrolment=enrolment, years=years if len(years) > 1 else [], chosen=chosen is not None
    )
