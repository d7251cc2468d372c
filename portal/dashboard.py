"""The core dashboard panels: what each role needs first."""

from django.utils import timezone

from .family import family_of
from .models import ImportRun, School, SchoolClass
from .permissions import managed_schools, user_roles
from .registry import DashboardPanel, register_panel
from .selectors import (
    children_with_classes,
    school_overview,
    teacher_assignments,
    with_pupil_counts,
)


def _pupil(request):
    roles = user_roles(request.user)
    if not roles.is_pupil:
        return None
    return {"school_class": family_of(request).current_class(request.user.pk)}


def _guardian(request):
    roles = user_roles(request.user)
    if not roles.is_guardian:
        return None
    family = family_of(request)
    return {"children": children_with_classes(request.user, enrolments=family.enrolments)}


def _teacher(request):
    roles = user_roles(request.user)
    if not (roles.is_teacher or roles.is_homeroom_teacher):
        return None
    homeroom = with_pupil_counts(SchoolClass.objects.filter(pk__in=roles.homeroom_class_ids))
    return {
        "assignments": list(teacher_assignments(request.user)),
        "homeroom_classes": list(homeroom),
    }


def _school_admin(request):
    schools = list(managed_schools(request.user))
    if not schools:
        return None
    return {
        "overview": school_overview(schools),
        "imports": ImportRun.objects.filter(school__in=schools).select_related("school")[:5],
    }


def _officer(request):
    roles = user_roles(request.user)
    if not (roles.is_officer or roles.is_superuser):
        return None
    overview = school_overview(School.objects.active())
    return {
        "overview": overview,
        "total_pupils": sum(r["pupils"] for r in overview),
        "today": timezone.localdate(),
    }


def _security(request):
    from allauth.mfa.utils import is_mfa_enabled

    return {"mfa_enabled": is_mfa_enabled(request.user), "roles": user_roles(request.user)}


def register_core_panels(is_staff_member):
    register_panel(DashboardPanel("guardian", "portal/dashboard/guardian.html", _guardian, 10))
    register_panel(DashboardPanel("pupil", "portal/dashboard/pupil.html", _pupil, 11))
    register_panel(DashboardPanel("teacher", "portal/dashboard/teacher.html", _teacher, 20))
    register_panel(
        DashboardPanel("school_admin", "portal/dashboard/school_admin.html", _school_admin, 30)
    )
    register_panel(DashboardPanel("officer", "portal/dashboard/officer.html", _officer, 40))
    register_panel(DashboardPanel("security", "portal/dashboard/security.html", _security, 900))
