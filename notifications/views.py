"""The notification centre's pages: the list, opening one item, preferences and
a school's rule. Views check access, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.models import School

from . import selectors, services
from .forms import PreferencesForm, SchoolSettingsForm
from .models import Kind, Notification, Preferences, SchoolSettings
from .permissions import can_edit_school_notification_settings, is_recipient

PAGE_SIZE = 25


def _kind(value) -> str:
    return value if value in Kind.values else ""


@login_required
def notification_list(request):
    kind = _kind(request.GET.get("rodzaj"))
    unread_only = request.GET.get("nieprzeczytane") == "1"
    qs = selectors.notifications_for(request.user, kind=kind, unread_only=unread_only)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {
            "page": page,
            "kind": kind,
            "unread_only": unread_only,
            "kinds": Kind.choices,
        },
    )


@login_required
def notification_open(request, pk: int):
    """Mark the item read and go where it leads; another user's id is 404."""
    notification = get_object_or_404(Notification, pk=pk)
    if not is_recipient(request.user, notification):
        raise Http404
    url = services.notification_open(notification=notification, user=request.user)
    if not url or not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect("notifications:list")
    return redirect(url)


@login_required
@require_POST
def mark_all_read(request):
    kind = _kind(request.POST.get("rodzaj"))
    count = services.notifications_mark_all_read(user=request.user, kind=kind)
    if count:
        messages.success(request, _("All notifications are marked read."))
    url = reverse("notifications:list")
    return redirect(f"{url}?rodzaj={kind}" if kind else url)


@login_required
def preferences(request):
    instance = Preferences.for_user(request.user.pk)
    form = PreferencesForm(request.POST if request.method == "POST" else None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.instance.user = request.user
        services.preferences_save(preferences=form.instance, user=request.user)
        messages.success(request, _("Your notification settings have been saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


@login_required
def school_settings(request, school_id: int):
    school = get_object_or_404(School, pk=school_id)
    if not can_edit_school_notification_settings(request.user, school):
        raise Http404
    instance = SchoolSettings.for_school(school.pk)
    instance.school = school
    form = SchoolSettingsForm(request.POST if request.method == "POST" else None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.instance.school = school
        services.school_settings_save(school_settings=form.instance, user=request.user)
        messages.success(request, _("The settings have been saved."))
        return redirect("notifications:school_settings", school_id=school.pk)
    return render(request, "notifications/school_settings.html", {"form": form, "school": school})
