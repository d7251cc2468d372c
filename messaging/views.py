"""Views of messages: each checks its named rule, calls one service or
selector, and renders. Threads and messages of others are 404."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.files import PRIVATE_STORAGE, serve_protected_file
from portal.models import School
from portal.permissions import user_roles

from . import forms, selectors, services
from .models import Attachment, MessagingSettings
from .permissions import (
    can_edit_settings,
    can_report,
    can_retract,
    can_send_to_group,
    can_write_to,
    may_compose,
    parse_token,
    report_school_ids,
    reports_visible_to,
)

PAGE_SIZE = 25
MAX_SHOWN = 60


def _query(data) -> str:
    """What was typed in a search box (no NUL byte, at most 100 characters)."""
    return data.get("q", "").replace("\x00", "").strip()[:100]


def _page(request, items):
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _list(request, items, *, title, view):
    return render(
        request,
        "messaging/list.html",
        {"page": _page(request, items), "title": title, "view": view, "q": ""},
    )


@login_required
@require_GET
def inbox_view(request):
    query = _query(request.GET)
    if query:
        items = selectors.search(request.user, query)
        return render(
            request,
            "messaging/list.html",
            {
                "page": _page(request, items),
                "title": _("Search results"),
                "view": "search",
                "q": query,
            },
        )
    return _list(request, selectors.inbox(request.user), title=_("Inbox"), view="inbox")


@login_required
@require_GET
def sent_view(request):
    return _list(request, selectors.sent(request.user), title=_("Sent"), view="sent")


@login_required
@require_GET
def archive_view(request):
    items = selectors.inbox(request.user, archived=True)
    return _list(request, items, title=_("Archive"), view="archive")


def _chosen(request, tokens):
    """The chosen recipients to show again; only those the user may write to
    (a crafted token shows nothing of someone else)."""
    chosen = []
    for token in list(dict.fromkeys(tokens))[:MAX_SHOWN]:
        parsed = parse_token(token)
        if not (can_write_to(request.user, parsed) or can_send_to_group(request.user, parsed)):
            continue
        entry = selectors.describe_token(request.user, token)
        if entry is not None:
            chosen.append(entry)
    return chosen


@login_required
def compose_view(request):
    """Write a new message. The recipient search works without JavaScript (the
    "Find" button re-renders the form with the matches, keeping what was
    typed); with JavaScript the matches appear as one types."""
    if request.method == "POST":
        tokens = request.POST.getlist("to")
        query = _query(request.POST)
        form = forms.ComposeForm(request.POST, request.FILES)
        if "find" not in request.POST and form.is_valid():
            data = form.cleaned_data
            chosen = _chosen(request, tokens)
            recipients = [parse_token(t) for t in tokens if parse_token(t) is not None]
            try:
                thread = services.thread_start(
                    sender=request.user,
                    subject=data["subject"],
                    body=data["body"],
                    recipients=recipients,
                    reply_all=data["reply_all"],
                    attachment=data["attachment"],
                    audience=services.audience_label(chosen),
                )
            except services.MessagingError as exc:
                form.add_error(None, exc.message)
            else:
                flash.success(request, _("The message has been sent."))
                return redirect("messaging:thread", thread.pk)
        elif "find" in request.POST:
            form = forms.ComposeForm(
                initial={k: request.POST.get(k, "") for k in ("subject", "body")}
                | {"reply_all": bool(request.POST.get("reply_all"))}
            )
    else:
        tokens = request.GET.getlist("to")
        query = _query(request.GET)
        form = forms.ComposeForm()
    if not may_compose(request.user) and not tokens:
        return render(request, "messaging/compose.html", {"nobody": True})
    chosen = _chosen(request, tokens)
    chosen_tokens = {c["token"] for c in chosen}
    found = [
        r
        for r in (selectors.search_recipients(request.user, query) if query else [])
        if r["token"] not in chosen_tokens
    ]
    groups = [g for g in selectors.group_choices(request.user) if g["token"] not in chosen_tokens]
    return render(
        request,
        "messaging/compose.html",
        {
            "form": form,
            "q": query,
            "chosen": chosen,
            "found": found,
            "searched": bool(query),
            "groups": groups,
        },
    )


@login_required
@require_GET
def recipients_view(request):
    """The picker's matches as JSON (for the progressive enhancement)."""
    query = _query(request.GET)
    results = selectors.search_recipients(request.user, query) if len(query) >= 2 else []
    return JsonResponse({"results": results})


def _thread_or_404(request, pk):
    thread = selectors.thread_for(request.user, pk)
    if thread is None:
        raise Http404
    return thread


@login_required
def thread_view(request, pk: int):
    thread = _thread_or_404(request, pk)
    choices = services.reply_choices(thread, request.user)
    form = forms.ReplyForm(request.POST or None, request.FILES or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            message = services.message_reply(
                thread=thread,
                sender=request.user,
                body=form.cleaned_data["body"],
                attachment=form.cleaned_data["attachment"],
                only_to=form.cleaned_data.get("only_to"),
            )
        except services.MessagingError as exc:
            form.add_error(None, exc.message)
        else:
            flash.success(request, _("Your reply has been sent."))
            return redirect(reverse("messaging:thread", args=[thread.pk]) + f"#m{message.pk}")
    items = selectors.thread_messages(thread, request.user)
    if request.method == "GET":
        services.thread_mark_read(thread=thread, user=request.user)
    return render(
        request,
        "messaging/thread.html",
        {
            "thread": thread,
            "items": items,
            "form": form,
            # a family member answering in a group thread sees how many read it,
            # never who the other families are
            "receipt_names": thread.created_by_id == request.user.pk
            or user_roles(request.user).is_staff_member,
        },
    )


@login_required
@require_POST
def thread_archive_view(request, pk: int):
    thread = _thread_or_404(request, pk)
    archived = request.POST.get("archived") == "1"
    services.thread_set_archived(thread=thread, user=request.user, archived=archived)
    if archived:
        flash.success(request, _("The thread has been moved to the archive."))
        return redirect("messaging:inbox")
    flash.success(request, _("The thread is back in the inbox."))
    return redirect("messaging:thread", thread.pk)


def _message_or_404(request, pk):
    message = (
        selectors.visible_messages(request.user)
        .select_related("thread", "sender")
        .filter(pk=pk)
        .first()
    )
    if message is None:
        raise Http404
    return message


@login_required
@require_POST
def message_retract_view(request, pk: int):
    message = _message_or_404(request, pk)
    if message.sender_id != request.user.pk:
        raise Http404
    if not can_retract(request.user, message):
        flash.error(
            request, _("Someone has already read the message; it can no longer be retracted.")
        )
    else:
        try:
            services.message_retract(message=message, user=request.user)
        except services.MessagingError as exc:
            flash.error(request, exc.message)
        else:
            flash.success(request, _("The message has been retracted."))
    return redirect(reverse("messaging:thread", args=[message.thread_id]) + f"#m{message.pk}")


@login_required
def message_report_view(request, pk: int):
    message = _message_or_404(request, pk)
    if not can_report(request.user, message):
        raise Http404
    form = forms.ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.message_report(
                message=message, user=request.user, reason=form.cleaned_data["reason"]
            )
        except services.MessagingError as exc:
            form.add_error(None, exc.message)
        else:
            flash.success(request, _("Thank you. The school administrator has been told."))
            return redirect("messaging:thread", message.thread_id)
    return render(request, "messaging/report.html", {"message": message, "form": form})


@login_required
@require_GET
def attachment_view(request, pk: int):
    """An attachment, to the people who see its message, or to the school admin
    handling a report of that message."""
    attachment = get_object_or_404(Attachment.objects.select_related("message"), pk=pk)
    visible = selectors.visible_messages(request.user).filter(pk=attachment.message_id).exists()
    if not visible:
        visible = reports_visible_to(request.user).filter(message_id=attachment.message_id).exists()
    if not visible:
        raise Http404
    return serve_protected_file(
        request, PRIVATE_STORAGE, attachment.file.name, attachment.name, as_attachment=True
    )


@login_required
@require_GET
def reports_view(request):
    """The reported messages of the schools the user administers (nothing else)."""
    if not report_school_ids(request.user):
        raise Http404
    items = reports_visible_to(request.user).select_related(
        "thread", "school", "reporter", "message__sender"
    )
    return render(request, "messaging/reports.html", {"page": _page(request, items)})


@login_required
def report_view(request, pk: int):
    report = get_object_or_404(
        reports_visible_to(request.user).select_related(
            "thread", "school", "reporter", "message__sender", "handled_by"
        ),
        pk=pk,
    )
    form = forms.HandleReportForm(request.POST or None, initial={"note": report.note})
    if request.method == "POST" and form.is_valid():
        services.report_handle(report=report, user=request.user, note=form.cleaned_data["note"])
        flash.success(request, _("The report is marked as handled."))
        return redirect("messaging:reports")
    attachments = list(report.message.attachments.all())
    return render(
        request,
        "messaging/report_detail.html",
        {"report": report, "form": form, "attachments": attachments},
    )


@login_required
def settings_view(request, school_id: int):
    school = get_object_or_404(School, pk=school_id)
    if not can_edit_settings(request.user, school):
        raise Http404
    instance = MessagingSettings.objects.filter(school=school).first() or MessagingSettings(
        school=school
    )
    form = forms.SettingsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.settings_save(settings=form.instance, user=request.user, save=form.save)
        flash.success(request, _("The message settings have been saved."))
        return redirect("messaging:settings", school.pk)
    return render(request, "messaging/settings.html", {"form": form, "school": school})
