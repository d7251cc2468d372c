"""Kiosk mode: on a public terminal the session never outlives the browser and
a signed-in reader is signed out after `CIRCULATION_KIOSK_IDLE_SECONDS` of
inactivity, even if the page's own timer did not fire. What the browser fetches
by itself (the service worker's script) does not count as activity."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout

from portal.middleware import is_activity


class KioskMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.get("kiosk"):
            idle = getattr(settings, "CIRCULATION_KIOSK_IDLE_SECONDS", 180)
            now = int(time.time())
            last = session.get("kiosk_seen", now)
            if request.user.is_authenticated and now - last > idle:
                logout(request)
                request.session["kiosk"] = True
            if is_activity(request):
                request.session["kiosk_seen"] = now
            request.session.set_expiry(0)
        return self.get_response(request)
