"""Trip and outing consents: who organises and sees a trip, who answers for whom,
the deadline that freezes the list, the reminder and the audit trail."""

import datetime
from decimal import Decimal

import pytest

from django.urls import reverse
from django.utils import timezone

from eservices import selectors, services
from eservices.models import Trip, TripConsent
from notifications.models import Notification
from portal.models import AuditEvent
from tests.factories import (
    GuardianLinkFactory,
    TeachingAssignmentFactory,
    UserFactory,
    make_pupil,
    make_teacher,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def trip_world(world):
    """Class 4a of school A with two pupils and their own guardians, and a trip
    of it organised by its maths teacher, answers due in three days."""
    a = world.a
    a.pupil2 = make_pupil(a.class_a, username="a-pupil-2")
    a.guardian2 = UserFactory(username="a-parent-2")
    GuardianLinkFactory(guardian=a.guardian2, pupil=a.pupil2)
    a.trip = services.trip_create(
        user=a.teacher,
        trip=Trip(
            school_class=a.class_a,
            title="Muzeum",
            starts_on=timezone.localdate() + datetime.timedelta(days=10),
            place="Kraków",
            cost=Decimal("40.00"),
            consent_deadline=timezone.now() + datetime.timedelta(days=3),
        ),
    )
    return world


def consent_of(trip, pupil) -> TripConsent:
    return TripConsent.objects.get(trip=trip, pupil=pupil)


def test_a_trip_has_one_consent_row_per_pupil_of_the_class(trip_world):
    a = trip_world.a
    pupils = set(a.trip.consents.values_list("pupil_id", flat=True))
    assert pupils == {a.pupil.pk, a.pupil2.pk}
    assert a.trip.school == a.school
    # the guardians were asked
    assert Notification.objects.filter(recipient=a.guardian, key=f"trip:{a.trip.pk}:created")


def test_a_group_of_the_class_only(world):
    a = world.a
    pupil2 = make_pupil(a.class_a, username="a-pupil-2")
    trip = services.trip_create(
        user=a.homeroom,
        trip=Trip(
            school_class=a.class_a,
            title="Zawody",
            starts_on=timezone.localdate() + datetime.timedelta(days=5),
            place="Hala",
            consent_deadline=timezone.now() + datetime.timedelta(days=2),
        ),
        pupils=[pupil2, a.other_pupil],  # the other class's pupil is not taken
    )
    assert list(trip.consents.values_list("pupil_id", flat=True)) == [pupil2.pk]


def test_a_teacher_may_not_organise_for_another_class(world):
    with pytest.raises(services.EservicesError):
        services.trip_create(
            user=world.a.teacher,
            trip=Trip(
                school_class=world.a.class_b,
                title="x",
                starts_on=timezone.localdate(),
                place="x",
                consent_deadline=timezone.now() + datetime.timedelta(days=1),
            ),
        )


def test_the_create_form_offers_only_own_classes(world, login):
    client = login(world.a.teacher)
    page = client.get(reverse("eservices:trip_add"))
    assert page.status_code == 200
    choices = [c[0] for c in page.context["form"].fields["school_class"].choices]
    assert [getattr(c, "value", c) for c in choices] == [world.a.class_a.pk]
    response = client.post(
        reverse("eservices:trip_add"),
        {
            "trip-school_class": world.a.class_b.pk,
            "trip-title": "x",
            "trip-starts_on": "2030-01-01",
            "trip-place": "x",
            "trip-consent_deadline": "2029-12-20T12:00",
        },
    )
    assert response.status_code == 200 and not Trip.objects.exists()
    response = client.post(
        reverse("eservices:trip_add"),
        {
            "trip-school_class": world.a.class_a.pk,
            "trip-title": "Teatr",
            "trip-starts_on": (timezone.localdate() + datetime.timedelta(days=9)).isoformat(),
            "trip-place": "Teatr Miejski",
            "trip-cost": "25",
            "trip-consent_deadline": (timezone.localtime() + datetime.timedelta(days=4)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
        },
    )
    trip = Trip.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "eservices:trip", args=[trip.pk]
    )
    assert trip.created_by == world.a.teacher and trip.consents.count() == 1


def test_only_the_classes_teachers_see_the_list(trip_world, login, client):
    a = trip_world.a
    url = reverse("eservices:trip", args=[a.trip.pk])
    for user in (a.teacher, a.homeroom):
        client.logout()
        assert login(user).get(url).status_code == 200
    other_class_teacher = make_teacher(a.school, username="a-teacher-5a")
    TeachingAssignmentFactory(
        school_class=a.class_b, subject=a.subject, teacher=other_class_teacher
    )
    for user in (other_class_teacher, trip_world.b.teacher, trip_world.b.homeroom, a.guardian):
        client.logout()
        c = login(user)
        assert c.get(url).status_code == 404
        assert c.get(reverse("eservices:trip_print", args=[a.trip.pk])).status_code == 404
        assert c.post(reverse("eservices:trip_remind", args=[a.trip.pk])).status_code == 404
        assert c.get(reverse("eservices:trip_edit", args=[a.trip.pk])).status_code == 404
        cancel = reverse("eservices:trip_cancel", args=[a.trip.pk])
        assert c.post(cancel, {"reason": "x"}).status_code == 404
    a.trip.refresh_from_db()
    assert a.trip.cancelled_at is None


def test_guardians_answer_only_for_their_own_child(trip_world, login, client):
    a = trip_world.a
    mine, theirs = consent_of(a.trip, a.pupil), consent_of(a.trip, a.pupil2)
    c = login(a.guardian)
    assert (
        c.post(
            reverse("eservices:trip_answer", args=[theirs.pk]), {"answer": "consent"}
        ).status_code
        == 404
    )
    assert (
        c.post(
            reverse("eservices:trip_answer", args=[mine.pk]),
            {"answer": "refusal", "note": "choroba"},
        ).status_code
        == 302
    )
    mine.refresh_from_db(), theirs.refresh_from_db()
    assert (mine.answer, mine.answered_by, mine.note) == ("refusal", a.guardian, "choroba")
    assert theirs.answer == ""
    # a guardian of another class's pupil, the teacher, another school's guardian: none
    outsider = UserFactory(username="a-parent-5a")
    GuardianLinkFactory(guardian=outsider, pupil=a.other_pupil)
    for user in (outsider, a.teacher, trip_world.b.guardian):
        client.logout()
        response = login(user).post(
            reverse("eservices:trip_answer", args=[theirs.pk]), {"answer": "consent"}
        )
        assert response.status_code == 404
        with pytest.raises(services.EservicesError):
            services.trip_answer(consent=theirs, user=user, answer="consent")
    theirs.refresh_from_db()
    assert theirs.answer == ""


def test_the_guardian_sees_the_trip_and_changes_the_answer(trip_world, login):
    a = trip_world.a
    c = login(a.guardian)
    page = c.get(reverse("eservices:home"))
    assert [x.pk for x in page.context["trip_consents"]] == [consent_of(a.trip, a.pupil).pk]
    assert "Muzeum" in page.content.decode()
    consent = consent_of(a.trip, a.pupil)
    services.trip_answer(consent=consent, user=a.guardian, answer="consent")
    services.trip_answer(consent=consent, user=a.guardian, answer="refusal")
    consent.refresh_from_db()
    assert consent.answer == "refusal"


def test_every_answer_is_audited_with_before_and_after(trip_world):
    a = trip_world.a
    consent = consent_of(a.trip, a.pupil)
    services.trip_answer(consent=consent, user=a.guardian, answer="consent")
    services.trip_answer(consent=consent, user=a.guardian, answer="refusal", note="jednak nie")
    rows = AuditEvent.objects.filter(action="trip.answer", target_id=consent.pk).order_by("pk")
    assert [(r.before["answer"], r.after["answer"]) for r in rows] == [
        ("", "consent"),
        ("consent", "refusal"),
    ]
    assert all(r.actor == a.guardian and r.person == a.pupil for r in rows)
    assert rows[1].after["note"] == "jednak nie"


def test_the_deadline_freezes_the_list(trip_world, login, on_a_school_day):
    a = trip_world.a
    consent = consent_of(a.trip, a.pupil)
    services.trip_answer(consent=consent, user=a.guardian, answer="consent")
    on_a_school_day.move_to(a.trip.consent_deadline + datetime.timedelta(seconds=1))
    with pytest.raises(services.EservicesError):
        services.trip_answer(consent=consent, user=a.guardian, answer="refusal")
    with pytest.raises(services.EservicesError):
        services.trip_remind(trip=a.trip, user=a.teacher)
    response = login(a.guardian).post(
        reverse("eservices:trip_answer", args=[consent.pk]), {"answer": "refusal"}
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.answer == "consent"
    home = login(a.guardian).get(reverse("eservices:home")).content.decode()
    home = " ".join(home.replace("\xa0", " ").split())
    assert "lista jest ostateczna" in home or "the list is final" in home
    assert reverse("eservices:trip_answer", args=[consent.pk]) not in home
    page = login(a.teacher).get(reverse("eservices:trip", args=[a.trip.pk]))
    assert page.context["frozen"] is True
    assert reverse("eservices:trip_remind", args=[a.trip.pk]) not in page.content.decode()
    assert "data-follow" not in page.content.decode()  # final: no more updates


def test_the_reminder_goes_only_to_guardians_without_an_answer(trip_world, login):
    a = trip_world.a
    services.trip_answer(consent=consent_of(a.trip, a.pupil), user=a.guardian, answer="consent")
    response = login(a.teacher).post(reverse("eservices:trip_remind", args=[a.trip.pk]))
    assert response.status_code == 302
    reminded = Notification.objects.filter(key__startswith=f"trip:{a.trip.pk}:remind:")
    assert list(reminded.values_list("recipient_id", flat=True)) == [a.guardian2.pk]
    assert AuditEvent.objects.filter(action="trip.remind", target_id=a.trip.pk).exists()
    services.trip_answer(consent=consent_of(a.trip, a.pupil2), user=a.guardian2, answer="refusal")
    with pytest.raises(services.EservicesError):
        services.trip_remind(trip=a.trip, user=a.teacher)


def test_the_teachers_list_shows_the_counts(trip_world, login):
    a = trip_world.a
    services.trip_answer(consent=consent_of(a.trip, a.pupil), user=a.guardian, answer="refusal")
    page = login(a.teacher).get(reverse("eservices:trip", args=[a.trip.pk]))
    assert (page.context["total"], page.context["consented"], page.context["refused"]) == (2, 0, 1)
    assert page.context["waiting"] == 1
    html = page.content.decode()
    assert a.pupil2.get_full_name() in html and 'data-label="' in html
    # Live without reloading the page (WCAG 2.2.1): the list box follows, with a pause.
    assert 'http-equiv="refresh"' not in html
    assert 'id="trip-list" data-follow="60"' in html and "data-follow-pause" in html
    listed = selectors.teacher_trips(a.teacher).get()
    assert (listed.pupils, listed.consented, listed.refused) == (2, 0, 1)
    printout = login(a.teacher).get(reverse("eservices:trip_print", args=[a.trip.pk]))
    assert printout.status_code == 200 and a.pupil.get_full_name() in printout.content.decode()


def test_the_audit_trail_shows_a_trip_s_history_in_polish_words(trip_world, login, client):
    """The rows of a trip's history are named in Polish (the class by its name,
    the counts as pupils and guardians, the answer by its label), not by keys."""
    a = trip_world.a
    services.trip_answer(consent=consent_of(a.trip, a.pupil), user=a.guardian, answer="consent")
    services.trip_remind(trip=a.trip, user=a.teacher)
    login(a.admin)
    page = client.get(reverse("portal:privacy_audit"), HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    for words in ("uczniowie", "opiekunowie", "odpowiedź", "zgoda", str(a.class_a)):
        assert words in page
    for key in ("pupils", "guardians", "answer", "consent<", "school_class"):
        assert key not in page


def _told(guardian, trip, kind):
    return Notification.objects.filter(recipient=guardian, key__startswith=f"trip:{trip.pk}:{kind}")


def test_a_change_of_the_details_keeps_the_answers_and_tells_the_guardians(trip_world, login):
    a = trip_world.a
    services.trip_answer(consent=consent_of(a.trip, a.pupil), user=a.guardian, answer="consent")
    client = login(a.teacher)
    url = reverse("eservices:trip_edit", args=[a.trip.pk])
    assert client.get(url).status_code == 200
    form = {
        "trip-title": "Muzeum Narodowe",
        "trip-starts_on": a.trip.starts_on.isoformat(),
        "trip-place": "Kraków",
        "trip-cost": "40.00",
        "trip-description": "Zbiórka 8:00",
        "trip-consent_deadline": timezone.localtime(a.trip.consent_deadline).strftime(
            "%Y-%m-%dT%H:%M"
        ),
    }
    assert client.post(url, form).status_code == 302
    a.trip.refresh_from_db()
    assert a.trip.title == "Muzeum Narodowe" and a.trip.description == "Zbiórka 8:00"
    assert consent_of(a.trip, a.pupil).answer == "consent"
    assert _told(a.guardian, a.trip, "update").count() == 1
    row = AuditEvent.objects.get(action="trip.update", target_id=a.trip.pk)
    assert (row.before["title"], row.after["title"]) == ("Muzeum", "Muzeum Narodowe")


def test_saving_the_form_unchanged_tells_nobody(trip_world, login):
    a = trip_world.a
    client = login(a.teacher)
    url = reverse("eservices:trip_edit", args=[a.trip.pk])
    form = {
        "trip-title": a.trip.title,
        "trip-starts_on": a.trip.starts_on.isoformat(),
        "trip-place": a.trip.place,
        "trip-cost": "40.00",
        "trip-consent_deadline": timezone.localtime(a.trip.consent_deadline).strftime(
            "%Y-%m-%dT%H:%M"
        ),
    }
    assert client.post(url, form).status_code == 302
    assert not _told(a.guardian, a.trip, "update").exists()
    assert not AuditEvent.objects.filter(action="trip.update").exists()


def test_a_new_cost_or_date_asks_every_guardian_again(trip_world):
    a = trip_world.a
    services.trip_answer(consent=consent_of(a.trip, a.pupil), user=a.guardian, answer="consent")
    a.trip.cost = Decimal("55.00")
    services.trip_update(trip=a.trip, user=a.teacher)
    consent = consent_of(a.trip, a.pupil)
    assert consent.answer == "" and consent.answered_at is None
    row = AuditEvent.objects.get(action="trip.update", target_id=a.trip.pk)
    assert row.after["answers_cleared"] == 1
    for guardian in (a.guardian, a.guardian2):
        assert _told(guardian, a.trip, "update").exists()


def test_no_change_after_the_deadline_and_bad_dates_are_refused(trip_world, login, on_a_school_day):
    a = trip_world.a
    a.trip.ends_on = a.trip.starts_on - datetime.timedelta(days=1)
    with pytest.raises(services.EservicesError):
        services.trip_update(trip=a.trip, user=a.teacher)
    a.trip.refresh_from_db()
    on_a_school_day.move_to(a.trip.consent_deadline + datetime.timedelta(minutes=1))
    a.trip.title = "Za późno"
    with pytest.raises(services.EservicesError):
        services.trip_update(trip=a.trip, user=a.teacher)
    client = login(a.teacher)
    response = client.get(reverse("eservices:trip_edit", args=[a.trip.pk]))
    assert response.status_code == 302
    a.trip.refresh_from_db()
    assert a.trip.title == "Muzeum"


def test_a_cancelled_trip_takes_no_answers_and_every_guardian_is_told(trip_world, login):
    a = trip_world.a
    client = login(a.teacher)
    url = reverse("eservices:trip_cancel", args=[a.trip.pk])
    client.post(url, {"reason": ""})
    a.trip.refresh_from_db()
    assert a.trip.cancelled_at is None  # a reason is needed
    assert client.post(url, {"reason": "Choroba przewodnika"}).status_code == 302
    a.trip.refresh_from_db()
    assert a.trip.cancelled_at is not None and a.trip.is_frozen()
    with pytest.raises(services.EservicesError):
        services.trip_answer(consent=consent_of(a.trip, a.pupil), user=a.guardian, answer="consent")
    with pytest.raises(services.EservicesError):
        services.trip_cancel(trip=a.trip, user=a.teacher, reason="again")
    for guardian in (a.guardian, a.guardian2):
        assert _told(guardian, a.trip, "cancelled").count() == 1
    assert AuditEvent.objects.filter(action="trip.cancel", target_id=a.trip.pk).exists()
    assert "Odwołana" in client.get(reverse("eservices:trip", args=[a.trip.pk])).content.decode()
    family = login(a.guardian).get(reverse("eservices:home")).content.decode()
    assert "Choroba przewodnika" in family and 'value="consent"' not in family


def test_a_pupil_who_joined_later_is_added_and_their_guardian_asked(trip_world, login):
    a = trip_world.a
    newcomer = make_pupil(a.class_a, username="a-newcomer")
    parent = UserFactory(username="a-newcomer-parent")
    GuardianLinkFactory(guardian=parent, pupil=newcomer)
    client = login(a.teacher)
    page = client.get(reverse("eservices:trip", args=[a.trip.pk])).content.decode()
    assert f'value="{newcomer.pk}"' in page
    url = reverse("eservices:trip_add_pupils", args=[a.trip.pk])
    # another class's pupil, an unknown id and junk are left out
    response = client.post(url, {"pupils": [newcomer.pk, a.other_pupil.pk, 999999, "x"]})
    assert response.status_code == 302
    assert set(a.trip.consents.values_list("pupil_id", flat=True)) == {
        a.pupil.pk,
        a.pupil2.pk,
        newcomer.pk,
    }
    assert Notification.objects.filter(recipient=parent, key=f"trip:{a.trip.pk}:created").exists()
    assert AuditEvent.objects.filter(action="trip.add_pupils", target_id=a.trip.pk).exists()
    page = client.get(reverse("eservices:trip", args=[a.trip.pk])).content.decode()
    assert f'value="{newcomer.pk}"' not in page
    with pytest.raises(services.EservicesError):
        services.trip_add_pupils(trip=a.trip, user=a.teacher, pupil_ids=[a.other_pupil.pk])
