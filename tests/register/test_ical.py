"""The iCalendar feed: homework and tests of the family, at a secret revocable URL."""

from icalendar import Calendar

from django.urls import reverse

from gradebook.register import services
from tests.factories.register import HomeworkFactory, PlannedTestFactory


def test_feed_lists_homework_and_tests_of_the_child(world, client):
    HomeworkFactory(assignment=world.a.assignment, description="Zadania 1-5")
    PlannedTestFactory(assignment=world.a.assignment, scope="Ułamki zwykłe")
    PlannedTestFactory(assignment=world.b.assignment, scope="Obca szkoła")
    token = services.calendar_token_rotate(user=world.a.guardian)
    response = client.get(reverse("register:ical", args=[token.token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    descriptions = sorted(str(e["DESCRIPTION"]) for e in events)
    assert descriptions == ["Ułamki zwykłe", "Zadania 1-5"]
    assert all(str(e["UID"]) for e in events)
    assert any("Matematyka" in str(e["SUMMARY"]) for e in events)


def test_rotating_and_revoking_the_token(world, client):
    first = services.calendar_token_rotate(user=world.a.pupil)
    second = services.calendar_token_rotate(user=world.a.pupil)
    assert client.get(reverse("register:ical", args=[first.token])).status_code == 404
    assert client.get(reverse("register:ical", args=[second.token])).status_code == 200
    services.calendar_token_revoke(user=world.a.pupil)
    assert client.get(reverse("register:ical", args=[second.token])).status_code == 404


def test_unknown_token_is_404(client, db):
    assert client.get(reverse("register:ical", args=["nope"])).status_code == 404


def test_family_manages_the_address(world, login):
    client = login(world.a.guardian, mfa=False)
    url = reverse("register:calendar")
    client.post(url, {"action": "rotate"})
    page = client.get(url)
    assert ".ics" in page.text
    client.post(url, {"action": "revoke"})
    assert ".ics" not in client.get(url).text
    assert login(world.a.teacher).get(url).status_code == 404
