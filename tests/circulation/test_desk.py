"""The desk's daily tools (issue 13): finding a reader by name, class or card;
lending or renewing despite a refusal with a reason; the cards of a whole class in
one PDF; the overdue list by class and reader with one-click reminders."""

import datetime
import re

import pytest
from weasyprint import HTML

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from library.circulation import cards, selectors, services
from library.circulation.models import Loan, ReaderProfile, SentNotification
from portal.models import AuditEvent
from tests.factories import make_pupil
from tests.factories.circulation import card, copy_create, rule_create

from .test_views import desk_url as views_desk_url
from .test_views import lend


def desk_url(school, **query):
    return with_query(views_desk_url(school), query)


def with_query(url, query):
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def readers_url(school):
    return reverse("circulation:readers", args=[school.pk])


def override(client, school, kind, codes, reason, reader=None):
    """Submit the desk's "lend anyway" / "renew anyway" form."""
    data = {"action": "override", "ov-kind": kind, "ov-barcodes": ",".join(codes)}
    data.update({"ov-reason": reason, "ov-card": card(reader) if reader else ""})
    return client.post(desk_url(school), data)


def lend_long_ago(world, reader, copy, days=40):
    return services.loan_checkout(
        user=world.a.librarian,
        school=world.a.school,
        card_number=card(reader),
        barcode=copy.barcode,
        today=timezone.localdate() - datetime.timedelta(days=days),
    )


# --- 1. Finding a reader -----------------------------------------------------------------


def test_find_a_reader_by_surname_class_or_card_in_own_school_only(world, login):
    world.a.pupil.last_name = "Nowakowska"
    world.a.pupil.save()
    world.b.pupil.last_name = "Nowakowska"  # the same surname at another school
    world.b.pupil.save()
    client = login(world.a.librarian)
    body = client.get(readers_url(world.a.school), {"q": "nowakow"}).content.decode()
    assert desk_url(world.a.school, reader=world.a.pupil.pk) in body
    assert f"reader={world.b.pupil.pk}" not in body
    assert "4a" in body  # the class, to tell readers of one name apart
    # A class name lists the class's pupils, not the other class.
    body = client.get(readers_url(world.a.school), {"q": "4A"}).content.decode()
    assert f"reader={world.a.pupil.pk}" in body
    assert f"reader={world.a.other_pupil.pk}" not in body
    # Class and surname together narrow it down.
    found = selectors.readers_find(world.a.school, "4a nowakow")
    assert list(found) == [world.a.pupil]
    # The card number (as scanned) finds its holder; another school's card finds nobody.
    assert list(selectors.readers_find(world.a.school, card(world.a.pupil).lower())) == [
        world.a.pupil
    ]
    assert not selectors.readers_find(world.a.school, card(world.b.pupil)).exists()
    body = client.get(readers_url(world.a.school), {"q": card(world.b.pupil)}).content.decode()
    assert "Nie znaleziono czytelnika." in body


def test_staff_are_found_without_a_class(world, login):
    client = login(world.a.librarian)
    response = client.get(readers_url(world.a.school), {"q": world.a.teacher.last_name})
    assert f"reader={world.a.teacher.pk}" in response.content.decode()
    assert "pracownik" in response.content.decode()
    assert not selectors.readers_find(world.a.school, world.a.guardian.last_name).filter(
        pk=world.a.guardian.pk
    )


def test_choosing_a_reader_opens_them_at_the_desk(world, library, login):
    client = login(world.a.librarian)
    lend(client, world.a.school, world.a.pupil, library["copy"])
    body = client.get(desk_url(world.a.school, reader=world.a.pupil.pk)).content.decode()
    assert library["record"].title in body  # their loans
    assert f'value="{card(world.a.pupil)}"' in body  # their card, ready to lend
    # Another school's reader (or a guardian, who is no reader) is not found.
    assert client.get(desk_url(world.a.school, reader=world.b.pupil.pk)).status_code == 404
    assert client.get(desk_url(world.a.school, reader=world.a.guardian.pk)).status_code == 404
    assert client.get(desk_url(world.a.school, reader="abc")).status_code == 400


def test_reader_search_query_count_does_not_grow(world, login):
    client = login(world.a.librarian)

    def queries():
        client.get(readers_url(world.a.school), {"q": "4a"})  # the session's first reads
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(readers_url(world.a.school), {"q": "4a"})
        assert response.status_code == 200
        return len(ctx.captured_queries)

    for _ in range(2):
        card(make_pupil(world.a.class_a))
    few = queries()
    for _ in range(12):
        card(make_pupil(world.a.class_a))
    assert queries() == few


def test_reader_search_bounded_queries(world, login, django_assert_max_num_queries):
    for _ in range(25):
        make_pupil(world.a.class_a)
    client = login(world.a.librarian)
    client.get(readers_url(world.a.school), {"q": "4a"})
    with django_assert_max_num_queries(25):
        response = client.get(readers_url(world.a.school), {"q": "4a"})
    assert response.content.decode().count("?reader=") >= 25


# --- 2. Overriding a refusal ----------------------------------------------------------------


def test_refused_loan_is_lent_anyway_with_a_reason_and_audited(world, library, login):
    rule_create(world.a.school, max_loans=1)
    client = login(world.a.librarian)
    lend(client, world.a.school, world.a.pupil, library["copy"])
    body = lend(client, world.a.school, world.a.pupil, library["copy2"]).content.decode()
    assert "Odmowa" in body and "Wypożycz mimo to" in body
    assert not Loan.objects.filter(copy=library["copy2"]).exists()
    response = override(
        client,
        world.a.school,
        "checkout",
        [library["copy2"].barcode],
        "Lektura na jutrzejszą lekcję",
        reader=world.a.pupil,
    )
    assert response.status_code == 200
    assert Loan.objects.open().filter(copy=library["copy2"], reader=world.a.pupil).exists()
    event = AuditEvent.objects.get(action="loan.checkout_override")
    assert event.actor == world.a.librarian and event.person == world.a.pupil
    assert event.reason == "Lektura na jutrzejszą lekcję"
    assert event.before == {"loans_here": 1, "overdue": 0}
    assert event.after["overridden"] == ["limit_reached"]
    assert "Wypożycz mimo to" not in response.content.decode()


def test_override_without_a_reason_is_a_form_error_and_keeps_the_scan(world, library, login):
    rule_create(world.a.school, max_loans=1)
    client = login(world.a.librarian)
    lend(client, world.a.school, world.a.pupil, library["copy"])
    response = override(
        client, world.a.school, "checkout", [library["copy2"].barcode], "   ", world.a.pupil
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Podaj powód" in body
    assert library["copy2"].barcode in body and card(world.a.pupil) in body
    assert not Loan.objects.filter(copy=library["copy2"]).exists()
    assert not AuditEvent.objects.filter(action="loan.checkout_override").exists()


def test_the_overdue_block_keeps_the_untried_copies_for_the_override(world, library, login):
    lend_long_ago(world, world.a.pupil, library["copy"])
    third = copy_create(library["record"], world.a.school)
    client = login(world.a.librarian)
    body = lend(client, world.a.school, world.a.pupil, library["copy2"], third).content.decode()
    assert f"{library['copy2'].barcode},{third.barcode}" in body
    codes = [library["copy2"].barcode, third.barcode]
    override(client, world.a.school, "checkout", codes, "Zwróci w piątek", world.a.pupil)
    assert Loan.objects.open().filter(reader=world.a.pupil).count() == 3
    assert AuditEvent.objects.filter(action="loan.checkout_override").count() == 2


def test_refused_renewal_is_renewed_anyway_with_a_reason(world, library, login):
    loan = lend_long_ago(world, world.a.pupil, library["copy"])
    client = login(world.a.librarian)
    body = client.post(
        desk_url(world.a.school), {"action": "renew", "back-barcode": library["copy"].barcode}
    ).content.decode()
    assert "Przedłuż mimo to" in body
    override(client, world.a.school, "renew", [library["copy"].barcode], "Choroba ucznia")
    renewed = Loan.objects.get(pk=loan.pk)
    assert renewed.renewals == 1 and renewed.due_on > timezone.localdate()
    event = AuditEvent.objects.get(action="loan.renew_override")
    assert event.actor == world.a.librarian and event.reason == "Choroba ucznia"
    assert event.before == {"due_on": loan.due_on.isoformat(), "renewals": 0}
    assert event.after["due_on"] == renewed.due_on.isoformat()


def test_a_refusal_that_cannot_be_overridden_offers_no_override(world, library, login):
    client = login(world.a.librarian)
    lend(client, world.a.school, world.a.pupil, library["copy"])
    body = lend(client, world.a.school, world.a.teacher, library["copy"]).content.decode()
    assert "Ten egzemplarz jest już wypożyczony." in body
    assert "mimo to" not in body


def test_another_schools_librarian_cannot_override(world, library, login):
    rule_create(world.a.school, max_loans=1)
    lend_long_ago(world, world.a.pupil, library["copy"], days=1)
    client = login(world.b.librarian)
    args = ("checkout", [library["copy2"].barcode], "bo tak", world.a.pupil)
    assert override(client, world.a.school, *args).status_code == 404
    # ...nor at their own desk with school A's card and copy.
    body = override(client, world.b.school, *args).content.decode()
    assert "Żaden czytelnik nie ma karty" in body
    assert not Loan.objects.filter(copy=library["copy2"]).exists()
    assert not AuditEvent.objects.filter(action="loan.checkout_override").exists()


# --- 3. Cards of a class --------------------------------------------------------------------


def cards_url(school, **query):
    return with_query(reverse("circulation:class_cards", args=[school.pk]), query)


def test_class_cards_one_pdf_one_card_per_pupil_in_surname_order(world, login):
    cls = world.a.class_a
    for name in ("Zawadzka", "Adamski", "Kowalczyk"):
        make_pupil(cls, last_name=name)
    client = login(world.a.librarian)
    picker = client.get(cards_url(world.a.school)).content.decode()
    assert f'value="{cls.pk}"' in picker and f'value="{world.b.class_a.pk}"' not in picker
    response = client.get(cards_url(world.a.school, klasa=cls.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    pupils = list(selectors.class_pupils(cls))
    assert len(pupils) == 4  # the world's pupil and three more
    assert [p.last_name for p in pupils] == sorted(p.last_name for p in pupils)
    # Every pupil now has a card, and the sheet holds each card number once, in order.
    profiles = services.reader_profiles_for(pupils)
    assert ReaderProfile.objects.filter(user__in=pupils).count() == 4
    html = cards.cards_sheet_html(profiles=profiles, school=world.a.school, class_name=cls.name)
    numbers = re.findall(r'<p class="number">(\w+)</p>', html)
    assert numbers == [p.card_number for p in profiles]
    assert html.count('class="sheet-card"') == 4


def test_class_cards_pdf_pages_hold_ten_cards(world):
    for i in range(11):
        make_pupil(world.a.class_b, last_name=f"Uczeń{i:02d}")
    profiles = services.reader_profiles_for(selectors.class_pupils(world.a.class_b))
    html = cards.cards_sheet_html(profiles=profiles, school=world.a.school)
    # 12 pupils (the world's one and eleven more): two A4 pages.
    assert len(HTML(string=html).render().pages) == 2


def test_class_cards_of_another_school_are_404(world, login):
    client = login(world.a.librarian)
    assert client.get(cards_url(world.a.school, klasa=world.b.class_a.pk)).status_code == 404
    assert client.get(cards_url(world.b.school, klasa=world.b.class_a.pk)).status_code == 404
    assert client.get(cards_url(world.a.school, klasa="abc")).status_code == 400
    assert login(world.a.teacher).get(cards_url(world.a.school)).status_code == 404


# --- 4. Overdue by class and reader, reminders -----------------------------------------------


def overdue_url(school, **query):
    return with_query(reverse("circulation:overdue", args=[school.pk]), query)


def remind_url(school):
    return reverse("circulation:overdue_remind", args=[school.pk])


@pytest.fixture
def overdue_world(world, library):
    world.a.guardian.email = "rodzic@example.com"
    world.a.guardian.save()
    world.a.other_pupil.email = "uczen@example.com"
    world.a.other_pupil.save()
    world.a.teacher.email = "nauczyciel@example.com"
    world.a.teacher.save()
    third = copy_create(library["record"], world.a.school)
    lend_long_ago(world, world.a.pupil, library["copy"])
    lend_long_ago(world, world.a.other_pupil, library["copy2"])
    lend_long_ago(world, world.a.teacher, third)
    return world


def test_overdue_grouped_by_class_and_filtered(overdue_world, library, login):
    world = overdue_world
    client = login(world.a.librarian)
    body = client.get(overdue_url(world.a.school)).content.decode()
    assert body.index("Klasa 4a") < body.index("Klasa 5a") < body.index("Pracownicy")
    assert "Wyślij przypomnienie" in body
    body = client.get(overdue_url(world.a.school, klasa=world.a.class_b.pk)).content.decode()
    assert world.a.other_pupil.sort_name in body and world.a.pupil.sort_name not in body
    body = client.get(overdue_url(world.a.school, czytelnik=world.a.pupil.pk)).content.decode()
    assert world.a.pupil.sort_name in body and world.a.other_pupil.sort_name not in body
    # Another school's class is not a filter of this list.
    response = client.get(overdue_url(world.a.school, klasa=world.b.class_a.pk))
    assert response.status_code == 404


def test_overdue_print_view_has_no_navigation_and_no_buttons(overdue_world, login):
    world = overdue_world
    body = login(world.a.librarian).get(overdue_url(world.a.school, druk=1)).content.decode()
    assert world.a.pupil.sort_name in body and world.a.teacher.sort_name in body
    assert "site-header" not in body and "Wyślij przypomnienie" not in body
    assert 'lang="pl"' in body


def test_remind_one_reader_queues_for_that_reader_only(
    overdue_world, login, mailoutbox, django_capture_on_commit_callbacks
):
    world = overdue_world
    client = login(world.a.librarian)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remind_url(world.a.school), {"reader": world.a.pupil.pk})
    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [["rodzic@example.com"]]
    assert SentNotification.objects.get().key.startswith("overdue_desk:loan:")
    event = AuditEvent.objects.get(action="loan.overdue_reminder")
    assert event.actor == world.a.librarian and event.person == world.a.pupil
    message = client.get(response.url).content.decode()
    assert "Zlecono przypomnienia dla 1 czytelnika" in message
    # A second click the same day sends nothing again.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(remind_url(world.a.school), {"reader": world.a.pupil.pk})
    assert len(mailoutbox) == 1


def test_remind_a_class(overdue_world, login, mailoutbox, django_capture_on_commit_callbacks):
    world = overdue_world
    client = login(world.a.librarian)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(remind_url(world.a.school), {"klasa": world.a.class_b.pk})
    assert [m.to for m in mailoutbox] == [["uczen@example.com"]]
    assert AuditEvent.objects.get(action="loan.overdue_reminder").after["class"] == "5a"


def test_reminders_refused_for_another_school_and_by_get(
    overdue_world, login, mailoutbox, django_capture_on_commit_callbacks
):
    world = overdue_world
    client = login(world.b.librarian)
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            client.post(remind_url(world.a.school), {"reader": world.a.pupil.pk}).status_code == 404
        )
        # At one's own desk a reader of another school is not found either.
        assert (
            client.post(remind_url(world.b.school), {"reader": world.a.pupil.pk}).status_code == 404
        )
        assert (
            client.post(remind_url(world.b.school), {"klasa": world.a.class_a.pk}).status_code
            == 404
        )
    assert login(world.a.librarian).get(remind_url(world.a.school)).status_code == 405
    assert (
        login(world.a.teacher)
        .post(remind_url(world.a.school), {"reader": world.a.pupil.pk})
        .status_code
        == 404
    )
    assert not mailoutbox
    assert not AuditEvent.objects.filter(action="loan.overdue_reminder").exists()


def test_overdue_page_query_count_does_not_grow(world, library, login):
    client = login(world.a.librarian)
    url = overdue_url(world.a.school)

    def queries():
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    lend_long_ago(world, world.a.pupil, library["copy"])
    few = queries()
    for _ in range(4):
        lend_long_ago(
            world, make_pupil(world.a.class_b), copy_create(library["record"], world.a.school)
        )
    assert queries() == few
