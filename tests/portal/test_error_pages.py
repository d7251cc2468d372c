"""Error pages speak the user's language: a junk id (400), a page that is not
there or not theirs (404), a NUL byte refused before sessions run (400), and a
server error (500, a page that needs nothing but itself)."""

import pytest

from django.template.loader import get_template
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_junk_id_is_a_polish_400_page(world, login):
    response = login(world.a.teacher).get(reverse("register:remarks"), {"pupil": "abc"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Nie można zrozumieć żądania" in text and "Niczego nie zapisano" in text
    assert "Bad Request" not in text


def test_a_nul_byte_is_refused_with_the_polish_page_before_sessions_run(client):
    response = client.get("/biblioteka/", {"q": "a\x00b"})
    assert response.status_code == 400
    assert "Nie można zrozumieć żądania" in response.content.decode()


def test_a_missing_page_is_a_polish_404(client, world, login):
    response = client.get("/nie-ma-takiej-strony-xyz/")
    assert response.status_code == 404
    assert "Nie znaleziono strony" in response.content.decode()
    other = login(world.b.teacher).get(reverse("gradebook:sheet", args=[world.a.assignment.pk]))
    assert other.status_code == 404
    assert "Nie znaleziono strony" in other.content.decode()


def test_the_500_page_renders_without_a_request_context():
    html = get_template("500.html").render({})
    assert "Coś poszło nie tak" in html and 'lang="pl"' in html
