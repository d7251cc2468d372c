"""Sending: the payload is encrypted for the browser (aes128gcm) and signed with
the portal's VAPID key. No network: the push service is a local HTTP server."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from py_vapid import Vapid02

from tests.factories import UserFactory
from tests.factories.webpush import subscription_create, vapid_settings
from webpush.models import PushSubscription
from webpush.services import push_to_user

pytestmark = pytest.mark.django_db

PAYLOAD = {
    "title": "Nowa ocena: matematyka",
    "body": "Zosia Kowalska otrzymała 5 ze sprawdzianu „Ułamki”.",
    "url": "/dziennik/uczen/7/",
    "tag": "grade-7",
}


class PushService:
    """A stand-in push service on 127.0.0.1 (random port) that records each POST
    and answers with `status`."""

    def __init__(self, status: int = 201):
        self.status = status
        self.requests: list[dict] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                service.requests.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers.items()),
                        "body": self.rfile.read(length),
                    }
                )
                self.send_response(service.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def vapid(settings, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    return vapid_settings(settings)


@pytest.fixture
def push_service():
    with PushService() as service:
        yield service


def test_payload_is_encrypted_for_the_browser_and_signed_with_vapid(vapid, push_service):
    user = UserFactory()
    subscription = subscription_create(user, push_service.url("/push/abc"))

    assert push_to_user(user_id=user.pk, payload=PAYLOAD) == 1

    [request] = push_service.requests
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert request["path"] == "/push/abc"
    assert headers["content-encoding"] == "aes128gcm"
    assert headers["ttl"] == "86400"
    assert headers["urgency"] == "normal"
    # RFC 8292: "vapid t=<JWT>,k=<the portal's public key>", valid for this origin
    scheme, _space, params = headers["authorization"].partition(" ")
    assert scheme == "vapid"
    parts = dict(p.split("=", 1) for p in params.split(","))
    assert set(parts) == {"t", "k"}
    assert parts["k"] == vapid["public"]
    assert Vapid02.verify(headers["authorization"])
    claims = json.loads(_jwt_part(parts["t"], 1))
    assert claims["aud"] == push_service.url("")
    assert claims["sub"] == "mailto:oswiata@example.org"
    assert claims["exp"] > time.time()
    # only the browser's private key opens it
    plain = http_ece.decrypt(
        request["body"],
        private_key=subscription.receiver.private_key,
        auth_secret=subscription.receiver.auth_secret,
        version="aes128gcm",
    )
    assert json.loads(plain.decode()) == PAYLOAD
    subscription.refresh_from_db()
    assert subscription.last_success_at is not None
    assert subscription.failure_count == 0


def _jwt_part(token: str, index: int) -> bytes:
    import base64

    part = token.split(".")[index]
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_every_device_of_the_user_and_nobody_else(vapid, push_service):
    user, other = UserFactory(), UserFactory()
    subscription_create(user, push_service.url("/phone"))
    subscription_create(user, push_service.url("/laptop"))
    subscription_create(other, push_service.url("/other"))

    assert push_to_user(user_id=user.pk, payload=PAYLOAD) == 2
    assert sorted(r["path"] for r in push_service.requests) == ["/laptop", "/phone"]


def test_payload_keeps_only_the_four_fields_cut_to_length(vapid, push_service):
    user = UserFactory()
    subscription = subscription_create(user, push_service.url("/p"))
    push_to_user(
        user_id=user.pk,
        payload={"title": "Ż" * 500, "body": "b", "secret": "x", "url": None},
    )
    plain = http_ece.decrypt(
        push_service.requests[0]["body"],
        private_key=subscription.receiver.private_key,
        auth_secret=subscription.receiver.auth_secret,
        version="aes128gcm",
    )
    assert json.loads(plain) == {"title": "Ż" * 200, "body": "b", "url": "", "tag": ""}


@pytest.mark.parametrize("status", [404, 410])
def test_a_subscription_the_push_service_calls_gone_is_deleted(vapid, status):
    user = UserFactory()
    with PushService(status=status) as service:
        gone = subscription_create(user, service.url("/gone"))
        assert push_to_user(user_id=user.pk, payload=PAYLOAD) == 0
        assert len(service.requests) == 1
    assert not PushSubscription.objects.filter(pk=gone.pk).exists()


def test_a_server_error_is_counted_and_logged_never_raised(vapid, caplog):
    user = UserFactory()
    with PushService(status=500) as failing, PushService() as working:
        broken = subscription_create(user, failing.url("/down"))
        fine = subscription_create(user, working.url("/up"))
        assert push_to_user(user_id=user.pk, payload=PAYLOAD) == 1
        assert push_to_user(user_id=user.pk, payload=PAYLOAD) == 1
    broken.refresh_from_db()
    fine.refresh_from_db()
    assert broken.failure_count == 2
    assert broken.last_success_at is None
    assert fine.failure_count == 0
    assert f"Push to subscription {broken.pk} failed: HTTP 500" in caplog.text


def test_an_unreachable_push_service_is_a_failure_too(vapid):
    user = UserFactory()
    # a port nothing listens on (taken and released)
    with PushService() as service:
        url = service.url("/closed")
    subscription = subscription_create(user, url)
    assert push_to_user(user_id=user.pk, payload=PAYLOAD) == 0
    subscription.refresh_from_db()
    assert subscription.failure_count == 1


def test_a_success_resets_the_failure_count(vapid, push_service):
    user = UserFactory()
    subscription = subscription_create(user, push_service.url("/p"), failure_count=3)
    push_to_user(user_id=user.pk, payload=PAYLOAD)
    subscription.refresh_from_db()
    assert subscription.failure_count == 0


def test_push_off_without_vapid_keys_sends_nothing(settings, push_service):
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = settings.VAPID_SUBJECT = ""
    user = UserFactory()
    subscription_create(user, push_service.url("/p"))
    assert push_to_user(user_id=user.pk, payload=PAYLOAD) == 0
    assert push_service.requests == []


def test_an_unreadable_private_key_sends_nothing_and_does_not_raise(
    vapid, settings, push_service, caplog
):
    settings.VAPID_PRIVATE_KEY = "not-a-key"
    user = UserFactory()
    subscription_create(user, push_service.url("/p"))
    assert push_to_user(user_id=user.pk, payload=PAYLOAD) == 0
    assert push_service.requests == []
    assert "VAPID_PRIVATE_KEY cannot be read" in caplog.text
