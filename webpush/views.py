"""Thin views of Web Push and the installable portal: the devices page and the
service worker's JSON endpoints (signed-in owner only), and the manifest,
service worker and offline page (the same for everyone)."""

from __future__ import annotations

import hashlib
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpResponse, JsonResponse, RawPostDataException
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.middleware import cacheable

from . import selectors, services
from .permissions import can_manage_push, own_subscriptions
from .signals import remember_endpoint

THEME_COLOUR = "#0b4f8a"  # --c-primary of static/css/portal.css: the site header
BACKGROUND_COLOUR = "#f6f7f9"  # --c-bg
APP_NAME = "Portal Oświatowy"
START_URL = "/panel/"


def _require_push_user(request) -> None:
    if not can_manage_push(request.user):
        raise Http404


@login_required
@require_GET
def devices_view(request):
    _require_push_user(request)
    return render(
        request,
        "webpush/devices.html",
        {
            "devices": selectors.devices_of(request.user),
            "push_enabled": services.push_enabled(),
            "public_key": services.application_server_key(),
        },
    )


def _json_body(request) -> dict | None:
    if request.content_type != "application/json":
        return None  # a form post (its body may already have been read as a form)
    try:
        body = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError, RawPostDataException):
        return None
    return body if isinstance(body, dict) else None


def _bad_request(code: str, message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"ok": False, "code": code, "error": message}, status=status)


@login_required
@require_POST
def subscribe_view(request):
    """The page's script posts the browser's PushSubscription.toJSON() here
    (CSRF token in the X-CSRFToken header)."""
    _require_push_user(request)
    body = _json_body(request)
    keys = body.get("keys") if body else None
    if not body or not isinstance(keys, dict):
        return _bad_request("invalid", _("The browser sent an invalid subscription."))
    fields = (body.get("endpoint"), keys.get("p256dh"), keys.get("auth"))
    if not all(isinstance(value, str) and value for value in fields):
        return _bad_request("invalid", _("The browser sent an invalid subscription."))
    try:
        subscription = services.subscription_save(
            user=request.user,
            endpoint=fields[0],
            p256dh=fields[1],
            auth=fields[2],
            user_agent=request.headers.get("User-Agent", ""),
        )
    except services.PushError as exc:
        return _bad_request(exc.code, exc.message, 503 if exc.code == "push_off" else 400)
    remember_endpoint(request, subscription.endpoint)
    messages.success(request, _("Notifications are on for this device."))
    return JsonResponse({"ok": True, "id": subscription.pk})


@login_required
@require_POST
def unsubscribe_view(request):
    """The browser turned push off (the page's "turn off on this device"): the
    JSON body names its endpoint; only the user's own subscription is removed."""
    _require_push_user(request)
    body = _json_body(request)
    endpoint = body.get("endpoint") if body else None
    if not isinstance(endpoint, str) or not endpoint:
        return _bad_request("invalid", _("The browser sent an invalid subscription."))
    subscription = get_object_or_404(own_subscriptions(request.user), endpoint=endpoint)
    services.subscription_delete(user=request.user, subscription=subscription)
    messages.success(request, _("Notifications are off for this device."))
    return JsonResponse({"ok": True})


@login_required
@require_POST
def remove_view(request, pk: int):
    """The remove button of one device in the list (its owner only: 404 otherwise)."""
    _require_push_user(request)
    subscription = get_object_or_404(own_subscriptions(request.user), pk=pk)
    label = str(subscription.user_agent) or _("Unknown device")
    services.subscription_delete(user=request.user, subscription=subscription)
    messages.success(
        request, _("%(device)s will no longer receive notifications.") % {"device": label}
    )
    return redirect("webpush:devices")


# --- The installable portal (the same answer for everyone) ---------------------------


def _icons() -> list[dict]:
    return [
        {"src": static("webpush/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static("webpush/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {
            "src": static("webpush/icon-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ]


@cacheable
@require_GET
def manifest_view(request):
    manifest = {
        "id": START_URL,
        "name": APP_NAME,
        "short_name": "Portal",
        "description": "Dziennik, wiadomości i powiadomienia szkół gminy.",
        "lang": "pl",
        "dir": "ltr",
        "start_url": START_URL,
        "scope": "/",
        "display": "standalone",
        "background_color": BACKGROUND_COLOUR,
        "theme_color": THEME_COLOUR,
        "icons": _icons(),
    }
    response = JsonResponse(
        manifest,
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    patch_cache_control(response, public=True, max_age=24 * 60 * 60)
    return response


def service_worker_config() -> dict:
    offline = reverse("webpush:offline")
    precache = [
        offline,
        static("css/portal.css"),
        static("img/favicon.svg"),
        static("webpush/icon-192.png"),
    ]
    # a new cache whenever a cached file changes (hashed static names in production)
    version = hashlib.sha256("|".join(precache).encode()).hexdigest()[:12]
    return {
        "version": version,
        "offline": offline,
        "precache": precache,
        "startUrl": START_URL,
        "name": APP_NAME,
        "icon": static("webpush/icon-192.png"),
    }


@cacheable
@require_GET
def service_worker_view(request):
    """The service worker from the site root, so that its scope is the whole site."""
    # JSON inside a script: no "<" may close the element (there is none, it is a
    # file of its own, but the config is built from URLs only anyway).
    config = json.dumps(service_worker_config()).replace("<", "\\u003c")
    script = render_to_string("webpush/sw.js", {"config": config})
    response = HttpResponse(script, content_type="application/javascript; charset=utf-8")
    # the browser checks for a new worker on every navigation
    patch_cache_control(response, no_cache=True, max_age=0)
    return response


@require_GET
def offline_view(request):
    """Shown by the service worker when a page cannot be loaded. It is stored in
    the browser, so it is rendered as for a visitor: no name, no menu of a
    signed-in user, no messages."""
    request.user = AnonymousUser()
    response = render(request, "webpush/offline.html", {"messages": ()})
    patch_cache_control(response, private=True, max_age=24 * 60 * 60)
    return response
