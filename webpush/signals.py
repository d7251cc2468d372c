"""Signing out on a browser stops the push notifications it was given in that
session (a shared computer at school or a library must not show the previous
user's notifications)."""

from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from . import services

SESSION_KEY = "webpush_endpoints"


def remember_endpoint(request, endpoint: str) -> None:
    endpoints = [e for e in request.session.get(SESSION_KEY, []) if e != endpoint]
    request.session[SESSION_KEY] = [*endpoints, endpoint][-5:]


@receiver(user_logged_out)
def _forget_this_browser(sender, request, user, **kwargs):
    if request is None or user is None or not hasattr(request, "session"):
        return
    endpoints = request.session.get(SESSION_KEY) or []
    if endpoints:
        services.subscriptions_delete_endpoints(user=user, endpoints=endpoints)
