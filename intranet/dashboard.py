"""The intranet's navigation item and dashboard panels."""

from django.utils.translation import gettext_lazy as _

from portal.registry import DashboardPanel, NavItem, register_nav, register_panel

from . import selectors
from .permissions import can_send, can_use_intranet, is_school_head


def _nav(request):
    return request.user.is_authenticated and can_use_intranet(request.user)


def _heads_panel(request):
    user = request.user
    if not is_school_head(user):
        return None
    rows = []
    for item in selectors.open_requests_for_heads(user)[:10]:
        answered = {a.school_id for a in item.my_answers}
        for school in item.my_schools:
            rows.append({"req": item, "school": school, "answered": school.pk in answered})
    return {"rows": rows, "unread": selectors.unread_circular_count(user)}


def _office_panel(request):
    if not can_send(request.user):
        return None
    return {"requests": list(selectors.open_requests_status()[:10])}


def register():
    register_nav(NavItem("intranet", _("Intranet"), "intranet:home", _nav, 60))
    register_panel(
        DashboardPanel("intranet-heads", "intranet/dashboard/heads.html", _heads_panel, 15)
    )
    register_panel(
        DashboardPanel("intranet-office", "intranet/dashboard/office.html", _office_panel, 15)
    )
