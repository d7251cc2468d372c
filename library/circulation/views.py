"""Views of circulation: the desk (librarians), reader accounts (readers and
guardians), copies, rules, stocktakes and the kiosk. Objects of other schools
and other people's accounts answer 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from library.models import Record
from portal.confirm import confirm_delete
from portal.inputs import id_list_param, id_param, search_words
from portal.models import User
from portal.pdfs import pdf_response
from portal.terminal import idle_seconds, terminal_clear, terminal_start

from . import cards, printouts, rules, selectors, services
from .forms import (
    BarcodeForm,
    CheckoutForm,
    ClosedPeriodForm,
    CopyBatchForm,
    CopyMarkForm,
    LoanRuleForm,
    OverrideForm,
    ReaderSettingsForm,
    StocktakeScanForm,
)
from .models import ClosedPeriod, Copy, Hold, Loan, LoanRule, ReaderCategory, Stocktake
from .permissions import (
    can_manage_external_readers,
    can_override_refusal,
    can_remind_readers,
    can_run_desk,
    can_view_account,
    desk_schools,
    viewable_readers,
)
from .services import CirculationError
from .tasks import remind_overdue

PAGE_SIZE = 30


def _desk_school(request, school_id):
    school = get_object_or_404(desk_schools(request.user), pk=school_id)
    if not can_run_desk(request.user, school):
        raise Http404
    return school


def _page(request, qs, size=PAGE_SIZE):
    return Paginator(qs, size).get_page(request.GET.get("page"))


# --- Desk ----------------------------------------------------------------------------------


@login_required
def desk_home(request):
    schools = list(desk_schools(request.user)[:50])
    if not schools:
        raise Http404
    if len(schools) == 1:
        return redirect("circulation:desk", school_id=schools[0].pk)
    return render(request, "circulation/desk_choose.html", {"schools": schools})


@login_required
def desk(request, school_id):
    school = _desk_school(request, school_id)
    outcome = None
    reader = None
    checkout_form = CheckoutForm(prefix="out")
    barcode_form = BarcodeForm(prefix="back")
    override_form = None
    reader_id = id_param(request.GET, "reader")
    if reader_id is not None:
        # A reader chosen in the search: their loans, their card ready to lend.
        reader = get_object_or_404(selectors.library_readers(school), pk=reader_id)
        card_number = services.reader_profile_for(reader).card_number
        checkout_form = CheckoutForm(prefix="out", initial={"card": card_number})
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "checkout":
            checkout_form = CheckoutForm(request.POST, prefix="out")
            if checkout_form.is_valid():
                outcome = services.desk_checkout(
                    user=request.user,
                    school=school,
                    card_number=checkout_form.cleaned_data["card"],
                    barcodes=checkout_form.cleaned_data["barcodes"],
                )
        elif action in ("return", "renew"):
            barcode_form = BarcodeForm(request.POST, prefix="back")
            if barcode_form.is_valid():
                code = barcode_form.cleaned_data["barcode"]
                if action == "return":
                    outcome = services.desk_return(user=request.user, school=school, barcode=code)
                else:
                    outcome = services.desk_renew(user=request.user, school=school, barcode=code)
                barcode_form = BarcodeForm(prefix="back")
        elif action == "override":
            if not can_override_refusal(request.user, school):
                raise Http404
            override_form = OverrideForm(request.POST, prefix="ov")
            if override_form.is_valid():
                outcome = _desk_override(request, school, override_form.cleaned_data)
                override_form = None
        elif action == "fill":
            outcome = _desk_fill(request, school)
    if outcome is not None and outcome.override and can_override_refusal(request.user, school):
        override_form = OverrideForm(
            prefix="ov",
            initial={
                "kind": outcome.override,
                "card": outcome.card,
                "barcodes": ",".join(outcome.override_codes),
            },
        )
    if outcome is not None and reader is None:
        reader = outcome.reader or _reader_of_card(outcome.card, school)
    context = {
        "school": school,
        "outcome": outcome,
        "override_form": override_form,
        "reader_loans": _reader_loans(reader, school),
        "checkout_form": checkout_form,
        "barcode_form": barcode_form,
        "figures": selectors.desk_figures(school),
        "today": timezone.localdate(),
        "to_fill": selectors.holds_to_fill(school)[:20],
        "on_shelf": selectors.holds_on_shelf(school)[:20],
    }
    return render(request, "circulation/desk.html", context)


def _desk_override(request, school, data) -> services.DeskOutcome:
    if data["kind"] == "checkout":
        return services.desk_checkout(
            user=request.user,
            school=school,
            card_number=data["card"],
            barcodes=data["barcodes"],
            override_reason=data["reason"],
        )
    return services.desk_renew(
        user=request.user,
        school=school,
        barcode=data["barcodes"][0],
        override_reason=data["reason"],
    )


def _desk_fill(request, school) -> services.DeskOutcome:
    hold = get_object_or_404(Hold, pk=id_param(request.POST, "hold"), school=school)
    code = request.POST.get("barcode", "")
    return services.desk_fill(user=request.user, school=school, hold=hold, barcode=code)


def _reader_of_card(card_number: str, school):
    """The reader holding a scanned card; nobody for another library's card."""
    if not card_number:
        return None
    try:
        return services.reader_by_card(card_number, school=school).user
    except CirculationError:
        return None


def _reader_loans(reader, school):
    """The reader at the desk, their category here and their open loans here,
    shown beside the results."""
    if reader is None:
        return None
    category = rules.reader_category(reader, school)
    return {
        "reader": reader,
        "category": ReaderCategory(category).label if category else "",
        "loans": selectors.open_loans(reader).filter(school=school),
    }


@login_required
def overdue(request, school_id):
    """Overdue loans by class and reader; `?druk=1` is the whole list to print."""
    school = _desk_school(request, school_id)
    classes = selectors.desk_classes(school)
    class_id = id_param(request.GET, "klasa")
    school_class = get_object_or_404(classes, pk=class_id) if class_id is not None else None
    reader_id = id_param(request.GET, "czytelnik")
    loans = selectors.overdue_by_reader(school, school_class=school_class, reader_id=reader_id)
    printing = request.GET.get("druk") == "1"
    page = _page(request, loans, 2000 if printing else 100)
    context = {
        "school": school,
        "page": page,
        "classes": classes,
        "school_class": school_class,
        "reader_id": reader_id,
        "printing": printing,
        "can_remind": can_remind_readers(request.user, school),
    }
    template = "circulation/overdue_print.html" if printing else "circulation/overdue.html"
    return render(request, template, context)


@login_required
@require_POST
def overdue_remind(request, school_id):
    """One click: queue the overdue reminders of one reader or one class."""
    school = _desk_school(request, school_id)
    if not can_remind_readers(request.user, school):
        raise Http404
    class_id = id_param(request.POST, "klasa")
    reader_id = id_param(request.POST, "reader")
    school_class = None
    if class_id is not None:
        school_class = get_object_or_404(selectors.desk_classes(school), pk=class_id)
    elif reader_id is not None:
        get_object_or_404(selectors.library_readers(school), pk=reader_id)
    else:
        raise Http404
    readers, loan_ids = services.overdue_reminders_queue(
        user=request.user, school=school, reader_id=reader_id, school_class=school_class
    )
    if loan_ids:
        today = timezone.localdate().isoformat()
        transaction.on_commit(lambda: remind_overdue.enqueue(loan_ids, today))
    loans = len(loan_ids)
    if readers:
        messages.success(
            request,
            ngettext(
                "Reminders queued for %(n)s reader (%(loans)s overdue loans).",
                "Reminders queued for %(n)s readers (%(loans)s overdue loans).",
                readers,
            )
            % {"n": readers, "loans": loans},
        )
    else:
        messages.info(request, _("Nobody there has an overdue loan: no reminder queued."))
    return redirect(_overdue_back(school, school_class, reader_id))


@login_required
@require_GET
def overdue_pdf(request, school_id):
    """The overdue loans as a PDF: of one class (`?klasa=`), or of every class
    and the staff, a page per class."""
    school = _desk_school(request, school_id)
    class_id = id_param(request.GET, "klasa")
    school_class = None
    if class_id is not None:
        school_class = get_object_or_404(selectors.desk_classes(school), pk=class_id)
    data = printouts.overdue_pdf(
        school=school, school_class=school_class, base_url=request.build_absolute_uri("/")
    )
    name = f"zalegle-{school_class.name}" if school_class else f"zalegle-{school.short_name}"
    return pdf_response(data, filename=name)


def _overdue_back(school, school_class, reader_id) -> str:
    url = reverse("circulation:overdue", args=[school.pk])
    if school_class is not None:
        return f"{url}?klasa={school_class.pk}"
    return f"{url}?czytelnik={reader_id}"


@login_required
def readers(request, school_id):
    """Find a reader of this library by name, class or card, for the desk and the card."""
    school = _desk_school(request, school_id)
    q = request.GET.get("q", "").strip()[:100]
    page = _page(request, selectors.readers_find(school, q)) if search_words(q) else None
    context = {
        "school": school,
        "page": page,
        "q": q,
        "searched": bool(q),
        "can_end_external": can_manage_external_readers(request.user, school),
    }
    return render(request, "circulation/readers.html", context)


@login_required
@require_POST
def external_reader_end(request, school_id, user_id):
    """End the membership of a reader from outside the school (the readers
    page's form, opened first, with the reason): they can no longer borrow here."""
    school = _desk_school(request, school_id)
    if not can_manage_external_readers(request.user, school):
        raise Http404
    reader = get_object_or_404(selectors.library_readers(school), pk=user_id)
    back = reverse("circulation:readers", args=[school.pk])
    q = request.POST.get("q", "").strip()[:100]
    if q:
        back += "?" + urlencode({"q": q})
    reason = request.POST.get("reason", "").strip()[:500]
    try:
        services.external_reader_end(user=request.user, school=school, reader=reader, reason=reason)
        messages.success(
            request,
            _("%(name)s is no longer a reader of this library.")
            % {"name": reader.get_full_name() or reader.username},
        )
    except CirculationError as error:
        messages.error(request, error.message)
    return redirect(back)


@login_required
def reader_card_for(request, school_id, user_id):
    school = _desk_school(request, school_id)
    reader = get_object_or_404(User, pk=user_id)
    if rules.reader_category(reader, school) is None:
        raise Http404
    return _card_response(request, reader, [school])


@login_required
@require_GET
def class_cards(request, school_id):
    """Choose a class; `?klasa=<id>` gives one PDF with the cards of its pupils."""
    school = _desk_school(request, school_id)
    classes = selectors.desk_classes(school)
    class_id = id_param(request.GET, "klasa")
    if class_id is None:
        return render(
            request, "circulation/class_cards.html", {"school": school, "classes": classes}
        )
    school_class = get_object_or_404(classes, pk=class_id)
    profiles = services.reader_profiles_for(selectors.class_pupils(school_class))
    data = cards.cards_sheet_pdf(
        profiles=profiles,
        school=school,
        class_name=school_class.name,
        base_url=request.build_absolute_uri("/"),
    )
    response = HttpResponse(data, content_type="application/pdf")
    filename = slugify(f"karty-{school_class.name}") or "karty"
    response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    return response


@login_required
def rules_page(request, school_id):
    school = _desk_school(request, school_id)
    rule_form = LoanRuleForm(prefix="rule")
    closed_form = ClosedPeriodForm(prefix="closed")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "rule":
                existing = LoanRule.objects.filter(
                    school=school,
                    reader_category=request.POST.get("rule-reader_category", ""),
                    item_type=request.POST.get("rule-item_type", ""),
                ).first()
                rule_form = LoanRuleForm(
                    request.POST, prefix="rule", instance=existing or LoanRule(school=school)
                )
                if rule_form.is_valid():
                    services.loan_rule_save(user=request.user, rule=rule_form.instance)
                    messages.success(request, _("The rule is saved."))
                    return redirect(request.path)
            elif action == "closed":
                closed_form = ClosedPeriodForm(
                    request.POST, prefix="closed", instance=ClosedPeriod(school=school)
                )
                if closed_form.is_valid():
                    services.closed_period_save(user=request.user, period=closed_form.instance)
                    messages.success(request, _("The closed days are saved."))
                    return redirect(request.path)
            elif action == "delete_rule":
                rule = get_object_or_404(LoanRule, pk=id_param(request.POST, "pk"), school=school)
                asked = confirm_delete(request, what=_("The loan rule stops applying."))
                if asked:
                    return asked
                services.loan_rule_delete(user=request.user, rule=rule)
                return redirect(request.path)
            elif action == "delete_closed":
                period = get_object_or_404(
                    ClosedPeriod, pk=id_param(request.POST, "pk"), school=school
                )
                asked = confirm_delete(request, what=_("The library is open on these days again."))
                if asked:
                    return asked
                services.closed_period_delete(user=request.user, period=period)
                return redirect(request.path)
        except CirculationError as error:
            messages.error(request, error.message)
    context = {
        "school": school,
        "rules": LoanRule.objects.filter(school=school),
        "closed": ClosedPeriod.objects.filter(school=school, end__gte=timezone.localdate())[:100],
        "rule_form": rule_form,
        "closed_form": closed_form,
    }
    return render(request, "circulation/rules.html", context)


# --- Copies --------------------------------------------------------------------------------


@login_required
@require_POST
def copies_add(request, pk):
    record = get_object_or_404(Record, pk=pk)
    schools = desk_schools(request.user)
    form = CopyBatchForm(request.POST, schools=schools)
    if not form.is_valid():
        if "school" in form.errors:
            raise Http404
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(record.get_absolute_url())
    data = form.cleaned_data
    try:
        copies = services.copies_add_batch(
            user=request.user,
            record=record,
            school=data["school"],
            count=data["count"],
            barcodes=data["barcodes"],
            shelf_mark=data["shelf_mark"],
            item_type=data["item_type"],
            acquired_on=data["acquired_on"],
            acquisition_source=data["acquisition_source"],
        )
        messages.success(
            request,
            _("Added %(n)s copies: %(codes)s")
            % {"n": len(copies), "codes": ", ".join(c.barcode for c in copies[:20])},
        )
    except CirculationError as error:
        messages.error(request, error.message)
    return redirect(record.get_absolute_url())


@login_required
def copy_detail(request, pk):
    copy = get_object_or_404(
        Copy.objects.filter(school__in=desk_schools(request.user)).select_related(
            "record", "school"
        ),
        pk=pk,
    )
    if not can_run_desk(request.user, copy.school):
        raise Http404
    form = CopyMarkForm()
    if request.method == "POST":
        form = CopyMarkForm(request.POST)
        if form.is_valid():
            try:
                services.copy_mark(
                    user=request.user,
                    copy=copy,
                    kind=form.cleaned_data["kind"],
                    note=form.cleaned_data["note"],
                )
                messages.success(request, _("The copy's status is changed."))
                return redirect(request.path)
            except CirculationError as error:
                messages.error(request, error.message)
    context = {
        "copy": copy,
        "form": form,
        "events": copy.events.select_related("by")[:50],
        "loans": copy.loans.select_related("reader")[:20],
    }
    return render(request, "circulation/copy.html", context)


@login_required
@require_POST
def hold_place(request, pk):
    """A reader holds a title at their library; a librarian places a hold for
    the reader whose card they scan (at their own library only)."""
    record = get_object_or_404(Record, pk=pk)
    card_number = request.POST.get("card", "").strip()
    try:
        if card_number:
            school = get_object_or_404(
                desk_schools(request.user), pk=id_param(request.POST, "school")
            )
            reader = services.reader_by_card(card_number, school=school).user
            services.hold_place(user=request.user, reader=reader, record=record, school=school)
            messages.success(request, _("The hold for %(reader)s is placed.") % {"reader": reader})
        else:
            school = get_object_or_404(
                rules.reader_schools(request.user), pk=id_param(request.POST, "school")
            )
            services.hold_place(
                user=request.user, reader=request.user, record=record, school=school
            )
            messages.success(
                request, _("Your hold is placed. We will tell you when the book is waiting.")
            )
    except CirculationError as error:
        messages.error(request, error.message)
    return redirect(record.get_absolute_url())


# --- Reader accounts -----------------------------------------------------------------------


def _reader(request, user_id):
    if user_id is None:
        return request.user
    reader = get_object_or_404(viewable_readers(request.user), pk=user_id)
    if not can_view_account(request.user, reader):
        raise Http404
    return reader


def _account_url(reader, request) -> str:
    if reader.pk == request.user.pk:
        return reverse("circulation:account")
    return reverse("circulation:account_child", args=[reader.pk])


@login_required
def account(request, user_id=None):
    if user_id is not None and user_id == request.user.pk:
        return redirect("circulation:account")  # one address for one's own account
    reader = _reader(request, user_id)
    profile = services.reader_profile_for(reader)
    loans = list(selectors.open_loans(reader))
    today = timezone.localdate()
    for loan in loans:
        loan.is_overdue = loan.due_on < today
    context = {
        "reader": reader,
        "profile": profile,
        "card_barcode": cards.barcode_data_uri(profile.card_number),
        "loans": loans,
        "holds": selectors.holds_with_positions(reader),
        "history": _page(request, selectors.loan_history(reader), 20),
        "settings_form": ReaderSettingsForm(
            initial={
                f: getattr(profile, f)
                for f in ("keep_history", "notify_due_soon", "notify_overdue", "notify_hold_ready")
            }
        ),
        "children": viewable_readers(request.user).exclude(pk=request.user.pk),
        "own": reader.pk == request.user.pk,
        "today": today,
    }
    return render(request, "circulation/account.html", context)


@login_required
@require_POST
def account_action(request, action, user_id=None):
    reader = _reader(request, user_id)
    if action == "renew":
        loan = get_object_or_404(
            Loan.objects.open(), pk=id_param(request.POST, "loan"), reader=reader
        )
        try:
            loan = services.loan_renew(user=request.user, loan=loan)
            messages.success(request, _("Renewed until %(date)s.") % {"date": loan.due_on})
        except CirculationError as error:
            messages.error(request, error.message)
    elif action == "renew_all":
        for loan, error in services.loans_renew_all(user=request.user, reader=reader):
            title = loan.copy.record.title
            if error is None:
                messages.success(
                    request,
                    _("“%(title)s”: renewed until %(date)s.")
                    % {"title": title, "date": loan.due_on},
                )
            else:
                messages.error(
                    request,
                    _("“%(title)s”: %(reason)s") % {"title": title, "reason": error.message},
                )
    elif action == "cancel_hold":
        hold = get_object_or_404(
            Hold.objects.active(), pk=id_param(request.POST, "hold"), reader=reader
        )
        services.hold_cancel(user=request.user, hold=hold)
        messages.success(request, _("The hold is cancelled."))
    elif action == "settings" and reader.pk == request.user.pk:
        form = ReaderSettingsForm(request.POST)
        form.is_valid()
        services.reader_settings_update(reader=reader, **form.cleaned_data)
        messages.success(request, _("Your settings are saved."))
    elif action == "clear_history" and reader.pk == request.user.pk:
        services.loan_history_clear(reader=reader)
        messages.success(request, _("Your loan history is cleared."))
    else:
        raise Http404
    return redirect(_account_url(reader, request))


def _card_response(request, reader, schools):
    profile = services.reader_profile_for(reader)
    data = cards.card_pdf(
        profile=profile, schools=schools, base_url=request.build_absolute_uri("/")
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="karta-{profile.card_number}.pdf"'
    return response


@login_required
def card(request, user_id=None):
    reader = _reader(request, user_id)
    return _card_response(request, reader, list(rules.reader_schools(reader)))


# --- Stocktaking -----------------------------------------------------------------------------


@login_required
def stocktakes(request, school_id):
    school = _desk_school(request, school_id)
    if request.method == "POST":
        try:
            stocktake = services.stocktake_start(
                user=request.user, school=school, name=request.POST.get("name", "")[:120]
            )
            return redirect("circulation:stocktake", pk=stocktake.pk)
        except CirculationError as error:
            messages.error(request, error.message)
    page = _page(request, Stocktake.objects.filter(school=school))
    return render(request, "circulation/stocktakes.html", {"school": school, "page": page})


def _stocktake(request, pk) -> Stocktake:
    take = get_object_or_404(
        Stocktake.objects.filter(school__in=desk_schools(request.user)).select_related("school"),
        pk=pk,
    )
    if not can_run_desk(request.user, take.school):
        raise Http404
    return take


@login_required
def stocktake(request, pk):
    take = _stocktake(request, pk)
    form = StocktakeScanForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "scan":
                form = StocktakeScanForm(request.POST)
                if form.is_valid():
                    n = services.stocktake_scan(
                        user=request.user,
                        stocktake=take,
                        shelf=form.cleaned_data["shelf"],
                        barcodes=form.cleaned_data["barcodes"],
                    )
                    messages.success(request, _("%(n)s new barcodes recorded.") % {"n": n})
                    return redirect(request.path)
            elif action in ("lost", "withdrawn"):
                copies = Copy.objects.filter(
                    school=take.school, pk__in=id_list_param(request.POST, "copy")
                )
                for copy in copies:
                    services.copy_mark(user=request.user, copy=copy, kind=action, note=str(take))
                messages.success(request, _("%(n)s copies changed.") % {"n": len(copies)})
                return redirect(request.path)
            elif action == "close":
                services.stocktake_close(user=request.user, stocktake=take)
                return redirect(request.path)
        except CirculationError as error:
            messages.error(request, error.message)
    report = selectors.stocktake_report(take)
    context = {
        "take": take,
        "form": form,
        "report": report,
        "missing": _page(request, report["missing"], 100),
    }
    return render(request, "circulation/stocktake.html", context)


@login_required
@require_GET
def stocktake_protocol(request, pk):
    """The stocktake protocol (protokół skontrum) for the commission to sign."""
    take = _stocktake(request, pk)
    data = printouts.stocktake_protocol_pdf(take, base_url=request.build_absolute_uri("/"))
    return pdf_response(data, filename=f"protokol-skontrum-{take.name}")


# --- Kiosk -----------------------------------------------------------------------------------


def kiosk(request):
    """A public terminal: a large search box; the session ends with the browser
    and after a few idle minutes (see portal.terminal)."""
    terminal_start(request)
    return render(request, "circulation/kiosk.html", {"idle": idle_seconds()})


@require_POST
def kiosk_end(request):
    """Sign the reader out but stay in kiosk mode (the timer posts here)."""
    terminal_clear(request)
    return redirect("circulation:kiosk")


@require_POST
def kiosk_leave(request):
    request.session.pop("kiosk", None)
    return redirect("library:search")
