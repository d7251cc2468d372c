"""Announcements with read receipts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from portal.models import SchoolClass
from portal.permissions import (
    manages_a_school,
    user_roles,
)

from .. import forms, selectors, services
from ..models import (
    AnnouncementRead,
)
from ..permissions import (
    announcement_schools,
    can_announce,
)
from ._common import (
    _page,
)


@login_required
def announcements_view(request):
    items = selectors.announcements_for(request.user).order_by("-created_at")
    return render(
        request,
        "register/announcements.html",
        {"page": _page(request, items), "may_announce": can_announce(request.user)},
    )


@login_required
def announcement_view(request, pk: int):
    announcement = get_object_or_404(selectors.announcements_for(request.user), pk=pk)
    if announcement.author_id != request.user.pk:
        services.announcement_mark_read(announcement=announcement, user=request.user)
    receipts = None
    if announcement.author_id == request.user.pk:
        receipts = _page(
            request,
            AnnouncementRead.objects.filter(announcement=announcement)
            .select_related("user")
            .order_by("-read_at"),
        )
    return render(
        request,
        "register/announcement.html",
        {"announcement": announcement, "receipts": receipts},
    )


@login_required
def announcement_new_view(request):
    if not can_announce(request.user):
        raise Http404
    from portal.models import School

    schools = School.objects.filter(pk__in=announcement_schools(request.user))
    if user_roles(request.user).is_superuser:
        schools = School.objects.all()
    roles = user_roles(request.user)
    classes = SchoolClass.objects.current().filter(school_year__school__in=schools)
    if not manages_a_school(request.user):
        classes = classes.filter(pk__in=roles.taught_class_ids | roles.homeroom_class_ids)
    form = forms.AnnouncementForm(request.POST or None, schools=schools, classes=classes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.announcement_create(
                author=request.user,
                school_id=data["school"].pk,
                audience=data["audience"],
                title=data["title"],
                body=data["body"],
                classes=list(data["classes"]),
            )
        except services.RegisterError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The announcement has been published."))
            return redirect("register:announcements")
    return render(request, "register/form.html", {"form": form, "title": _("New announcement")})
