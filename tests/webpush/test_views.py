"""The devices page, the service worker's JSON endpoints (owner only, CSRF),
the manifest, the service worker script, the offline page and vapid_keys."""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
from PIL import Image
from py_vapid import Vapid

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.models import AuditEvent
from tests.factories import UserFactory
from tests.factories.webpush import Receiver, subscription_create, vapid_settings
from webpush.models import PushSubscription
from webpush.services import MAX_DEVICES_PER_USER, device_label, public_key_of

pytestmark = pytest.mark.django_db

FCM = "https://fcm.googleapis.com/fcm/send/abc123"
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


def browser_subscription(endpoint=FCM, receiver=None):
    receiver = receiver or Receiver.new()
    return {
        "endpoint": endpoint,
        "expirationTime": None,
        "keys": {"p256dh": receiver.p256dh, "auth": receiver.auth},
    }


def post_json(client, url, body, **extra):
    return client.post(url, json.dumps(body), content_type="application/json", **extra)


@pytest.fixture
def push_on(settings):
    return vapid_settings(settings)


@pytest.fixture
def parent(login):
    user = UserFactory(username="rodzic")
    return user, login(user)


# --- subscribe ---------------------------------------------------------------------------


def test_subscribe_stores_the_browser_with_a_short_device_label(push_on, parent):
    user, client = parent
    response = post_json(
        client,
        reverse("webpush:subscribe"),
        browser_subscription(),
        HTTP_USER_AGENT=CHROME_ANDROID,
    )
    assert response.status_code == 200
    subscription = PushSubscription.objects.get()
    assert response.json() == {"ok": True, "id": subscription.pk}
    assert subscription.user == user
    assert subscription.endpoint == FCM
    assert subscription.user_agent == "Chrome, Android"
    event = AuditEvent.objects.get(action="push_subscription.create")
    assert event.actor == user and event.person == user
    assert FCM not in json.dumps(event.after) + event.target_repr


def test_subscribing_the_same_browser_again_refreshes_it(push_on, parent):
    _user, client = parent
    post_json(client, reverse("webpush:subscribe"), browser_subscription())
    receiver = Receiver.new()
    post_json(client, reverse("webpush:subscribe"), browser_subscription(receiver=receiver))
    assert PushSubscription.objects.get().p256dh == receiver.p256dh


def test_a_browser_another_user_subscribed_moves_to_the_new_user(push_on, parent):
    user, client = parent
    earlier = subscription_create(UserFactory(), FCM)
    # the same browser presents the same keys
    body = browser_subscription(receiver=earlier.receiver)
    response = post_json(client, reverse("webpush:subscribe"), body)
    assert response.status_code == 200
    earlier.refresh_from_db()
    assert earlier.user == user
    assert PushSubscription.objects.count() == 1


def test_knowing_another_user_s_endpoint_does_not_take_their_device(push_on, parent):
    _user, client = parent
    victim = UserFactory()
    earlier = subscription_create(victim, FCM)
    response = post_json(client, reverse("webpush:subscribe"), browser_subscription())
    assert response.status_code == 400
    earlier.refresh_from_db()
    assert earlier.user == victim


def test_a_user_keeps_at_most_the_newest_devices(push_on, parent):
    user, client = parent
    for n in range(MAX_DEVICES_PER_USER):
        subscription_create(user, f"https://fcm.googleapis.com/fcm/send/{n}")
    oldest = PushSubscription.objects.order_by("created_at", "pk").first()
    post_json(client, reverse("webpush:subscribe"), browser_subscription())
    assert PushSubscription.objects.filter(user=user).count() == MAX_DEVICES_PER_USER
    assert not PushSubscription.objects.filter(pk=oldest.pk).exists()


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://fcm.googleapis.com/fcm/send/x",  # not https
        "https://127.0.0.1/push",  # the server would call itself
        "https://intranet.example.org/push",  # not a push service
        "https://fcm.googleapis.com.evil.example/x",  # lookalike host
        "https://user:pw@fcm.googleapis.com/x",
        "https://fcm.googleapis.com:8443/x",
    ],
)
def test_subscribe_refuses_an_endpoint_that_is_not_a_push_service(push_on, parent, endpoint):
    _user, client = parent
    response = post_json(client, reverse("webpush:subscribe"), browser_subscription(endpoint))
    assert response.status_code == 400
    assert response.json()["code"] == "endpoint"
    assert response.json()["error"] == (
        "Usługa powiadomień tej przeglądarki nie jest obsługiwana przez portal."
    )
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        "nie json",
        [],
        {"endpoint": FCM},
        {"endpoint": FCM, "keys": {"p256dh": "", "auth": "x"}},
        {"endpoint": FCM, "keys": {"p256dh": "AAAA", "auth": "AAAAAAAAAAAAAAAAAAAAAA"}},
        {"endpoint": FCM, "keys": {"p256dh": "!!", "auth": "??"}},
        {"endpoint": 5, "keys": {"p256dh": "a", "auth": "b"}},
    ],
)
def test_subscribe_refuses_a_malformed_subscription_in_polish(push_on, parent, body):
    _user, client = parent
    data = body if isinstance(body, str) else json.dumps(body)
    response = client.post(reverse("webpush:subscribe"), data, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] in {"invalid", "keys"}
    assert "przeglądarka" in response.json()["error"].lower()
    assert not PushSubscription.objects.exists()


def test_subscribe_says_push_is_off_without_vapid_keys(settings, parent):
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = settings.VAPID_SUBJECT = ""
    _user, client = parent
    response = post_json(client, reverse("webpush:subscribe"), browser_subscription())
    assert response.status_code == 503
    assert response.json()["code"] == "push_off"
    assert not PushSubscription.objects.exists()


def test_subscribe_needs_a_signed_in_user_and_a_post(push_on, client):
    url = reverse("webpush:subscribe")
    response = post_json(client, url, browser_subscription())
    assert response.status_code == 302 and "/konto/login/" in response["Location"]
    assert not PushSubscription.objects.exists()


def test_subscribe_and_unsubscribe_need_the_csrf_token(push_on):
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = post_json(client, reverse("webpush:subscribe"), browser_subscription())
    assert response.status_code == 403
    assert not PushSubscription.objects.exists()
    subscription_create(user, FCM)
    assert post_json(client, reverse("webpush:unsubscribe"), {"endpoint": FCM}).status_code == 403
    assert PushSubscription.objects.count() == 1
    # with the token of a page, as push.js sends it
    page = client.get(reverse("webpush:devices"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    response = post_json(
        client, reverse("webpush:unsubscribe"), {"endpoint": FCM}, HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 200
    assert not PushSubscription.objects.exists()


# --- unsubscribe and remove: the owner only -----------------------------------------------


def test_unsubscribe_removes_the_users_own_browser(push_on, parent):
    user, client = parent
    subscription_create(user, FCM)
    response = post_json(client, reverse("webpush:unsubscribe"), {"endpoint": FCM})
    assert response.status_code == 200
    assert not PushSubscription.objects.exists()
    assert AuditEvent.objects.filter(action="push_subscription.delete", person=user).exists()


def test_unsubscribe_of_another_users_endpoint_is_404(push_on, parent):
    _user, client = parent
    foreign = subscription_create(UserFactory(), FCM)
    response = post_json(client, reverse("webpush:unsubscribe"), {"endpoint": foreign.endpoint})
    assert response.status_code == 404
    assert PushSubscription.objects.filter(pk=foreign.pk).exists()


def test_remove_button_deletes_the_owners_device(push_on, parent):
    user, client = parent
    device = subscription_create(user, FCM, user_agent="Safari, iPhone")
    response = client.post(reverse("webpush:remove", args=[device.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("webpush:devices")
    assert "Safari, iPhone nie będzie już otrzymywać powiadomień." in response.content.decode()
    assert not PushSubscription.objects.exists()


def test_nobody_but_the_owner_removes_a_device_not_even_a_superuser(push_on, login):
    device = subscription_create(UserFactory(), FCM)
    for user in (UserFactory(), UserFactory(is_superuser=True, is_staff=True)):
        client = login(user)
        assert client.post(reverse("webpush:remove", args=[device.pk])).status_code == 404
    assert PushSubscription.objects.filter(pk=device.pk).exists()


def test_remove_takes_only_post(push_on, parent):
    user, client = parent
    device = subscription_create(user, FCM)
    assert client.get(reverse("webpush:remove", args=[device.pk])).status_code == 405
    assert PushSubscription.objects.exists()


def test_signing_out_turns_off_push_of_the_browser_subscribed_in_that_session(push_on, parent):
    user, client = parent
    other_device = subscription_create(user, "https://fcm.googleapis.com/fcm/send/phone")
    post_json(client, reverse("webpush:subscribe"), browser_subscription())
    client.post(reverse("account_logout"))
    assert list(PushSubscription.objects.all()) == [other_device]


# --- the devices page --------------------------------------------------------------------


def test_devices_page_lists_only_the_users_own_devices(push_on, parent):
    user, client = parent
    mine = subscription_create(user, FCM, user_agent="Chrome, Android", failure_count=2)
    subscription_create(UserFactory(), "https://fcm.googleapis.com/x", user_agent="Edge, Windows")
    response = client.get(reverse("webpush:devices"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Urządzenia z powiadomieniami push</h1>" in html
    assert "Chrome, Android" in html and "Edge, Windows" not in html
    assert "2 nieudane doręczenia" in html
    assert reverse("webpush:remove", args=[mine.pk]) in html
    assert f'data-endpoint-hash="{mine.endpoint_hash}"' in html
    assert FCM not in html  # the endpoint is the key to the device: never shown
    assert f'data-public-key="{push_on["public"]}"' in html
    assert "data-push-enable" in html
    assert "ekranu początkowego" in html  # the iPhone explanation


def test_devices_page_says_politely_that_push_is_off(settings, parent):
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = settings.VAPID_SUBJECT = ""
    _user, client = parent
    html = client.get(reverse("webpush:devices")).content.decode()
    assert "Powiadomienia push nie są jeszcze dostępne w tym portalu" in html
    assert "data-push-enable" not in html


def test_devices_page_needs_sign_in(client):
    response = client.get(reverse("webpush:devices"))
    assert response.status_code == 302 and "/konto/login/" in response["Location"]


def test_devices_page_query_count_does_not_grow_with_devices(push_on, parent):
    user, client = parent
    subscription_create(user, "https://fcm.googleapis.com/fcm/send/1")
    client.get(reverse("webpush:devices"))  # session and translations warmed up
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("webpush:devices"))
    for n in range(2, 12):
        subscription_create(user, f"https://fcm.googleapis.com/fcm/send/{n}")
    with CaptureQueriesContext(connection) as eleven:
        client.get(reverse("webpush:devices"))
    assert len(eleven.captured_queries) == len(one.captured_queries)


def test_device_labels():
    assert device_label(CHROME_ANDROID) == "Chrome, Android"
    assert (
        device_label(
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
        )
        == "Safari, iPhone"
    )
    assert (
        device_label(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
        )
        == "Edge, Windows"
    )
    assert (
        device_label("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")
        == "Firefox, Linux"
    )
    assert device_label("") == ""


# --- the installable portal --------------------------------------------------------------


def test_manifest(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    assert "public" in response["Cache-Control"] and "max-age=86400" in response["Cache-Control"]
    manifest = json.loads(response.content.decode())
    assert manifest["name"] == "Portal Oświatowy"
    assert manifest["lang"] == "pl"
    assert manifest["start_url"] == "/panel/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#0b4f8a"
    sizes = {(i["sizes"], i.get("purpose", "any")) for i in manifest["icons"]}
    assert sizes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix(settings.STATIC_URL))
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert "{}x{}".format(*image.size) == icon["sizes"]


def test_manifest_stays_cacheable_for_a_signed_in_user(parent):
    _user, client = parent
    assert "public" in client.get("/manifest.webmanifest")["Cache-Control"]


def test_service_worker_from_the_site_root(parent):
    _user, client = parent
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript; charset=utf-8"
    assert response["Cache-Control"] in {"no-cache, max-age=0", "max-age=0, no-cache"}
    script = response.content.decode()
    config = json.loads(re.search(r"const CONFIG = (\{.*\});", script)[1])
    assert config["offline"] == "/offline/"
    assert "/offline/" in config["precache"]
    for event in ("install", "activate", "fetch", "push", "notificationclick"):
        assert f'addEventListener("{event}"' in script
    assert "rodzic" not in script  # the same for everyone


def test_offline_page_holds_no_personal_data(parent):
    user, client = parent
    user.first_name, user.last_name = "Anna", "Nowak"
    user.save()
    response = client.get("/offline/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Brak połączenia</h1>" in html
    assert 'lang="pl"' in html
    assert "Anna" not in html and "rodzic" not in html
    assert "private" in response["Cache-Control"] and "no-store" not in response["Cache-Control"]


def test_every_page_links_the_manifest_and_registers_the_worker(client):
    html = client.get("/offline/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert '<meta name="theme-color" content="#0b4f8a">' in html
    assert 'rel="apple-touch-icon"' in html
    assert 'src="/static/webpush/push.js" data-service-worker="/sw.js"' in html


def test_csp_allows_the_worker_and_manifest_from_the_site(client):
    policy = client.get("/offline/")["Content-Security-Policy"]
    assert "worker-src 'self'" in policy
    assert "manifest-src 'self'" in policy


# --- vapid_keys --------------------------------------------------------------------------


def test_vapid_keys_command_prints_a_working_pair():
    out = StringIO()
    call_command(
        "vapid_keys", "--subject", "mailto:it@gmina.example", stdout=out, stderr=StringIO()
    )
    lines = dict(line.split("=", 1) for line in out.getvalue().splitlines())
    assert set(lines) == {"VAPID_PUBLIC_KEY", "VAPID_PRIVATE_KEY", "VAPID_SUBJECT"}
    assert lines["VAPID_SUBJECT"] == "mailto:it@gmina.example"
    assert public_key_of(Vapid.from_string(lines["VAPID_PRIVATE_KEY"])) == lines["VAPID_PUBLIC_KEY"]


def test_checks_catch_mismatched_keys(settings):
    from webpush.checks import vapid_settings as check

    vapid_settings(settings)
    assert check(None) == []
    settings.VAPID_PUBLIC_KEY = vapid_settings.__name__  # anything else
    assert [e.id for e in check(None)] == ["webpush.E004"]
    settings.VAPID_SUBJECT = ""
    assert [e.id for e in check(None)] == ["webpush.W001"]


def test_anonymous_user_is_not_a_push_user():
    from webpush.permissions import can_manage_push

    assert not can_manage_push(AnonymousUser())


def test_a_form_post_to_the_json_endpoints_is_refused(push_on, parent):
    _user, client = parent
    for name in ("webpush:subscribe", "webpush:unsubscribe"):
        response = client.post(reverse(name), {"endpoint": FCM})
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"


def test_dashboard_leads_to_the_devices_page_only_when_push_is_set_up(settings, parent):
    _user, client = parent
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = settings.VAPID_SUBJECT = ""
    assert reverse("webpush:devices") not in client.get("/panel/").content.decode()
    vapid_settings(settings)
    html = client.get("/panel/").content.decode()
    assert "Powiadomienia na telefonie" in html
    assert reverse("webpush:devices") in html
