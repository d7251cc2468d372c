"""Views of the e-services: each looks the object up through a scoped queryset of
`permissions` (another school's or family's case is a 404), calls one service or
selector and renders."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.confirm import confirm_delete
from portal.files import PRIVATE_STORAGE, serve_protected_file
from portal.inputs import parse_id
from portal.models import School
from portal.permissions import children_of, managed_schools

from . import forms, selectors, services
from .builtins import builtins_ensure
from .documents import verification_of
from .models import Case, CaseAttachment, IssuedDocument, Service, ServiceField, Status
from .permissions import (
    can_manage_catalogue,
    case_for,
    documents_handled_by,
    handled_cases,
    handler_candidates,
    may_handle_cases,
    services_for_family,
)

PAGE_SIZE = 25


def _case_or_404(user, pk):
    try:
        return case_for(user, pk)
    except Case.DoesNotExist:
        raise Http404 from None


# --- Families --------------------------------------------------------------------------


@login_required
@require_GET
def home_view(request):
    page = Paginator(selectors.my_cases(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "eservices/home.html",
        {
            "services": services_for_family(request.user),
            "trip_consents": selectors.family_trips(request.user),
            "page": page,
            "overdue": selectors.is_overdue,
        },
    )


@login_required
def submit_view(request, pk):
    service = get_object_or_404(services_for_family(request.user), pk=pk)
    children = [c for c in children_of(request.user) if service.needs_pupil]
    form = forms.CaseForm(
        request.POST or None, request.FILES or None, service=service, children=children
    )
    if request.method == "POST" and form.is_valid():
        pupil = None
        if service.needs_pupil:
            pupil = next((c for c in children if c.pk == form.cleaned_data["pupil"]), None)
        try:
            case = services.case_submit(
                applicant=request.user,
                service=service,
                pupil=pupil,
                answers=form.answers(),
                files=form.files_by_field(),
                consent=form.cleaned_data.get("consent", False),
            )
        except services.EservicesError as exc:
            form.add_error(None, exc.message)
        else:
            flash.success(request, _("Case %(number)s was filed.") % {"number": case.number})
            return redirect("eservices:case", pk=case.pk)
    return render(request, "eservices/submit.html", {"service": service, "form": form})


@login_required
@require_GET
def case_view(request, pk):
    case, as_handler = _case_or_404(request.user, pk)
    reply_form = forms.ReplyForm(prefix="reply")
    context = {
        "case": case,
        "as_handler": as_handler,
        "events": selectors.timeline(case, staff=as_handler),
        "documents": list(case.documents.all()),
        "overdue": selectors.is_overdue(case),
        "reply_form": reply_form,
        "can_reply": not as_handler and case.status not in services.FINAL,
    }
    if as_handler:
        context.update(
            transitions=[(s, Status(s).label) for s in services.TRANSITIONS.get(case.status, ())],
            transition_form=forms.TransitionForm(prefix="step"),
            message_form=forms.MessageForm(prefix="msg"),
            reassign_form=forms.ReassignForm(prefix="to", candidates=handler_candidates(case)),
            revoke_form=forms.RevokeForm(prefix="revoke"),
        )
    return render(request, "eservices/case.html", context)


@login_required
@require_POST
def reply_view(request, pk):
    case, as_handler = _case_or_404(request.user, pk)
    if as_handler and case.applicant_id != request.user.pk:
        raise Http404
    form = forms.ReplyForm(request.POST, request.FILES, prefix="reply")
    if form.is_valid():
        files = [form.cleaned_data["attachment"]] if form.cleaned_data.get("attachment") else []
        try:
            services.case_family_reply(
                case=case, user=request.user, text=form.cleaned_data["text"], files=files
            )
        except services.EservicesError as exc:
            flash.error(request, exc.message)
        else:
            flash.success(request, _("Your answer was sent."))
    else:
        flash.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("eservices:case", pk=case.pk)


# --- Handlers --------------------------------------------------------------------------


@login_required
@require_GET
def queue_view(request):
    if not may_handle_cases(request.user):
        raise Http404
    status = request.GET.get("status", "")
    cases = selectors.queue(request.user, status=status)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "eservices/queue.html",
        {
            "page": page,
            "status": status,
            "statuses": Status.choices,
            "managed": managed_schools(request.user).order_by("name")[:10],
            "overdue": selectors.is_overdue,
        },
    )


def _handler_step(request, pk, *, form, step, done, invalid):
    """A handler's POST on a case: the form, then the service, then back to the case."""
    case = get_object_or_404(handled_cases(request.user), pk=pk)
    bound = form(request.POST, case)
    if not bound.is_valid():
        flash.error(request, invalid)
    else:
        try:
            step(case, bound.cleaned_data)
        except services.EservicesError as exc:
            flash.error(request, exc.message)
        else:
            flash.success(request, done)
    return redirect("eservices:case", pk=case.pk)


@login_required
@require_POST
def transition_view(request, pk):
    return _handler_step(
        request,
        pk,
        form=lambda data, case: forms.TransitionForm(data, prefix="step"),
        step=lambda case, data: services.case_transition(
            case=case, user=request.user, to=data["to"], text=data["text"]
        ),
        done=_("The case was updated."),
        invalid=_("Choose the new status."),
    )


@login_required
@require_POST
def message_view(request, pk):
    return _handler_step(
        request,
        pk,
        form=lambda data, case: forms.MessageForm(data, prefix="msg"),
        step=lambda case, data: services.case_message(
            case=case, user=request.user, text=data["text"], internal=data["internal"]
        ),
        done=_("Saved."),
        invalid=_("Write the text."),
    )


@login_required
@require_POST
def reassign_view(request, pk):
    return _handler_step(
        request,
        pk,
        form=lambda data, case: forms.ReassignForm(
            data, prefix="to", candidates=handler_candidates(case)
        ),
        step=lambda case, data: services.case_reassign(
            case=case, user=request.user, handler=data["handler"], reason=data["reason"]
        ),
        done=_("The case was handed over."),
        invalid=_("Choose whom to hand the case over to."),
    )


@login_required
@require_GET
def attachment_view(request, pk):
    attachment = get_object_or_404(CaseAttachment.objects.select_related("case", "event"), pk=pk)
    case, as_handler = _case_or_404(request.user, attachment.case_id)
    if attachment.event and attachment.event.internal and not as_handler:
        raise Http404
    return serve_protected_file(request, PRIVATE_STORAGE, attachment.file.name, attachment.name)


@login_required
@require_GET
def document_view(request, pk):
    document = get_object_or_404(IssuedDocument, pk=pk)
    _case_or_404(request.user, document.case_id)
    return serve_protected_file(
        request,
        PRIVATE_STORAGE,
        document.pdf.name,
        f"{document.case.number}-{document.code}.pdf".replace("/", "-"),
        as_attachment=False,
    )


@login_required
@require_POST
def revoke_view(request, pk):
    document = get_object_or_404(documents_handled_by(request.user), pk=pk)
    form = forms.RevokeForm(request.POST, prefix="revoke")
    if form.is_valid():
        try:
            services.document_revoke(
                document=document, user=request.user, reason=form.cleaned_data["reason"]
            )
        except services.EservicesError as exc:
            flash.error(request, exc.message)
        else:
            flash.success(request, _("The document was revoked."))
    else:
        flash.error(request, _("Give the reason of revoking."))
    return redirect("eservices:case", pk=document.case_id)


# --- Public verification ---------------------------------------------------------------


@require_GET
def verify_view(request, code):
    document = verification_of(code)
    return render(request, "eservices/verify.html", {"document": document, "code": code[:20]})


# --- The catalogue ---------------------------------------------------------------------


def _managed_school(request, school_id):
    school = get_object_or_404(School, pk=school_id)
    if not can_manage_catalogue(request.user, school):
        raise Http404
    return school


@login_required
def catalogue_view(request, school_id):
    school = _managed_school(request, school_id)
    if request.method == "POST":
        service = get_object_or_404(
            Service, school=school, pk=parse_id(request.POST.get("service"))
        )
        service.enabled = request.POST.get("enabled") == "1"
        services.service_save(service=service, user=request.user)
        flash.success(request, _("Saved."))
        return redirect("eservices:catalogue", school_id=school.pk)
    builtins_ensure(school)
    return render(
        request,
        "eservices/catalogue.html",
        {
            "school": school,
            "services": Service.objects.filter(school=school).prefetch_related("fields"),
        },
    )


@login_required
def service_edit_view(request, school_id, pk=None):
    school = _managed_school(request, school_id)
    service = get_object_or_404(Service, school=school, pk=pk) if pk else Service(school=school)
    form = forms.ServiceForm(request.POST or None, instance=service, prefix="service")
    if request.method == "POST" and form.is_valid():
        try:
            service = services.service_save(service=form.instance, user=request.user)
        except services.EservicesError as exc:
            form.add_error(None, exc.message)
        else:
            flash.success(request, _("Saved."))
            return redirect("eservices:service_edit", school_id=school.pk, pk=service.pk)
    return render(
        request,
        "eservices/service_edit.html",
        {
            "school": school,
            "service": service,
            "form": form,
            "fields": list(service.fields.all()) if service.pk else [],
            "field_form": forms.ServiceFieldForm(prefix="field"),
        },
    )


@login_required
def field_edit_view(request, school_id, service_id, pk=None):
    school = _managed_school(request, school_id)
    service = get_object_or_404(Service, school=school, pk=service_id)
    field = (
        get_object_or_404(ServiceField, service=service, pk=pk)
        if pk
        else ServiceField(service=service)
    )
    if request.method == "POST" and request.POST.get("delete") and field.pk:
        asked = confirm_delete(
            request,
            what=_("The question “%(label)s” leaves the form; answers already given keep it.")
            % {"label": field.label},
        )
        if asked is not None:
            return asked
        try:
            services.field_delete(field=field, user=request.user)
        except services.EservicesError as exc:
            flash.error(request, exc.message)
        else:
            flash.success(request, _("The question was removed."))
        return redirect("eservices:service_edit", school_id=school.pk, pk=service.pk)
    form = forms.ServiceFieldForm(request.POST or None, instance=field, prefix="field")
    if request.method == "POST" and form.is_valid():
        try:
            services.field_save(field=form.instance, user=request.user)
        except services.EservicesError as exc:
            form.add_error(None, exc.message)
        else:
            flash.success(request, _("Saved."))
            return redirect("eservices:service_edit", school_id=school.pk, pk=service.pk)
    return render(
        request,
        "eservices/field_edit.html",
        {"school": school, "service": service, "field": field, "form": form},
    )
