"""Background work of the intranet (django_tasks; immediate backend in tests):
telling people about a new circular, request or noticeboard post. Idempotent:
`notify` keeps one notification per event key and recipient."""

from __future__ import annotations

from django_tasks import task

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from notifications.services import notify
from portal.models import STAFF_ROLES, RoleAssignment

KIND = "intranet"


@task()
def notify_circular(circular_id: int) -> dict:
    """Tell each recipient kept with the circular."""
    from .models import Circular

    circular = Circular.objects.filter(pk=circular_id).first()
    if circular is None:
        return {"notified": 0}
    recipients = list(circular.recipients.values_list("person_id", flat=True))
    with override(settings.LANGUAGE_CODE):
        made = notify(
            recipients=recipients,
            kind=KIND,
            title=_("Circular: %(subject)s") % {"subject": circular.subject},
            key=f"intranet:circular:{circular.pk}",
            url=reverse("intranet:circular", args=[circular.pk]),
        )
    return {"notified": len(made)}


@task()
def notify_request(request_id: int) -> dict:
    """Tell the headteachers and school admins of the chosen schools."""
    from .models import DataRequest
    from .services import head_recipients

    data_request = DataRequest.objects.filter(pk=request_id).first()
    if data_request is None:
        return {"notified": 0}
    school_ids = list(data_request.schools.values_list("pk", flat=True))
    recipients = list(head_recipients(school_ids))
    with override(settings.LANGUAGE_CODE):
        made = notify(
            recipients=recipients,
            kind=KIND,
            title=_("Request: %(title)s") % {"title": data_request.title},
            key=f"intranet:request:{data_request.pk}",
            url=reverse("intranet:request", args=[data_request.pk]),
        )
    return {"notified": len(made)}


@task()
def notify_post(post_id: int) -> dict:
    """Tell every active member of staff of the gmina."""
    from .models import Post

    post = Post.objects.filter(pk=post_id).first()
    if post is None:
        return {"notified": 0}
    recipients = list(
        RoleAssignment.objects.filter(role__in=STAFF_ROLES, user__is_active=True)
        .exclude(user_id=post.author_id)
        .values_list("user_id", flat=True)
        .distinct()
    )
    with override(settings.LANGUAGE_CODE):
        made = notify(
            recipients=recipients,
            kind=KIND,
            title=_("Noticeboard: %(title)s") % {"title": post.title},
            key=f"intranet:post:{post.pk}",
            url=reverse("intranet:post", args=[post.pk]),
        )
    return {"notified": len(made)}
