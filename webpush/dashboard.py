"""The dashboard's way to the devices page (only when push is set up; no query)."""

from portal.registry import DashboardPanel, register_panel

from .permissions import can_manage_push
from .services import push_enabled


def _push_panel(request):
    if not push_enabled() or not can_manage_push(request.user):
        return None
    return {}


def register() -> None:
    register_panel(DashboardPanel("webpush", "webpush/dashboard/push.html", _push_panel, 890))
