"""Navigation items and dashboard panels of the class register."""

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.family import family_of
from portal.models import Term
from portal.permissions import user_roles
from portal.registry import DashboardPanel, NavItem, register_nav, register_panel
from portal.statements import Statement

from . import selectors
from .models import Excuse, Remark
from .permissions import is_family, is_register_staff, is_register_teacher


def _teacher_nav(request):
    return request.user.is_authenticated and (is_register_staff(request.user))


def _family_nav(request):
    return request.user.is_authenticated and is_family(request.user)


def _teacher_panel(request):
    if not is_register_teacher(request.user):
        return None
    today = timezone.localdate()
    roles = user_roles(request.user)
    term = Term.objects.filter(
        school_year__is_current=True,
        school_year__school_id__in=roles.staff_school_ids,
        start__lte=today,
        end__gte=today,
    ).first()
    warnings = (
        selectors.absence_warnings_for_teacher(request.user, start=term.start, end=today)
        if term
        else []
    )
    return {
        "warnings": warnings,
        "slots": selectors.teacher_slots(request.user, today, today),
        "missing": len(selectors.missing_entries(request.user, today=today)),
        "pending": Excuse.objects.filter(
            school_class_id__in=roles.homeroom_class_ids, status=Excuse.Status.PENDING
        ).count()
        if roles.homeroom_class_ids
        else 0,
    }


def _family_panel(request):
    if not is_family(request.user):
        return None
    roles = user_roles(request.user)
    family = family_of(request)
    return {
        "pupils": family.members,
        "unread": selectors.unread_announcements(request.user, family.enrolments).count(),
        "remarks": sum(n for (n,) in _UNACKNOWLEDGED_REMARKS.rows(sorted(roles.child_ids))),
    }


# The children's remarks not yet acknowledged, counted per child (compiled once per
# process: portal.statements).
_UNACKNOWLEDGED_REMARKS = Statement(
    Remark,
    lambda pupil_ids: (
        Remark.objects.filter(pupil_id__in=pupil_ids, acknowledged_at__isnull=True)
        .values("pupil_id")
        .annotate(n=Count("pk"))
        .values_list("n")
    ),
)


def register():
    register_nav(
        NavItem(
            "register", pgettext_lazy("lessons", "Class register"), "register:day", _teacher_nav, 30
        )
    )
    register_nav(NavItem("register-week", _("Week"), "register:week", _family_nav, 31))
    register_panel(
        DashboardPanel("register-teacher", "register/dashboard/teacher.html", _teacher_panel, 21)
    )
    register_panel(
        DashboardPanel("register-family", "register/dashboard/family.html", _family_panel, 12)
    )
