"""Who may do what in the gmina's intranet, as named `rules` predicates.

- The municipal education officer (role `officer`; superusers too) sends
  circulars and requests, closes requests, posts on the noticeboard, and sees
  every answer and read receipt.
- A school's headteachers and school admins ("heads") receive circulars sent to
  them and answer their own school's requests; never another school's.
- The noticeboard is for staff only: any school staff role and the municipal
  roles; never guardians, pupils or anonymous visitors.

Views answer 404 for objects the user may not see."""

from __future__ import annotations

import rules

from django.db.models import Q

from portal.models import Role
from portal.permissions import is_officer, user_roles

from .models import Attachment, Circular, DataRequest, Post, RequestAnswer

HEAD_ROLES = (Role.HEADTEACHER, Role.SCHOOL_ADMIN)


def head_school_ids(user) -> frozenset[int]:
    """Schools where the user is headteacher or school admin."""
    roles = user_roles(user)
    return frozenset(s for r, s in roles.grants if s is not None and r in HEAD_ROLES)


@rules.predicate
def can_send(user) -> bool:
    """Only the education office sends circulars and requests and posts news."""
    return is_officer(user)


@rules.predicate
def is_school_head(user) -> bool:
    return bool(head_school_ids(user))


@rules.predicate
def is_intranet_staff(user) -> bool:
    """Readers of the noticeboard: every staff role of the portal (school and
    municipal); guardians, pupils and editors are not staff."""
    return user.is_authenticated and user_roles(user).is_staff_member


@rules.predicate
def can_use_intranet(user) -> bool:
    return is_intranet_staff(user) or can_send(user)


def circulars_visible_to(user):
    if not user.is_authenticated:
        return Circular.objects.none()
    if can_send(user):
        return Circular.objects.all()
    return Circular.objects.received_by(user)


@rules.predicate
def can_view_circular(user, circular) -> bool:
    return circular is not None and circulars_visible_to(user).filter(pk=circular.pk).exists()


def requests_visible_to(user):
    if not user.is_authenticated:
        return DataRequest.objects.none()
    if can_send(user):
        return DataRequest.objects.all()
    return DataRequest.objects.for_schools(head_school_ids(user))


@rules.predicate
def can_manage_request(user, data_request) -> bool:
    """Close a request, see every school's status, download all answers."""
    return data_request is not None and can_send(user)


def can_answer_for(user, data_request, school_id: int | None = None) -> bool:
    """A head of `school_id` answers a request sent to that school (a plain
    function: rules predicates take at most the user and one object)."""
    if data_request is None or school_id is None:
        return False
    if school_id not in head_school_ids(user):
        return False
    return data_request.schools.filter(pk=school_id).exists()


def answers_visible_to(user):
    if not user.is_authenticated:
        return RequestAnswer.objects.none()
    if can_send(user):
        return RequestAnswer.objects.all()
    return RequestAnswer.objects.filter(school_id__in=head_school_ids(user))


@rules.predicate
def can_view_answer(user, answer) -> bool:
    return answer is not None and answers_visible_to(user).filter(pk=answer.pk).exists()


def posts_visible_to(user):
    """The noticeboard: staff see current posts; the office sees expired ones too."""
    if can_send(user):
        return Post.objects.all()
    if not is_intranet_staff(user):
        return Post.objects.none()
    return Post.objects.current()


@rules.predicate
def can_view_post(user, post) -> bool:
    return post is not None and posts_visible_to(user).filter(pk=post.pk).exists()


def attachments_visible_to(user):
    return Attachment.objects.filter(
        Q(circular__in=circulars_visible_to(user).values("pk"))
        | Q(post__in=posts_visible_to(user).values("pk"))
    )


@rules.predicate
def can_view_attachment(user, attachment) -> bool:
    return attachment is not None and attachments_visible_to(user).filter(pk=attachment.pk).exists()


rules.add_perm("intranet.send", can_send)
rules.add_perm("intranet.use", can_use_intranet)
rules.add_perm("intranet.view_circular", can_view_circular)
rules.add_perm("intranet.manage_request", can_manage_request)
rules.add_perm("intranet.view_answer", can_view_answer)
rules.add_perm("intranet.view_post", can_view_post)
rules.add_perm("intranet.view_attachment", can_view_attachment)

__all__ = [
    "HEAD_ROLES",
    "answers_visible_to",
    "attachments_visible_to",
    "can_answer_for",
    "can_manage_request",
    "can_send",
    "can_use_intranet",
    "can_view_answer",
    "can_view_attachment",
    "can_view_circular",
    "can_view_post",
    "circulars_visible_to",
    "head_school_ids",
    "is_intranet_staff",
    "is_school_head",
    "posts_visible_to",
    "requests_visible_to",
]
