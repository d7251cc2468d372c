"""Dashboard panels: readers and guardians see loans due soon and overdue;
librarians today's desk figures."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from portal.family import family_of
from portal.statements import Statement

from .models import Loan
from .permissions import desk_schools, is_any_librarian
from .selectors import desk_figures

# The readers' open loans: how many, overdue, due within three days (compiled once
# per process: portal.statements; `today` twice, a value stands once in the SQL).
_OPEN_LOANS = Statement(
    Loan,
    lambda reader_ids, overdue_before, soon_from, soon_until: (
        Loan.objects.open()
        .filter(reader_id__in=reader_ids)
        .values("reader")
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(due_on__lt=overdue_before)),
            soon=Count("pk", filter=Q(due_on__gte=soon_from, due_on__lte=soon_until)),
        )
        .values_list("reader", "open", "overdue", "soon")
    ),
)


def reader_panel(request):
    user = request.user
    if not user.is_authenticated:
        return None
    today = timezone.localdate()
    # The readers whose loans the user sees (viewable_readers): themself and their
    # children, the children as the page's family has them already.
    readers = [user, *(m for m in family_of(request).members if m.pk != user.pk)]
    counts = {
        reader: {"reader": reader, "open": open_, "overdue": overdue, "soon": soon}
        for reader, open_, overdue, soon in _OPEN_LOANS.rows(
            [r.pk for r in readers], today, today, today + datetime.timedelta(days=3)
        )
    }
    rows = [dict(counts[r.pk], reader=r) for r in readers if r.pk in counts]
    if not rows:
        return None
    return {"rows": rows}


def desk_panel(request):
    if not is_any_librarian(request.user):
        return None
    rows = [{"school": s, "figures": desk_figures(s)} for s in desk_schools(request.user)[:5]]
    return {"rows": rows}
