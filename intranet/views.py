"""Views of the intranet: each checks its named rule (404 when it fails), calls
one service or selector, renders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.files import PRIVATE_STORAGE, serve_protected_file
from portal.models import School

from . import exports, forms, selectors, services
from .models import DataRequest, RequestAnswer
from .permissions import (
    answers_visible_to,
    attachments_visible_to,
    can_answer_for,
    can_manage_request,
    can_send,
    can_use_intranet,
    circulars_visible_to,
    head_school_ids,
    is_intranet_staff,
    is_school_head,
    posts_visible_to,
    requests_visible_to,
)

PAGE_SIZE = 20


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _check(allowed: bool) -> None:
    if not allowed:
        raise Http404


def _nav_context(user) -> dict:
    return {
        "may_send": can_send(user),
        "is_head": is_school_head(user),
        "is_staff": is_intranet_staff(user),
    }


@login_required
@require_GET
def home_view(request):
    user = request.user
    _check(can_use_intranet(user))
    context = _nav_context(user)
    context["posts"] = list(posts_visible_to(user).select_related("author")[:5])
    if context["is_head"]:
        context["unread"] = selectors.unread_circular_count(user)
        context["open_requests"] = list(selectors.open_requests_for_heads(user)[:10])
    if context["may_send"]:
        context["office_requests"] = list(selectors.open_requests_status()[:10])
    return render(request, "intranet/home.html", context)


# --- Circulars ---------------------------------------------------------------------------


@login_required
@require_GET
def circulars_view(request):
    user = request.user
    _check(can_send(user) or is_school_head(user))
    items = selectors.circular_list(user)
    return render(
        request,
        "intranet/circulars.html",
        {**_nav_context(user), "page": _page(request, items)},
    )


@login_required
def circular_new_view(request):
    user = request.user
    _check(can_send(user))
    form = forms.CircularForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            circular = services.circular_send(
                author=user,
                subject=data["subject"],
                body=data["body"],
                schools=data["schools"],
                files=data["files"],
            )
        except services.IntranetError as exc:
            form.add_error("files" if exc.code in ("bad_type", "too_large") else None, exc.message)
        else:
            messages.success(request, _("The circular has been sent."))
            return redirect("intranet:circular", circular.pk)
    return render(
        request,
        "intranet/form.html",
        {
            **_nav_context(user),
            "form": form,
            "title": _("New circular"),
            "submit": _("Send"),
            "multipart": True,
        },
    )


@login_required
@require_GET
def circular_view(request, pk: int):
    user = request.user
    circular = get_object_or_404(circulars_visible_to(user).select_related("author"), pk=pk)
    services.circular_mark_read(circular=circular, user=user)
    context = {
        **_nav_context(user),
        "circular": circular,
        "attachments": list(circular.attachments.all()),
    }
    if can_send(user):
        context["receipts"] = selectors.circular_receipts(circular)
    return render(request, "intranet/circular.html", context)


@login_required
@require_GET
def attachment_view(request, pk: int):
    attachment = get_object_or_404(attachments_visible_to(request.user), pk=pk)
    return serve_protected_file(
        request, PRIVATE_STORAGE, attachment.file.name, attachment.name, as_attachment=True
    )


# --- Requests ----------------------------------------------------------------------------


@login_required
@require_GET
def requests_view(request):
    user = request.user
    _check(can_send(user) or is_school_head(user))
    items = selectors.request_list(user)
    return render(
        request,
        "intranet/requests.html",
        {**_nav_context(user), "page": _page(request, items)},
    )


def _fields_from(formset) -> list[tuple[str, str, bool]]:
    return [
        (f.cleaned_data["label"], f.cleaned_data["kind"], f.cleaned_data.get("required", False))
        for f in formset.forms
        if f.is_valid() and f.cleaned_data.get("label")
    ]


@login_required
def request_new_view(request):
    user = request.user
    _check(can_send(user))
    form = forms.RequestForm(request.POST or None)
    formset = forms.FieldFormSet(request.POST or None, prefix="fields")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        try:
            data_request = services.request_create(
                author=user,
                title=data["title"],
                description=data["description"],
                kind=data["kind"],
                deadline=data["deadline"],
                schools=data["schools"],
                fields=_fields_from(formset),
            )
        except services.IntranetError as exc:
            field = {"past_deadline": "deadline", "no_fields": "kind"}.get(exc.code)
            form.add_error(field, exc.message)
        else:
            messages.success(request, _("The request has been sent."))
            return redirect("intranet:request", data_request.pk)
    return render(
        request,
        "intranet/request_new.html",
        {**_nav_context(user), "form": form, "formset": formset},
    )


@login_required
@require_GET
def request_view(request, pk: int):
    user = request.user
    data_request = get_object_or_404(requests_visible_to(user).select_related("author"), pk=pk)
    context = {**_nav_context(user), "req": data_request, "fields": list(data_request.fields.all())}
    if can_manage_request(user, data_request):
        context["rows"] = selectors.request_status(data_request)
    else:
        mine = head_school_ids(user)
        schools = data_request.schools.filter(pk__in=mine).order_by("name")
        answers = {
            a.school_id: a
            for a in RequestAnswer.objects.filter(request=data_request, school_id__in=mine)
        }
        context["my_rows"] = [
            selectors.SchoolStatus(s, answers.get(s.pk), data_request.is_past_deadline())
            for s in schools
        ]
    return render(request, "intranet/request.html", context)


@login_required
def answer_view(request, pk: int, school_id: int):
    user = request.user
    data_request = get_object_or_404(requests_visible_to(user), pk=pk)
    _check(can_answer_for(user, data_request, school_id))
    school = get_object_or_404(School, pk=school_id)
    answer = RequestAnswer.objects.filter(request=data_request, school_id=school_id).first()
    refused = services.answer_state(data_request, answer)
    form = forms.AnswerForm(
        request.POST or None, request.FILES or None, data_request=data_request, answer=answer
    )
    if request.method == "POST" and refused is None and form.is_valid():
        try:
            services.answer_save(
                data_request=data_request,
                school_id=school_id,
                user=user,
                values=form.values(),
                file=form.cleaned_data.get("file"),
                note=form.cleaned_data.get("note", ""),
            )
        except services.IntranetError as exc:
            on_file = "file" in form.fields and exc.code in ("bad_type", "too_large", "no_file")
            form.add_error("file" if on_file else None, exc.message)
        else:
            messages.success(request, _("The answer has been saved."))
            return redirect("intranet:request", data_request.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "intranet/answer.html",
        {
            **_nav_context(user),
            "req": data_request,
            "school": school,
            "answer": answer,
            "form": form,
            "refused": refused,
            "will_be_late": answer is None and data_request.is_past_deadline(),
        },
        status=status,
    )


@login_required
@require_GET
def answer_file_view(request, pk: int, school_id: int):
    answer = get_object_or_404(answers_visible_to(request.user), request_id=pk, school_id=school_id)
    if not answer.file:
        raise Http404
    return serve_protected_file(
        request, PRIVATE_STORAGE, answer.file.name, answer.file_name or answer.file.name
    )


@login_required
@require_POST
def request_close_view(request, pk: int):
    user = request.user
    data_request = get_object_or_404(requests_visible_to(user), pk=pk)
    _check(can_manage_request(user, data_request))
    services.request_close(data_request=data_request, user=user)
    messages.success(request, _("The request has been closed."))
    return redirect("intranet:request", data_request.pk)


EXPORTS = {
    "zip": ("application/zip", exports.as_zip),
    "csv": ("text/csv; charset=utf-8", exports.as_csv),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        exports.as_xlsx,
    ),
}


@login_required
@require_GET
def request_export_view(request, pk: int, fmt: str):
    user = request.user
    data_request = get_object_or_404(requests_visible_to(user), pk=pk)
    _check(can_manage_request(user, data_request) and fmt in EXPORTS)
    if fmt != "zip" and data_request.kind != DataRequest.Kind.FORM:
        raise Http404
    if fmt == "zip" and data_request.kind != DataRequest.Kind.DOCUMENT:
        raise Http404
    content_type, make = EXPORTS[fmt]
    response = HttpResponse(make(data_request), content_type=content_type)
    name = f"{slugify(data_request.title) or 'odpowiedzi'}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- Noticeboard -------------------------------------------------------------------------


@login_required
@require_GET
def posts_view(request):
    user = request.user
    _check(is_intranet_staff(user) or can_send(user))
    items = posts_visible_to(user).select_related("author").prefetch_related("attachments")
    return render(
        request, "intranet/posts.html", {**_nav_context(user), "page": _page(request, items)}
    )


@login_required
def post_new_view(request):
    user = request.user
    _check(can_send(user))
    form = forms.PostForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            post = services.post_create(
                author=user,
                title=data["title"],
                body=data["body"],
                expires_on=data["expires_on"],
                files=data["files"],
            )
        except services.IntranetError as exc:
            field = {"past_expiry": "expires_on", "bad_type": "files", "too_large": "files"}
            form.add_error(field.get(exc.code), exc.message)
        else:
            messages.success(request, _("The post has been published."))
            return redirect("intranet:post", post.pk)
    return render(
        request,
        "intranet/form.html",
        {
            **_nav_context(user),
            "form": form,
            "title": _("New noticeboard post"),
            "submit": _("Publish"),
            "multipart": True,
        },
    )


@login_required
@require_GET
def post_view(request, pk: int):
    user = request.user
    post = get_object_or_404(posts_visible_to(user).select_related("author"), pk=pk)
    return render(
        request,
        "intranet/post.html",
        {**_nav_context(user), "post": post, "attachments": list(post.attachments.all())},
    )
