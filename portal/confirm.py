"""The one "Usuń" pattern for every screen: the first press of a delete button
answers a confirmation page that repeats the request; only its own button
("Tak, usuń") carries `confirm=1` and deletes. Works without JavaScript and
by keyboard; the focus starts on the confirming button."""

from __future__ import annotations

from django.shortcuts import render

CONFIRMED = "confirm"


def confirm_delete(request, *, what: str, cancel_url: str | None = None):
    """None when the POST is the confirmation (go on and delete); otherwise the
    confirmation page to answer instead."""
    if request.POST.get(CONFIRMED) == "1":
        return None
    fields = [
        (name, value)
        for name in request.POST
        if name not in ("csrfmiddlewaretoken", CONFIRMED)
        for value in request.POST.getlist(name)
    ]
    return render(
        request,
        "portal/confirm_delete.html",
        {
            "what": what,
            "fields": fields,
            "action": request.get_full_path(),
            "cancel_url": cancel_url or request.get_full_path(),
        },
    )
