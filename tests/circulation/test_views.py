"""The desk, reader accounts, copies and holds through HTTP: permissions per
role, refusals shown in Polish, bounded query counts."""

import datetime

import pytest
import time_machine

from django.urls import reverse
from django.utils import timezone

from library.circulation import services
from library.circulation.models import Copy, Hold, Loan
from tests.factories.circulation import card, copy_create, rule_create


def desk_url(school):
    return reverse("circulation:desk", args=[school.pk])


def lend(client, school, reader, *copies):
    return client.post(
        desk_url(school),
        {
            "action": "checkout",
            "out-card": card(reader),
            "out-barcodes": "\n".join(c.barcode for c in copies),
        },
    )


def test_desk_checkout_and_return(world, library, login):
    client = login(world.a.librarian)
    response = lend(client, world.a.school, world.a.pupil, library["copy"])
    assert response.status_code == 200
    assert Loan.objects.open().filter(copy=library["copy"], reader=world.a.pupil).exists()
    assert "Wypożyczenia: " in response.content.decode()
    response = client.post(
        desk_url(world.a.school), {"action": "return", "back-barcode": library["copy"].barcode}
    )
    assert not Loan.objects.open().exists()
    assert library["record"].title in response.content.decode()


def test_desk_refusal_in_polish(world, library, login):
    client = login(world.a.librarian)
    lend(client, world.a.school, world.a.pupil, library["copy"])
    response = lend(client, world.a.school, world.a.teacher, library["copy"])
    assert "Ten egzemplarz jest już wypożyczony." in response.content.decode()


def test_desk_of_another_school_is_404(world, library, login):
    client = login(world.a.librarian)
    assert client.get(desk_url(world.b.school)).status_code == 404
    response = lend(client, world.b.school, world.b.pupil, library["other_copy"])
    assert response.status_code == 404
    # Scanning another school's copy at one's own desk is refused.
    response = lend(client, world.a.school, world.a.pupil, library["other_copy"])
    assert not Loan.objects.exists()
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["pupil", "teacher", "guardian", "admin"])
def test_desk_needs_a_librarian(world, login, who):
    client = login(getattr(world.a, who))
    assert client.get(reverse("circulation:desk_home")).status_code == 404
    assert client.get(desk_url(world.a.school)).status_code == 404


def test_desk_home_redirects_to_own_desk(world, login):
    response = login(world.a.librarian).get(reverse("circulation:desk_home"))
    assert response.url == desk_url(world.a.school)


def test_checkout_and_return_query_counts_do_not_grow(
    world, library, login, django_assert_max_num_queries
):
    client = login(world.a.librarian)
    record = library["record"]
    copies = [copy_create(record, world.a.school) for _ in range(6)]
    for copy in copies[:3]:
        services.loan_checkout(
            user=world.a.librarian,
            school=world.a.school,
            card_number=card(world.a.teacher),
            barcode=copy.barcode,
        )
    card(world.a.pupil)
    with django_assert_max_num_queries(45):
        lend(client, world.a.school, world.a.pupil, copies[4])
    with django_assert_max_num_queries(45):
        client.post(
            desk_url(world.a.school), {"action": "return", "back-barcode": copies[4].barcode}
        )


def test_service_query_counts(world, library, django_assert_max_num_queries):
    card(world.a.pupil)
    world.a.librarian.refresh_from_db()
    # Cold: the librarian's and the reader's roles are computed here (6 queries each,
    # the second factor and admin flags included since roles are cached per version),
    # and the copy's write bumps the catalogue version stored in the database (one
    # UPDATE: the broad searches stored ahead are stale once availability changes).
    with django_assert_max_num_queries(24):
        services.loan_checkout(
            user=world.a.librarian,
            school=world.a.school,
            card_number=card(world.a.pupil),
            barcode=library["copy"].barcode,
        )
    with django_assert_max_num_queries(12):
        services.loan_return(
            user=world.a.librarian, school=world.a.school, barcode=library["copy"].barcode
        )


def _lend_to(world, reader, copy, today=None):
    return services.loan_checkout(
        user=world.a.librarian,
        school=world.a.school,
        card_number=card(reader),
        barcode=copy.barcode,
        today=today,
    )


def test_reader_account_shows_own_loans(world, library, login, django_assert_max_num_queries):
    _lend_to(world, world.a.pupil, library["copy"])
    client = login(world.a.pupil, mfa=False)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("circulation:account"))
    body = response.content.decode()
    assert library["record"].title in body and card(world.a.pupil) in body


def test_reader_cannot_see_other_accounts(world, login):
    client = login(world.a.pupil, mfa=False)
    url = reverse("circulation:account_child", args=[world.a.other_pupil.pk])
    assert client.get(url).status_code == 404


def test_parent_sees_own_child_only(world, library, login):
    _lend_to(
        world,
        world.a.pupil,
        library["copy"],
        today=timezone.localdate() - datetime.timedelta(days=40),
    )
    client = login(world.a.guardian, mfa=False)
    response = client.get(reverse("circulation:account_child", args=[world.a.pupil.pk]))
    body = response.content.decode()
    assert library["record"].title in body and "po terminie" in body
    assert (
        client.get(reverse("circulation:account_child", args=[world.b.pupil.pk])).status_code == 404
    )
    assert (
        client.get(reverse("circulation:account_child", args=[world.a.other_pupil.pk])).status_code
        == 404
    )
    # The dashboard panel counts the child's overdue loan.
    dashboard = client.get(reverse("portal:dashboard")).content.decode()
    assert "Wypożyczenia z biblioteki" in dashboard


def test_crafted_renew_of_someone_elses_loan_is_404(world, library, login):
    loan = _lend_to(world, world.a.other_pupil, library["copy"])
    client = login(world.a.pupil, mfa=False)
    url = reverse("circulation:account_action", args=["renew"])
    assert client.post(url, {"loan": loan.pk}).status_code == 404


def test_renew_from_account_shows_reason(world, library, login):
    rule_create(world.a.school, max_renewals=0)
    loan = _lend_to(world, world.a.pupil, library["copy"])
    client = login(world.a.pupil, mfa=False)
    response = client.post(
        reverse("circulation:account_action", args=["renew"]), {"loan": loan.pk}, follow=True
    )
    assert "przedłużono już 0 razy" in response.content.decode()


def test_an_overdue_loan_offers_no_renewal_online_and_a_crafted_post_is_refused(
    world, library, login
):
    loan = _lend_to(world, world.a.pupil, library["copy"])
    Loan.objects.filter(pk=loan.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=3))
    for user, url in (
        (world.a.pupil, reverse("circulation:account")),
        (world.a.guardian, reverse("circulation:account_child", args=[world.a.pupil.pk])),
    ):
        client = login(user, mfa=False)
        page = client.get(url).content.decode()
        assert "poproś w bibliotece o przedłużenie" in page
        assert 'name="loan"' not in page
    client = login(world.a.pupil, mfa=False)
    response = client.post(
        reverse("circulation:account_action", args=["renew"]), {"loan": loan.pk}, follow=True
    )
    assert "nie można go przedłużyć przez internet" in response.content.decode()
    loan.refresh_from_db()
    assert loan.renewals == 0


def test_history_switch_off_and_clear(world, library, login):
    _lend_to(world, world.a.pupil, library["copy"])
    services.loan_return(
        user=world.a.librarian, school=world.a.school, barcode=library["copy"].barcode
    )
    client = login(world.a.pupil, mfa=False)
    assert library["record"].title in client.get(reverse("circulation:account")).content.decode()
    client.post(reverse("circulation:account_action", args=["clear_history"]))
    assert (
        library["record"].title not in client.get(reverse("circulation:account")).content.decode()
    )
    client.post(reverse("circulation:account_action", args=["settings"]), {"notify_overdue": "on"})
    profile = services.reader_profile_for(world.a.pupil)
    profile.refresh_from_db()
    assert not profile.keep_history and profile.notify_overdue and not profile.notify_due_soon


def test_place_and_cancel_hold_from_record_page(world, library, login):
    _lend_to(world, world.a.teacher, library["copy"])
    _lend_to(world, world.a.teacher, library["copy2"])
    client = login(world.a.pupil, mfa=False)
    page = client.get(library["record"].get_absolute_url()).content.decode()
    assert reverse("circulation:hold_place", args=[library["record"].pk]) in page
    client.post(
        reverse("circulation:hold_place", args=[library["record"].pk]),
        {"school": world.a.school.pk},
    )
    hold = Hold.objects.get(reader=world.a.pupil)
    account = client.get(reverse("circulation:account")).content.decode()
    assert "pozycja 1 w kolejce" in account
    # A pupil of school A cannot place a hold at school B.
    response = client.post(
        reverse("circulation:hold_place", args=[library["record"].pk]),
        {"school": world.b.school.pk},
    )
    assert response.status_code == 404
    client.post(reverse("circulation:account_action", args=["cancel_hold"]), {"hold": hold.pk})
    hold.refresh_from_db()
    assert hold.status == Hold.Status.CANCELLED


def test_add_copies_from_record_page(world, library, login):
    client = login(world.a.librarian)
    page = client.get(library["record"].get_absolute_url()).content.decode()
    assert library["copy"].barcode in page and library["other_copy"].barcode not in page
    url = reverse("circulation:copies_add", args=[library["record"].pk])
    client.post(
        url, {"school": world.a.school.pk, "count": 4, "item_type": "book", "shelf_mark": "82-3"}
    )
    assert Copy.objects.filter(school=world.a.school).count() == 6
    # Another school's library: 404, nothing added.
    response = client.post(url, {"school": world.b.school.pk, "count": 2, "item_type": "book"})
    assert response.status_code == 404
    assert Copy.objects.filter(school=world.b.school).count() == 1


def test_copy_page_scoped_and_mark_lost(world, library, login):
    client = login(world.a.librarian)
    assert (
        client.get(reverse("circulation:copy", args=[library["other_copy"].pk])).status_code == 404
    )
    client.post(
        reverse("circulation:copy", args=[library["copy"].pk]), {"kind": "lost", "note": "zalane"}
    )
    assert Copy.objects.get(pk=library["copy"].pk).status == "lost"
    assert (
        "zalane"
        in client.get(reverse("circulation:copy", args=[library["copy"].pk])).content.decode()
    )


def test_overdue_list_per_library(world, library, login):
    old = timezone.localdate() - datetime.timedelta(days=40)
    _lend_to(world, world.a.pupil, library["copy"], today=old)
    client = login(world.a.librarian)
    body = client.get(reverse("circulation:overdue", args=[world.a.school.pk])).content.decode()
    assert library["copy"].barcode in body
    assert client.get(reverse("circulation:overdue", args=[world.b.school.pk])).status_code == 404


def test_rules_page_adds_rule_and_closed_days(world, login):
    client = login(world.a.librarian)
    url = reverse("circulation:rules", args=[world.a.school.pk])
    client.post(
        url,
        {
            "action": "rule",
            "rule-reader_category": "pupil",
            "rule-item_type": "",
            "rule-loan_days": 21,
            "rule-max_loans": 3,
            "rule-max_renewals": 1,
            "rule-hold_shelf_days": 4,
        },
    )
    client.post(
        url,
        {
            "action": "closed",
            "closed-name": "Ferie",
            "closed-start": "2027-01-18",
            "closed-end": "2027-01-31",
        },
    )
    assert world.a.school.loan_rules.get().loan_days == 21
    assert world.a.school.library_closed.count() == 1
    assert client.get(reverse("circulation:rules", args=[world.b.school.pk])).status_code == 404


def test_reader_card_pdf(world, login):
    client = login(world.a.pupil, mfa=False)
    response = client.get(reverse("circulation:card"))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    librarian = login(world.a.librarian)
    url = reverse("circulation:reader_card", args=[world.a.school.pk, world.b.pupil.pk])
    assert librarian.get(url).status_code == 404


def test_readers_search(world, login):
    client = login(world.a.librarian)
    url = reverse("circulation:readers", args=[world.a.school.pk])
    body = client.get(url, {"q": world.a.pupil.username}).content.decode()
    assert reverse("circulation:reader_card", args=[world.a.school.pk, world.a.pupil.pk]) in body
    other = client.get(url, {"q": world.b.pupil.username}).content.decode()
    assert (
        reverse("circulation:reader_card", args=[world.a.school.pk, world.b.pupil.pk]) not in other
    )


def test_kiosk_session_ends_with_browser_and_idle(world, client, settings):
    response = client.get(reverse("circulation:kiosk"))
    assert 'name="q"' in response.content.decode()
    assert client.session.get_expire_at_browser_close()
    client.force_login(world.a.pupil)
    session = client.session
    session["kiosk"] = True
    session["kiosk_seen"] = 0  # long ago
    session.save()
    client.get(reverse("circulation:kiosk"))
    assert "_auth_user_id" not in client.session
    assert client.session.get("kiosk")


def test_the_service_worker_does_not_keep_a_kiosk_reader_signed_in(world, client, settings):
    settings.CIRCULATION_KIOSK_IDLE_SECONDS = 180
    start = datetime.datetime(2026, 10, 14, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(world.a.pupil)
        client.get(reverse("circulation:kiosk"))
        seen = client.session["kiosk_seen"]
        clock.shift(datetime.timedelta(seconds=120))
        client.get(reverse("webpush:service_worker"), headers={"Sec-Fetch-Dest": "serviceworker"})
        assert client.session["kiosk_seen"] == seen
        clock.shift(datetime.timedelta(seconds=100))
        response = client.get(reverse("circulation:account"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert "_auth_user_id" not in client.session


def test_nav_items(world, login):
    body = login(world.a.librarian).get(reverse("portal:dashboard")).content.decode()
    assert reverse("circulation:desk_home") in body
    body = login(world.a.pupil, mfa=False).get(reverse("portal:dashboard")).content.decode()
    assert reverse("circulation:account") in body
    assert reverse("circulation:desk_home") not in body


def test_record_page_for_anonymous_shows_availability(world, library, client):
    body = client.get(library["record"].get_absolute_url()).content.decode()
    assert "2 z 2 na półce" in body or "na półce" in body


def test_librarian_places_hold_for_reader_by_card(world, library, login):
    _lend_to(world, world.a.teacher, library["copy"])
    _lend_to(world, world.a.teacher, library["copy2"])
    client = login(world.a.librarian)
    url = reverse("circulation:hold_place", args=[library["record"].pk])
    assert (
        "Zarezerwuj dla czytelnika"
        in client.get(library["record"].get_absolute_url()).content.decode()
    )
    client.post(url, {"school": world.a.school.pk, "card": card(world.a.pupil)})
    assert Hold.objects.filter(reader=world.a.pupil, school=world.a.school).exists()
    # Not at another school's library.
    response = client.post(url, {"school": world.b.school.pk, "card": card(world.b.pupil)})
    assert response.status_code == 404
    # A pupil cannot place holds for others by sending a card.
    pupil = login(world.a.other_pupil, mfa=False)
    assert (
        pupil.post(url, {"school": world.a.school.pk, "card": card(world.a.guardian)}).status_code
        == 404
    )


def test_rules_delete_scoped_to_own_library(world, login):
    from tests.factories.circulation import rule_create

    own = rule_create(world.a.school, reader_category="pupil")
    foreign = rule_create(world.b.school, reader_category="pupil")
    client = login(world.a.librarian)
    url = reverse("circulation:rules", args=[world.a.school.pk])
    assert client.post(url, {"action": "delete_rule", "pk": foreign.pk}).status_code == 404
    client.post(url, {"action": "delete_rule", "pk": own.pk, "confirm": "1"})
    assert not world.a.school.loan_rules.exists() and world.b.school.loan_rules.exists()


def test_closed_days_ending_before_they_start_are_explained_not_named(world, login):
    client = login(world.a.librarian)
    url = reverse("circulation:rules", args=[world.a.school.pk])
    data = {
        "action": "closed",
        "closed-name": "Ferie",
        "closed-start": "2027-01-31",
        "closed-end": "2027-01-18",
    }
    page = client.post(url, data, follow=True).content.decode()
    assert "nie może kończyć się przed swoim początkiem" in page
    assert "circulation_closed_dates" not in page
    assert not world.a.school.library_closed.exists()


def test_loan_rules_and_closed_days_are_audited(world, login):
    from portal.models import AuditEvent

    client = login(world.a.librarian)
    url = reverse("circulation:rules", args=[world.a.school.pk])
    client.post(
        url,
        {
            "action": "closed",
            "closed-name": "Ferie",
            "closed-start": "2027-01-18",
            "closed-end": "2027-01-31",
        },
    )
    period = world.a.school.library_closed.get()
    client.post(url, {"action": "delete_closed", "pk": period.pk, "confirm": "1"})
    actions = list(
        AuditEvent.objects.filter(category="library")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["closed_period.create", "closed_period.delete"]
    deleted = AuditEvent.objects.get(action="closed_period.delete")
    assert deleted.actor == world.a.librarian and deleted.before["name"] == "Ferie"
    assert deleted.school_id == world.a.school.pk


def test_the_reader_panel_counts_open_overdue_and_due_soon_per_reader(world, library, rf):
    """The dashboard's loans panel: per reader (the guardian's child, not another
    pupil), open loans, overdue ones and those due within three days."""
    from library.circulation.panels import reader_panel

    with time_machine.travel(timezone.now(), tick=False):  # one "today" throughout
        today = timezone.localdate()
        overdue = _lend_to(world, world.a.pupil, library["copy"])
        soon = _lend_to(world, world.a.pupil, library["copy2"])
        later = _lend_to(world, world.a.pupil, copy_create(library["record"], world.a.school))
        _lend_to(world, world.a.other_pupil, copy_create(library["record"], world.a.school))
        Loan.objects.filter(pk=overdue.pk).update(due_on=today - datetime.timedelta(days=1))
        Loan.objects.filter(pk=soon.pk).update(due_on=today + datetime.timedelta(days=3))
        Loan.objects.filter(pk=later.pk).update(due_on=today + datetime.timedelta(days=4))
        request = rf.get("/")
        request.user = world.a.guardian
        rows = reader_panel(request)["rows"]
        assert [(r["reader"], r["open"], r["overdue"], r["soon"]) for r in rows] == [
            (world.a.pupil, 3, 1, 1)
        ]
        request = rf.get("/")
        request.user = world.a.pupil
        assert [(r["open"], r["overdue"], r["soon"]) for r in reader_panel(request)["rows"]] == [
            (3, 1, 1)
        ]
        Loan.objects.filter(pk=soon.pk).update(due_on=today)  # due today: soon, not overdue
        request = rf.get("/")
        request.user = world.a.guardian
        assert [(r["open"], r["overdue"], r["soon"]) for r in reader_panel(request)["rows"]] == [
            (3, 1, 1)
        ]
