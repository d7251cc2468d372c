from django.utils.translation import gettext_lazy as _

from portal.permissions import user_roles
from portal.registry import NavItem, register_nav

from .permissions import may_handle_cases, may_organise_trips


def _family(request) -> bool:
    return request.user.is_authenticated and user_roles(request.user).is_guardian


def _handler(request) -> bool:
    return request.user.is_authenticated and may_handle_cases(request.user)


def _organiser(request) -> bool:
    return request.user.is_authenticated and may_organise_trips(request.user)


def register() -> None:
    register_nav(NavItem("eservices", _("E-services"), "eservices:home", _family, 25))
    register_nav(NavItem("eservices_queue", _("Cases"), "eservices:queue", _handler, 26))
    register_nav(NavItem("eservices_trips", _("Trips"), "eservices:trips", _organiser, 27))
