"""Read-side queries of messages: inbox, sent, archive, search, a thread's
messages with read receipts, the unread counter and the recipient picker."""

from __future__ import annotations

from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from library.analysis import fold
from portal.models import Enrolment, GuardianLink, Role, RoleAssignment, School, User
from portal.permissions import user_roles

from .models import Delivery, Message, Participant, Thread
from .permissions import (
    Group,
    Target,
    _current_enrolments,
    all_targets,
    staff_school_ids,
)


def _unread_deliveries(user_id):
    return Delivery.objects.filter(
        recipient_id=user_id, read_at__isnull=True, message__retracted_at__isnull=True
    )


def unread_threads_subquery(user_id) -> Subquery:
    """The number of threads with an unread message for `user_id` (an int or an
    OuterRef), as an integer expression for `.annotate()` / `.values()`."""
    inner = (
        _unread_deliveries(user_id)
        .order_by()
        .annotate(
            n=Func(
                F("thread_id"),
                function="COUNT",
                template="%(function)s(DISTINCT %(expressions)s)",
                output_field=IntegerField(),
            )
        )
        .values("n")
    )
    return Coalesce(Subquery(inner, output_field=IntegerField()), Value(0))


def unread_thread_count(user) -> int:
    """The number of the user's threads with an unread message (one query)."""
    if not user.is_authenticated:
        return 0
    return _unread_deliveries(user.pk).values("thread_id").distinct().count()


def _thread_list(user):
    unread = (
        _unread_deliveries(user.pk).filter(thread_id=OuterRef("pk")).order_by().values("thread_id")
    )
    unread = unread.annotate(c=Count("pk")).values("c")
    return (
        Thread.objects.annotate(
            unread=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0))
        )
        .select_related("created_by", "school", "about_pupil")
        .annotate(has_unread=Exists(_unread_deliveries(user.pk).filter(thread_id=OuterRef("pk"))))
    )


def inbox(user, *, archived: bool = False):
    """Threads in which the user received a message (unread first), or the
    archived ones."""
    received = Delivery.objects.filter(
        recipient=user, thread_id=OuterRef("pk"), message__retracted_at__isnull=True
    )
    mine = Participant.objects.filter(user=user, archived=archived).values("thread_id")
    threads = _thread_list(user).filter(pk__in=mine)
    if not archived:
        threads = threads.filter(Exists(received))
    return threads.order_by("-has_unread", "-last_message_at", "-pk")


def sent(user):
    mine = Participant.objects.filter(user=user, has_sent=True).values("thread_id")
    return _thread_list(user).filter(pk__in=mine).order_by("-last_message_at", "-pk")


def visible_messages(user):
    """Messages the user sent or received."""
    return Message.objects.filter(
        Q(sender=user) | Q(pk__in=Delivery.objects.filter(recipient=user).values("message_id"))
    )


def search(user, query: str):
    """The user's threads with a message whose subject or text contains the
    query: case- and diacritic-insensitive ("zolw" finds "Żółw")."""
    folded = fold(query.strip())
    if not folded:
        return Thread.objects.none()
    hits = visible_messages(user).filter(search_text__contains=folded).values("thread_id")
    mine = Participant.objects.filter(user=user).values("thread_id")
    return _thread_list(user).filter(pk__in=hits).filter(pk__in=mine).order_by("-last_message_at")


def thread_for(user, pk: int) -> Thread | None:
    """The thread if the user takes part in it."""
    return (
        Thread.objects.filter(pk=pk, participants__user=user)
        .select_related("created_by", "school", "about_pupil")
        .annotate(archived=F("participants__archived"))
        .first()
    )


def thread_messages(thread: Thread, user) -> list[Message]:
    """The thread's messages the user sent or received, oldest first, with their
    attachments and (for the user's own messages) the read receipts; a fixed
    number of queries whatever the thread's size."""
    receipts = Delivery.objects.filter(message__sender_id=user.pk).select_related("recipient")
    messages = list(
        visible_messages(user)
        .filter(thread=thread)
        .select_related("sender")
        .prefetch_related(
            "attachments",
            Prefetch(
                "deliveries",
                queryset=receipts.order_by("recipient__last_name", "recipient__first_name"),
                to_attr="receipts",
            ),
        )
        .order_by("created_at", "pk")
    )
    for message in messages:
        mine = message.sender_id == user.pk
        message.is_mine = mine
        message.read_count = sum(1 for d in message.receipts if d.read_at) if mine else 0
        message.can_retract = mine and not message.is_retracted and message.read_count == 0
        message.can_report = not mine and not message.is_retracted
    return messages


# --- Recipient picker ---------------------------------------------------------------------


def _labels(people: list[User], school_id: int, viewer) -> dict[int, str]:
    """What each person is in the school: role names, their class (pupils), or
    whose guardian they are (with the child's class); a fixed number of queries.
    Whose guardian someone is shows only to the school's staff: a parent looking
    for a teacher does not learn the teacher's own children."""
    ids = [p.pk for p in people]
    labels: dict[int, list[str]] = {i: [] for i in ids}
    for user_id, role in (
        RoleAssignment.objects.filter(user_id__in=ids)
        .filter(Q(school_id=school_id) | Q(role=Role.OFFICER))
        .values_list("user_id", "role")
    ):
        labels[user_id].append(str(Role(role).label))
    enrolments = _current_enrolments().filter(school_class__school_year__school_id=school_id)
    for pupil_id, class_name in enrolments.filter(pupil_id__in=ids).values_list(
        "pupil_id", "school_class__name"
    ):
        labels[pupil_id].append(f"{_('pupil')}, {class_name}")
    roles = user_roles(viewer)
    if not (roles.is_superuser or school_id in roles.staff_school_ids):
        return {i: "; ".join(dict.fromkeys(v)) for i, v in labels.items()}
    children = GuardianLink.objects.filter(
        guardian_id__in=ids, pupil_id__in=enrolments.values("pupil_id")
    ).select_related("pupil")
    classes = dict(
        enrolments.filter(pupil_id__in=children.values("pupil_id")).values_list(
            "pupil_id", "school_class__name"
        )
    )
    for link in children:
        labels[link.guardian_id].append(
            _("guardian of %(name)s (%(class)s)")
            % {"name": link.pupil.first_name, "class": classes.get(link.pupil_id, "")}
        )
    return {i: "; ".join(dict.fromkeys(v)) for i, v in labels.items()}


def search_recipients(user, query: str, *, limit: int = 20) -> list[dict]:
    """People the user may write to whose name matches the query (each with the
    school and what they are in it). Only allowed recipients are offered."""
    words = query.split()
    if not words:
        return []
    results = []
    targets = all_targets(user)
    schools = School.objects.in_bulk(list(targets))
    for school_id in sorted(targets, key=lambda s: str(schools.get(s, ""))):
        condition = Q()
        for people in targets[school_id]:
            condition |= Q(pk__in=people.values("pk"))
        matches = User.objects.filter(condition).exclude(pk=user.pk)
        for word in words[:3]:
            matches = matches.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(username__iexact=word)
            )
        found = list(matches.order_by("last_name", "first_name")[:limit])
        labels = _labels(found, school_id, user)
        for person in found:
            target = Target(person.pk, school_id)
            results.append(
                {
                    "token": target.token,
                    "name": str(person),
                    "detail": labels.get(person.pk, ""),
                    "school": str(schools[school_id]),
                }
            )
    return results[:limit]


def group_choices(user) -> list[dict]:
    """Groups the user may write to at once (staff, officers)."""

    choices = []
    roles = user_roles(user)
    school_ids = sorted(staff_school_ids(user))
    schools = School.objects.in_bulk(school_ids)
    from portal.models import SchoolClass

    classes = (
        SchoolClass.objects.current()
        .filter(school_year__school_id__in=school_ids)
        .select_related("school_year__school")
        .order_by("school_year__school__name", "level", "name")
    )
    homeroom = roles.homeroom_class_ids
    taught = roles.taught_class_ids
    # a teacher sees the classes they teach or lead first, the rest of the school after
    ordered = sorted(classes, key=lambda c: (c.pk not in homeroom, c.pk not in taught))
    for school_class in ordered:
        school = school_class.school_year.school
        for kind, label in (
            ("class_guardians", _("Guardians of class %(name)s")),
            ("class_pupils", _("Pupils of class %(name)s")),
        ):
            choices.append(
                {
                    "token": Group(kind, school_class.pk).token,
                    "name": label % {"name": school_class.name},
                    "school": str(school),
                }
            )
    for school_id in school_ids:
        school = schools[school_id]
        choices.append(
            {
                "token": Group("school_guardians", school_id).token,
                "name": _("All guardians of the school"),
                "school": str(school),
            }
        )
        choices.append(
            {
                "token": Group("school_staff", school_id).token,
                "name": _("All staff of the school"),
                "school": str(school),
            }
        )
    if roles.is_officer:
        for school in School.objects.active().exclude(pk__in=school_ids):
            choices.append(
                {
                    "token": Group("school_staff", school.pk).token,
                    "name": _("All staff of the school"),
                    "school": str(school),
                }
            )
    return choices


def describe_token(user, token: str) -> dict | None:
    """The picker's entry of one chosen token (to show it again after a reload)."""
    from .permissions import parse_token

    parsed = parse_token(token)
    if isinstance(parsed, Target):
        person = User.objects.filter(pk=parsed.user_id).first()
        school = School.objects.filter(pk=parsed.school_id).first()
        if person is None or school is None:
            return None
        return {
            "token": token,
            "name": str(person),
            "detail": _labels([person], school.pk, user).get(person.pk, ""),
            "school": str(school),
        }
    if isinstance(parsed, Group):
        if parsed.kind == "guardians_of":
            pupil = User.objects.filter(pk=parsed.ref).first()
            enrolment = (
                Enrolment.objects.filter(pupil_id=parsed.ref)
                .select_related("school_class__school_year__school")
                .order_by("-start_date")
                .first()
            )
            if pupil is None or enrolment is None:
                return None

            return {
                "token": token,
                "name": _("Guardians of %(name)s") % {"name": str(pupil)},
                "detail": enrolment.school_class.name,
                "school": str(enrolment.school_class.school_year.school),
            }
        for choice in group_choices(user):
            if choice["token"] == token:
                return choice
    return None
