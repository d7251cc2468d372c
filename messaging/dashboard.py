"""The "Wiadomości" navigation item and the dashboard panel with the unread count."""

from django.utils.translation import gettext_lazy as _

from portal.header import header_counts
from portal.registry import DashboardPanel, NavItem, register_nav, register_panel

from .permissions import report_school_ids, reports_visible_to
from .selectors import unread_thread_count


def _signed_in(request):
    return request.user.is_authenticated


def _panel(request):
    if not request.user.is_authenticated:
        return None
    reports = 0
    if report_school_ids(request.user):
        reports = reports_visible_to(request.user).filter(handled_at__isnull=True).count()
    # The header's envelope shows the same number: counted once for the page.
    unread = header_counts(request).count("messages")
    if unread is None:
        unread = unread_thread_count(request.user)
    return {"unread": unread, "reports": reports}


def register():
    register_nav(NavItem("messaging", _("Messages"), "messaging:inbox", _signed_in, 20))
    register_panel(DashboardPanel("messaging", "messaging/dashboard/panel.html", _panel, 11))
