"""The e-services pages used every day render in the same number of queries
whatever their size: the handler's queue and the family's page with 3 or 20
cases, a case with a short or a long timeline, a trip of 2 or 20 pupils."""

import datetime

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from eservices import services
from eservices.models import Trip
from tests.eservices.conftest import file_certificate
from tests.factories import GuardianLinkFactory, UserFactory, make_pupil

pytestmark = pytest.mark.django_db


def _count(client, url) -> int:
    client.get(url)  # the first request warms the per-process caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _cases(side, n):
    return [file_certificate(side, purpose=f"cel {i}") for i in range(n)]


def test_the_handler_queue_does_not_grow_with_the_cases(es, login):
    a = es.a
    _cases(a, 3)
    client = login(a.secretary)
    url = reverse("eservices:queue")
    small = _count(client, url)
    cases = _cases(a, 17)
    services.case_reassign(case=cases[0], user=a.secretary, handler=a.admin)
    services.case_transition(case=cases[1], user=a.secretary, to="accepted")
    assert _count(client, url) == small
    assert _count(client, url + "?status=all") == small
    assert cases[5].number in client.get(url).content.decode()


def test_the_family_page_does_not_grow_with_cases_and_trips(es, login):
    a = es.a
    _cases(a, 3)
    client = login(a.guardian)
    url = reverse("eservices:home")
    small = _count(client, url)
    _cases(a, 17)
    for n in range(3):
        services.trip_create(
            user=a.teacher,
            trip=Trip(
                school_class=a.class_a,
                title=f"Wycieczka {n}",
                starts_on=timezone.localdate() + datetime.timedelta(days=10),
                place="Kraków",
                consent_deadline=timezone.now() + datetime.timedelta(days=3),
            ),
        )
    page = client.get(url).content.decode()
    assert "Wycieczka 2" in page
    # one more query for the trips once there are any, none more per trip or case
    assert _count(client, url) <= small + 1


def test_a_case_page_does_not_grow_with_its_timeline(es, login):
    a = es.a
    case = _cases(a, 1)[0]
    services.case_message(case=case, user=a.secretary, text="Pierwsza", internal=False)
    urls = {"family": (a.guardian, reverse("eservices:case", args=[case.pk]))}
    urls["handler"] = (a.secretary, urls["family"][1])
    before = {who: _count(login(user), url) for who, (user, url) in urls.items()}
    for n in range(12):
        services.case_message(case=case, user=a.secretary, text=f"Wpis {n}", internal=n % 2 == 0)
        services.case_family_reply(case=case, user=a.guardian, text=f"Odpowiedź {n}")
    after = {who: _count(login(user), url) for who, (user, url) in urls.items()}
    assert after == before


def test_a_trip_page_does_not_grow_with_its_pupils(world, login):
    a = world.a

    def trip():
        return services.trip_create(
            user=a.teacher,
            trip=Trip(
                school_class=a.class_a,
                title="Muzeum",
                starts_on=timezone.localdate() + datetime.timedelta(days=10),
                place="Kraków",
                consent_deadline=timezone.now() + datetime.timedelta(days=3),
            ),
        )

    client = login(a.teacher)
    small_trip = trip()
    counts = {
        name: _count(client, reverse(name, args=[small_trip.pk]))
        for name in ("eservices:trip", "eservices:trip_print")
    }
    for n in range(18):
        pupil = make_pupil(a.class_a, username=f"a-extra-{n}")
        GuardianLinkFactory(guardian=UserFactory(username=f"a-extra-parent-{n}"), pupil=pupil)
    big_trip = trip()
    assert big_trip.consents.count() > 18
    services.trip_answer(
        consent=big_trip.consents.get(pupil=a.pupil), user=a.guardian, answer="consent"
    )
    for name, small in counts.items():
        assert _count(client, reverse(name, args=[big_trip.pk])) == small, name


def test_the_trips_list_does_not_grow_with_the_trips(world, login):
    a = world.a

    def trips(n):
        for i in range(n):
            services.trip_create(
                user=a.teacher,
                trip=Trip(
                    school_class=a.class_a,
                    title=f"Wyjście {i}",
                    starts_on=timezone.localdate() + datetime.timedelta(days=10 + i),
                    place="Kino",
                    consent_deadline=timezone.now() + datetime.timedelta(days=3),
                ),
            )

    trips(2)
    client = login(a.teacher)
    url = reverse("eservices:trips")
    small = _count(client, url)
    trips(12)
    assert _count(client, url) == small
    assert "Wyjście 11" in client.get(url).content.decode()
