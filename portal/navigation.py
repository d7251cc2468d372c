"""The portal's own navigation entries and dashboard panels, registered from
PortalConfig.ready() like every app's: the registry imports no app module, so
the imports run one way (navigation -> dashboard -> registry)."""

from __future__ import annotations

from .registry import NavItem, register_nav


def register_core() -> None:
    from django.utils.translation import gettext_lazy as _

    from . import dashboard
    from .permissions import can_access_cms_admin, is_staff_member, manages_a_school

    def signed_in(request):
        return request.user.is_authenticated

    def manages(request):
        return manages_a_school(request.user)

    def privacy_pages(request):
        from .permissions import can_use_privacy_pages

        return can_use_privacy_pages(request.user)

    def wagtail_user(request):
        return can_access_cms_admin(request.user)

    register_nav(NavItem("dashboard", _("My dashboard"), "portal:dashboard", signed_in, 10))
    register_nav(NavItem("manage", _("School management"), "portal:manage_home", manages, 80))
    # The officer's "Schools of the municipality" (/gmina/) is registered by analytics/.
    register_nav(NavItem("cms-admin", _("Editing"), "wagtailadmin_home", wagtail_user, 90))
    register_nav(NavItem("privacy", _("Data protection"), "portal:privacy_home", privacy_pages, 95))
    dashboard.register_core_panels(is_staff_member)
