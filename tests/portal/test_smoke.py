import pytest

from django.urls import reverse


@pytest.mark.django_db
def test_login_page_renders_in_polish(client):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    assert 'lang="pl"' in response.content.decode()


def test_dashboard_renders_for_each_core_role(world, login):
    for user in (world.a.teacher, world.a.guardian, world.a.pupil, world.a.admin, world.officer):
        client = login(user)
        response = client.get(reverse("portal:dashboard"))
        assert response.status_code == 200, user
