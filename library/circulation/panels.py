"""Dashboard panels: readers and guardians see loans due soon and overdue;
librarians today's desk figures."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from portal.family import family_of

from .models import Loan
from .permissions import desk_schools, is_any_librarian
from .selectors import desk_figures


def reader_panel(request):
    user = request.user
    if not user.is_authenticated:
        return None
    today = timezone.localdate()
    # The readers whose loans the user sees (viewable_readers): themself and their
    # children, the children as the page's family has them already.
    readers = [user, *(m for m in family_of(request).members if m.pk != user.pk)]
    counts = {
        row["reader"]: row
        for row in Loan.objects.open()
        .filter(reader_id__in=[r.pk for r in readers])
        .values("reader")
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(due_on__lt=today)),
            soon=Count(
                "pk",
                filter=Q(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=3)),
            ),
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
