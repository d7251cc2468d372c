"""Copies, loan rules, closed days, readers, loans, holds, reminders sent and
stocktakes of the school libraries. The library is the school (portal.School)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from library.catalogue_version import catalogue_changed
from portal.background.models import MailDelivery


class ItemType(models.TextChoices):
    BOOK = "book", _("book")
    READING = "reading", _("set reading (lektura)")
    TEXTBOOK = "textbook", _("textbook")
    REFERENCE = "reference", _("reference (reading room only)")
    MAGAZINE = "magazine", _("magazine")
    AUDIOVISUAL = "audiovisual", _("audiovisual")


class ReaderCategory(models.TextChoices):
    PUPIL = "pupil", _("pupil")
    TEACHER = "teacher", _("teacher")
    STAFF = "staff", _("staff")
    EXTERNAL = "external", _("reader from outside the school")


class CopyQuerySet(models.QuerySet):
    """Copies decide the catalogue's library and availability facets, whose
    counts are cached by catalogue version: every way of writing copies in bulk
    goes through here and bumps the version, so no caller can forget it (a single
    copy's save() and delete() do the same on the model)."""

    def for_school(self, school):
        return self.filter(school=school)

    def on_shelf(self):
        return self.filter(status=Copy.Status.AVAILABLE)

    def update(self, **kwargs):
        rows = super().update(**kwargs)
        catalogue_changed()
        return rows

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        catalogue_changed()
        return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        rows = super().bulk_update(objs, fields, *args, **kwargs)
        catalogue_changed()
        return rows

    def delete(self):
        deleted = super().delete()
        catalogue_changed()
        return deleted

    delete.alters_data = True
    delete.queryset_only = True


class Copy(models.Model):
    """One physical item (egzemplarz) of a record in one school's library."""

    class Status(models.TextChoices):
        AVAILABLE = "available", _("available")
        ON_LOAN = "on_loan", _("on loan")
        ON_HOLD_SHELF = "on_hold_shelf", _("on the hold shelf")
        LOST = "lost", _("lost")
        WITHDRAWN = "withdrawn", _("withdrawn")

    record = models.ForeignKey(
        "library.Record", on_delete=models.PROTECT, related_name="copies", verbose_name=_("record")
    )
    school = models.ForeignKey(
        "portal.School",
        on_delete=models.PROTECT,
        related_name="library_copies",
        verbose_name=_("library"),
    )
    barcode = models.CharField(_("barcode"), max_length=32, unique=True)
    inventory_number = models.CharField(_("inventory number"), max_length=32)
    shelf_mark = models.CharField(_("shelf mark"), max_length=64, blank=True)
    item_type = models.CharField(
        _("item type"), max_length=20, choices=ItemType.choices, default=ItemType.BOOK
    )
    acquired_on = models.DateField(_("acquisition date"), null=True, blank=True)
    acquisition_source = models.CharField(
        _("acquisition source"),
        max_length=200,
        blank=True,
        help_text=_("Purchase, gift, exchange, ministry grant…"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.AVAILABLE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CopyQuerySet.as_manager()

    class Meta:
        verbose_name = _("copy")
        verbose_name_plural = _("copies")
        ordering = ["school", "shelf_mark", "inventory_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "inventory_number"], name="circulation_copy_inventory_unique"
            ),
        ]
        indexes = [models.Index(fields=["record", "school", "status"])]

    def __str__(self) -> str:
        return f"{self.barcode} ({self.inventory_number})"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        catalogue_changed()  # see CopyQuerySet

    def delete(self, *args, **kwargs):
        deleted = super().delete(*args, **kwargs)
        catalogue_changed()
        return deleted


class CopyEvent(models.Model):
    """History of a copy: added, marked lost or withdrawn, found in a stocktake."""

    class Kind(models.TextChoices):
        ADDED = "added", _("added")
        LOST = "lost", _("marked lost")
        WITHDRAWN = "withdrawn", _("withdrawn")
        FOUND = "found", _("found again")

    copy = models.ForeignKey(Copy, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    note = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.copy_id}: {self.kind}"


class LoanRule(models.Model):
    """Loan terms of one library. An empty category or item type means "any";
    the most specific matching rule wins (category and type > category > type
    > the library's default rule), as in Koha's circulation rules."""

    school = models.ForeignKey(
        "portal.School",
        on_delete=models.CASCADE,
        related_name="loan_rules",
        verbose_name=_("library"),
    )
    reader_category = models.CharField(
        _("reader category"), max_length=20, choices=ReaderCategory.choices, blank=True
    )
    item_type = models.CharField(
        _("item type"), max_length=20, choices=ItemType.choices, blank=True
    )
    loan_days = models.PositiveSmallIntegerField(_("loan period (days)"), default=14)
    max_loans = models.PositiveSmallIntegerField(_("maximum loans"), default=5)
    max_renewals = models.PositiveSmallIntegerField(_("maximum renewals"), default=2)
    hold_shelf_days = models.PositiveSmallIntegerField(_("days on the hold shelf"), default=5)

    class Meta:
        verbose_name = _("loan rule")
        verbose_name_plural = _("loan rules")
        ordering = ["school", "reader_category", "item_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "reader_category", "item_type"], name="circulation_rule_unique"
            ),
        ]

    def __str__(self) -> str:
        who = self.get_reader_category_display() if self.reader_category else _("any reader")
        what = self.get_item_type_display() if self.item_type else _("any item")
        return f"{who} × {what}"

    @property
    def specificity(self) -> int:
        return (2 if self.reader_category else 0) + (1 if self.item_type else 0)


class ClosedPeriod(models.Model):
    """Days the library is closed (school holidays, bridges). A due date or a
    pickup deadline that falls on one moves to the next open day."""

    school = models.ForeignKey(
        "portal.School",
        on_delete=models.CASCADE,
        related_name="library_closed",
        verbose_name=_("library"),
    )
    name = models.CharField(_("name"), max_length=120)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))

    class Meta:
        verbose_name = _("closed period")
        verbose_name_plural = _("closed periods")
        ordering = ["school", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")),
                name="circulation_closed_dates",
                violation_error_message=_("The closed period cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.start}–{self.end})"


class ReaderProfile(models.Model):
    """A reader's library card and preferences; created on first use."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_reader"
    )
    card_number = models.CharField(_("library card number"), max_length=20, unique=True)
    keep_history = models.BooleanField(_("keep my loan history"), default=True)
    notify_due_soon = models.BooleanField(_("remind me two days before the due date"), default=True)
    notify_overdue = models.BooleanField(_("tell me when a loan is overdue"), default=True)
    notify_hold_ready = models.BooleanField(_("tell me when a hold is ready"), default=True)

    class Meta:
        verbose_name = _("reader")
        verbose_name_plural = _("readers")

    def __str__(self) -> str:
        return f"{self.card_number} {self.user}"


class ExternalReaderQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ended_at__isnull=True)

    def active_of(self, user):
        """The active memberships of `user` (none for an anonymous visitor)."""
        if user is None or not getattr(user, "pk", None):
            return self.none()
        return self.active().filter(user_id=user.pk)


class ExternalReader(models.Model):
    """A person from outside the school (a parent, a resident) who is a reader
    of one school's library: granted by its librarian, usually on a library card
    application filed through the e-services, until the membership is ended.
    The school's own pupils and staff are readers through their roles instead."""

    school = models.ForeignKey(
        "portal.School",
        on_delete=models.CASCADE,
        related_name="external_readers",
        verbose_name=_("library"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="external_library_memberships",
        verbose_name=_("reader"),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted"))
    # The e-service case's number ("SP1/2026/0042"), not a foreign key: the
    # library does not depend on the e-services app.
    case_number = models.CharField(_("case number"), max_length=40, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("ended by"),
    )

    objects = ExternalReaderQuerySet.as_manager()

    class Meta:
        verbose_name = _("reader from outside the school")
        verbose_name_plural = _("readers from outside the school")
        ordering = ["school", "-granted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "user"],
                condition=Q(ended_at__isnull=True),
                name="circulation_one_active_external_reader",
                violation_error_message=_(
                    "This person is already a reader from outside the school here."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.case_number})" if self.case_number else str(self.user)

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class LoanQuerySet(models.QuerySet):
    def open(self):
        return self.filter(returned_at__isnull=True)

    def overdue(self, today):
        return self.open().filter(due_on__lt=today)


class Loan(models.Model):
    copy = models.ForeignKey(Copy, on_delete=models.PROTECT, related_name="loans")
    school = models.ForeignKey("portal.School", on_delete=models.PROTECT, related_name="+")
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="library_loans"
    )
    checked_out_at = models.DateTimeField()
    due_on = models.DateField(_("due date"))
    renewals = models.PositiveSmallIntegerField(_("renewals"), default=0)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    returned_overdue = models.BooleanField(_("returned after the due date"), default=False)
    hidden_from_reader = models.BooleanField(default=False)
    checked_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = LoanQuerySet.as_manager()

    class Meta:
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        ordering = ["-checked_out_at", "-pk"]
        constraints = [
            # The last line of defence: a copy is never on two open loans.
            models.UniqueConstraint(
                fields=["copy"],
                condition=Q(returned_at__isnull=True),
                name="circulation_one_open_loan_per_copy",
                violation_error_message=_("This copy is already on loan."),
            ),
        ]
        indexes = [
            models.Index(fields=["reader", "returned_at"]),
            models.Index(fields=["school", "returned_at", "due_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.copy} → {self.reader}"

    @property
    def is_open(self) -> bool:
        return self.returned_at is None


class HoldQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=[Hold.Status.WAITING, Hold.Status.READY])


class Hold(models.Model):
    """A reader's request for a title at one library; filled by the first copy
    that comes back (or is fetched from the shelf by the librarian)."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting")
        READY = "ready", _("ready for pickup")
        FULFILLED = "fulfilled", _("collected")
        CANCELLED = "cancelled", _("cancelled")
        EXPIRED = "expired", _("not collected in time")

    record = models.ForeignKey("library.Record", on_delete=models.CASCADE, related_name="holds")
    school = models.ForeignKey("portal.School", on_delete=models.CASCADE, related_name="+")
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_holds"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.WAITING)
    placed_at = models.DateTimeField()
    copy = models.ForeignKey(
        Copy, null=True, blank=True, on_delete=models.SET_NULL, related_name="holds"
    )
    ready_at = models.DateTimeField(null=True, blank=True)
    pickup_by = models.DateField(_("pick up by"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = HoldQuerySet.as_manager()

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        ordering = ["placed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["reader", "record", "school"],
                condition=Q(status__in=["waiting", "ready"]),
                name="circulation_one_active_hold",
                violation_error_message=_("The reader already has a hold on this title here."),
            ),
            models.UniqueConstraint(
                fields=["copy"],
                condition=Q(status="ready"),
                name="circulation_copy_one_ready_hold",
                violation_error_message=_("This copy is already on the hold shelf for a reader."),
            ),
        ]
        indexes = [models.Index(fields=["record", "school", "status"])]

    def __str__(self) -> str:
        return f"{self.record} ← {self.reader}"


class SentNotification(MailDelivery):
    """One reminder to one person; the unique key ("due_soon:loan:12:2026-11-23")
    makes the daily run idempotent, the e-mail's state (`MailDelivery`) lets a
    later run send again what failed."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("due in two days")
        OVERDUE = "overdue", _("overdue")
        HOLD_READY = "hold_ready", _("hold ready")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=120)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "recipient"], name="circulation_sent_once"),
        ]

    def __str__(self) -> str:
        return self.key


class Stocktake(models.Model):
    """A stocktake (skontrum) of one library."""

    school = models.ForeignKey("portal.School", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    started_at = models.DateTimeField(auto_now_add=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return self.name


class StocktakeScan(models.Model):
    stocktake = models.ForeignKey(Stocktake, on_delete=models.CASCADE, related_name="scans")
    shelf = models.CharField(_("shelf"), max_length=64)
    barcode = models.CharField(_("barcode"), max_length=32)
    copy = models.ForeignKey(
        Copy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scanned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["stocktake", "barcode"], name="circulation_scan_once"),
        ]

    def __str__(self) -> str:
        return f"{self.shelf}: {self.barcode}"
