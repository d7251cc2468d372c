"""The year end in the navigation and on the dashboard: for those who run a
school's year end (admins, headteachers) and for homeroom teachers."""

from django.utils.translation import gettext_lazy as _

from portal.permissions import user_roles
from portal.registry import DashboardPanel, NavItem, register_nav, register_panel

from .permissions import year_end_school_ids, year_end_schools


def _uses(request) -> bool:
    user = request.user
    if not user.is_authenticated:
        return False
    school_ids = year_end_school_ids(user)
    return school_ids is None or bool(school_ids) or user_roles(user).is_homeroom_teacher


def _panel(request):
    """School admins and headteachers: a link to each school's summary (a
    municipal admin reaches every school from the navigation instead)."""
    if not request.user.is_authenticated:
        return None
    school_ids = year_end_school_ids(request.user)
    if not school_ids:
        return None
    return {"schools": list(year_end_schools(request.user).order_by("name"))}


def register():
    register_nav(NavItem("yearend", _("Year end"), "yearend:index", _uses, 25))
    register_panel(DashboardPanel("yearend", "yearend/dashboard/panel.html", _panel, 22))
