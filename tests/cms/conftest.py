from types import SimpleNamespace

import pytest

from django.core.cache import cache

from portal.models import Role
from tests.factories import RoleFactory, UserFactory
from tests.factories.cms import build_site


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def site(world):
    return SimpleNamespace(**build_site(world))


def _role_user(username, role, school):
    return RoleFactory(role=role, school=school, user=UserFactory(username=username)).user


@pytest.fixture
def editors(world, site, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = SimpleNamespace(
            a=_role_user("ed-a", Role.EDITOR, world.a.school),
            b=_role_user("ed-b", Role.EDITOR, world.b.school),
            municipal=_role_user("ed-gmina", Role.EDITOR, None),
            moderator_a=_role_user("mod-a", Role.MODERATOR, world.a.school),
            moderator_b=_role_user("mod-b", Role.MODERATOR, world.b.school),
            moderator=_role_user("mod-gmina", Role.MODERATOR, None),
        )
    return result
