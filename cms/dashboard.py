"""The editors' dashboard panel: what waits for their moderation, what they
submitted, and what they edited last."""

from django.urls import reverse

from wagtail.models import GroupApprovalTask, Page, Revision, TaskState, WorkflowState

from portal.statements import Statement

from .models import EditorialGroup

PANEL_SIZE = 6


# compiled once per process (portal.statements): every signed-in dashboard asks it
_EDITORIAL_GROUPS = Statement(
    EditorialGroup,
    lambda user_id: EditorialGroup.objects.filter(group__user__id=user_id).values_list("group_id"),
)


def editorial_group_ids(user) -> list[int]:
    return [group_id for (group_id,) in _EDITORIAL_GROUPS.rows(user.pk)]


def _with_pages(rows, object_id):
    ids = [int(object_id(row)) for row in rows]
    pages = Page.objects.in_bulk(ids)
    result = []
    for row in rows:
        page = pages.get(int(object_id(row)))
        if page is not None:
            result.append(
                {
                    "row": row,
                    "page": page,
                    "edit_url": reverse("wagtailadmin_pages:edit", args=[page.pk]),
                }
            )
    return result


def editor_panel(request):
    user = request.user
    if not user.is_authenticated:
        return None
    groups = editorial_group_ids(user)
    if not groups:
        return None
    to_review = list(
        TaskState.objects.filter(
            status=TaskState.STATUS_IN_PROGRESS,
            task__in=GroupApprovalTask.objects.filter(groups__in=groups),
        )
        .exclude(workflow_state__requested_by=user)
        .select_related("workflow_state")
        .distinct()
        .order_by("-started_at")[:PANEL_SIZE]
    )
    submitted = list(
        WorkflowState.objects.active()
        .filter(requested_by=user)
        .order_by("-created_at")[:PANEL_SIZE]
    )
    revisions = list(
        Revision.page_revisions.filter(user=user).order_by("-created_at")[: PANEL_SIZE * 3]
    )
    seen, recent = set(), []
    for revision in revisions:
        if revision.object_id not in seen:
            seen.add(revision.object_id)
            recent.append(revision)
    return {
        "to_review": _with_pages(to_review, lambda s: s.workflow_state.object_id),
        "submitted": _with_pages(submitted, lambda s: s.object_id),
        "recent": _with_pages(recent[:PANEL_SIZE], lambda r: r.object_id),
        "admin_url": reverse("wagtailadmin_home"),
    }
