"""Reads of the intranet: lists for each person, the office's status pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from portal.models import School

from .models import Circular, CircularRecipient, DataRequest, RequestAnswer
from .permissions import can_send, circulars_visible_to, head_school_ids, requests_visible_to


def circular_list(user):
    """The circulars a user sees, newest first; for recipients with `unread`,
    for the office with read and recipient counts."""
    qs = circulars_visible_to(user).select_related("author").order_by("-sent_at", "-pk")
    if can_send(user):
        return qs.annotate(
            recipient_count=Count("recipients", distinct=True),
            read_count=Count(
                "recipients", filter=Q(recipients__read_at__isnull=False), distinct=True
            ),
        )
    unread = CircularRecipient.objects.filter(
        circular=OuterRef("pk"), person=user, read_at__isnull=True
    )
    return qs.annotate(unread=Exists(unread))


def unread_circular_count(user) -> int:
    return CircularRecipient.objects.filter(person=user, read_at__isnull=True).count()


@dataclass
class SchoolReceipts:
    school: School
    recipients: list[CircularRecipient]

    @property
    def read(self) -> int:
        return sum(1 for r in self.recipients if r.read_at)


def circular_receipts(circular: Circular) -> list[SchoolReceipts]:
    """Per chosen school, who was told and when each read it (two queries)."""
    rows = list(
        circular.recipients.select_related("person").order_by(
            "person__last_name", "person__first_name"
        )
    )
    by_school: dict[int, list] = {}
    for row in rows:
        by_school.setdefault(row.school_id, []).append(row)
    return [
        SchoolReceipts(school, by_school.get(school.pk, []))
        for school in circular.schools.order_by("name")
    ]


def request_list(user):
    """The requests a user sees, newest first, with answer counts."""
    return (
        requests_visible_to(user)
        .select_related("author")
        .annotate(
            school_count=Count("schools", distinct=True),
            answer_count=Count("answers", distinct=True),
        )
        .order_by("-sent_at", "-pk")
    )


@dataclass
class SchoolStatus:
    school: School
    answer: RequestAnswer | None
    overdue: bool

    @property
    def status(self) -> str:
        if self.answer is None:
            return "overdue" if self.overdue else "missing"
        return "late" if self.answer.late else "answered"


def request_status(data_request: DataRequest, day=None) -> list[SchoolStatus]:
    """Per chosen school: its answer (when, by whom; late or not), or none
    (overdue after the deadline). Two queries whatever the number of schools."""
    overdue = data_request.is_past_deadline(day or timezone.localdate())
    answers = {
        a.school_id: a
        for a in RequestAnswer.objects.filter(request=data_request).select_related("answered_by")
    }
    return [
        SchoolStatus(school, answers.get(school.pk), overdue)
        for school in data_request.schools.order_by("name")
    ]


def open_requests_for_heads(user):
    """Open requests to the user's schools (as head), soonest deadline first,
    each with the user's schools and their answers prefetched."""
    school_ids = head_school_ids(user)
    return (
        DataRequest.objects.open()
        .for_schools(school_ids)
        .order_by("deadline", "pk")
        .prefetch_related(
            Prefetch(
                "schools", queryset=School.objects.filter(pk__in=school_ids), to_attr="my_schools"
            ),
            Prefetch(
                "answers",
                queryset=RequestAnswer.objects.filter(school_id__in=school_ids),
                to_attr="my_answers",
            ),
        )
    )


def open_requests_status():
    """The office's open requests with how many schools answered."""
    return (
        DataRequest.objects.open()
        .order_by("deadline", "pk")
        .annotate(
            school_count=Count("schools", distinct=True),
            answer_count=Count("answers", distinct=True),
        )
    )
