"""The list, opening an item (marks it read; someone else's is 404), mark all
read, preferences, the school's rule, and the header's counts in one query."""

import pytest

from django.db import connection
from django.db.models import Count, OuterRef, Subquery
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Digest, Kind, Notification, Preferences, SchoolSettings
from portal import registry
from portal.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def items(user, n, kind=Kind.GRADE, start=0):
    Notification.objects.bulk_create(
        Notification(
            recipient=user,
            kind=kind,
            title=f"Powiadomienie {i}",
            key=f"k:{kind}:{i}",
            url=reverse("register:remarks"),
        )
        for i in range(start, start + n)
    )


@pytest.fixture
def parent(db):
    return UserFactory(username="mama")


def test_opening_marks_read_and_leads_to_the_item(parent, login):
    items(parent, 1)
    item = Notification.objects.get()
    response = login(parent).get(reverse("notifications:open", args=[item.pk]))
    assert response.status_code == 302 and response.url == reverse("register:remarks")
    item.refresh_from_db()
    assert item.read_at is not None


def test_another_users_notification_is_not_found_and_stays_unread(parent, login):
    items(parent, 1)
    item = Notification.objects.get()
    stranger = UserFactory(username="obcy")
    client = login(stranger)
    assert client.get(reverse("notifications:open", args=[item.pk])).status_code == 404
    assert client.get(reverse("notifications:open", args=[item.pk + 100])).status_code == 404
    item.refresh_from_db()
    assert item.read_at is None


def test_a_link_to_another_site_is_not_followed(parent, login):
    Notification.objects.create(
        recipient=parent, kind=Kind.REMARK, title="x", key="x", url="https://zle.example/"
    )
    item = Notification.objects.get()
    response = login(parent).get(reverse("notifications:open", args=[item.pk]))
    assert response.url == reverse("notifications:list")


def test_the_list_emphasises_unread_filters_by_kind_and_marks_all_read(parent, login):
    items(parent, 2, kind=Kind.GRADE)
    items(parent, 1, kind=Kind.REMARK, start=5)
    Notification.objects.filter(key="k:grade:0").update(read_at="2030-01-01T10:00:00Z")
    client = login(parent)
    page = client.get(reverse("notifications:list")).text
    assert page.count('class="is-unread"') == 2 and page.count('class="is-read"') == 1
    only_remarks = client.get(reverse("notifications:list") + "?rodzaj=remark").text
    assert "Powiadomienie 5" in only_remarks and "Powiadomienie 1" not in only_remarks
    client.post(reverse("notifications:mark_all_read"), {"rodzaj": "remark"})
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
    client.post(reverse("notifications:mark_all_read"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    # someone else's are untouched
    other = UserFactory(username="tata")
    items(other, 1)
    client.post(reverse("notifications:mark_all_read"))
    assert Notification.objects.get(recipient=other).read_at is None


def test_the_bell_shows_the_unread_count_accessibly(parent, login):
    items(parent, 3)
    page = login(parent).get(reverse("notifications:preferences")).text
    assert 'data-counter="notifications"' in page
    assert "3 nieprzeczytane" in page


def test_the_header_counts_cost_one_query_for_all_counters(parent, login, monkeypatch):
    digests = (
        Digest.objects.filter(recipient_id=OuterRef("pk"))
        .order_by()
        .values("recipient_id")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    monkeypatch.setitem(
        registry._header_counters,
        "digests",
        registry.HeaderCounter(
            "digests", "Podsumowania", "notifications:list", lambda user: Subquery(digests)
        ),
    )
    items(parent, 4)
    client = login(parent)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("notifications:preferences")).text
    counting = [q["sql"] for q in queries if "notifications_notification" in q["sql"]]
    assert len(counting) == 1
    assert "notifications_digest" in counting[0]
    assert not [
        q for q in queries if "notifications_digest" in q["sql"] and q["sql"] not in counting
    ]
    assert "4 nieprzeczytane" in page and "Podsumowania" in page


def test_the_compiled_header_statement_counts_each_users_own(parent, login):
    """The header's statement is compiled once per process with a placeholder
    user; every request puts its own user's id in, so nobody sees another's
    count."""
    from portal import header

    other = UserFactory(username="tata")
    items(parent, 3)
    items(other, 1, start=10)
    assert "3 nieprzeczytane" in login(parent).get(reverse("notifications:preferences")).text
    compiled = dict(header._COMPILED)
    assert compiled and all(slots for _sql, _params, slots in compiled.values())
    page = login(other).get(reverse("notifications:preferences")).text
    assert ": 1 nieprzeczytana" in page and "3 nieprzeczytane" not in page
    assert compiled == header._COMPILED  # reused, not rebuilt
    counts = {c["key"]: c["count"] for c in header.HeaderCounts(parent)}
    assert counts["notifications"] == 3


def test_no_count_query_for_an_anonymous_visitor(client):
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("account_login"))
    assert not [q for q in queries if "notifications_notification" in q["sql"]]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_and_bell_cost_the_same_queries_at_10_and_300_items(parent, login):
    client = login(parent)
    url = reverse("notifications:list")
    items(parent, 10)
    client.get(url)  # warm the session
    small = _queries(client, url)
    items(parent, 290, start=10)
    large = _queries(client, url)
    assert small == large
    assert "300 nieprzeczytanych" in client.get(url).text


def test_preferences_are_saved_validated_and_audited(parent, login):
    client = login(parent)
    url = reverse("notifications:preferences")
    assert client.get(url).status_code == 200
    bad = client.post(
        url, {"email_mode": "immediate", "digest_time": "18:00", "quiet_start": "22:00"}
    )
    assert bad.status_code == 200 and "godzin ciszy" in bad.text
    assert not Preferences.objects.exists()
    response = client.post(
        url,
        {
            "email_kinds": ["grade", "remark"],
            "push_kinds": ["grade"],
            "email_mode": "digest",
            "digest_time": "19:30",
            "quiet_start": "22:00",
            "quiet_end": "07:00",
        },
    )
    assert response.status_code == 302
    prefs = Preferences.objects.get(user=parent)
    assert prefs.email_kinds == ["grade", "remark"] and prefs.email_mode == "digest"
    assert str(prefs.quiet_end) == "07:00:00"
    assert AuditEvent.objects.filter(
        action="notification_preferences.create", actor=parent
    ).exists()


def test_only_the_schools_admin_turns_guardian_notifications_off(world, login):
    url = reverse("notifications:school_settings", args=[world.a.school.pk])
    assert login(world.b.admin).post(url, {}).status_code == 404
    assert login(world.a.teacher).get(url).status_code == 404
    assert login(world.a.guardian).get(url).status_code == 404
    assert not SchoolSettings.objects.exists()
    client = login(world.a.admin)
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 302  # the box unticked
    assert SchoolSettings.objects.get(school=world.a.school).tell_guardians is False
    event = AuditEvent.objects.get(action="notification_settings.create")
    assert event.school_id == world.a.school.pk and event.actor == world.a.admin


def test_the_old_gradebook_list_leads_to_the_centre(parent, login):
    response = login(parent).get(reverse("gradebook:notifications"))
    assert response.status_code == 302 and response.url == reverse("notifications:list")
