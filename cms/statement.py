"""The accessibility statement (deklaracja dostępności) that a Polish public body
publishes under the act of 4 April 2019 on the digital accessibility of websites
and mobile applications of public bodies (art. 10), in the structure of the
minister's "Warunki techniczne publikacji oraz struktura dokumentu elektronicznego
deklaracji dostępności".

The statutory wording and the machine-readable element ids (`a11y-*`) live in the
template; the page holds only what the body fills in (dates, status, the list of
what is not accessible, the coordinator, the building). One statement per
section: the municipality's under the home page, and a school's under its school
page, always at `…/deklaracja-dostepnosci/` so the footer link never moves."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from portal.validators import validate_link

from .models import SeoMixin

STATEMENT_SLUG = "deklaracja-dostepnosci"

# Lists and links, never headings: the statement's headings are the template's,
# in the order the minister's structure gives them.
STATEMENT_TEXT_FEATURES = ["bold", "italic", "link", "document-link", "ul", "ol"]


class AccessibilityStatementPage(SeoMixin, Page):
    class Status(models.TextChoices):
        COMPLIANT = "compliant", _("compliant with the act")
        PARTIAL = "partial", _("partially compliant with the act")
        NONCOMPLIANT = "noncompliant", _("not compliant with the act")

    class Assessment(models.TextChoices):
        SELF = "self", _("self-assessment by the public body")
        EXTERNAL = "external", _("examination by an external body")

    body_name = models.CharField(
        _("public body"),
        max_length=250,
        help_text=_("The full name of the body the statement is made by."),
    )
    published_on = models.DateField(_("website publication date"))
    updated_on = models.DateField(_("date of the last significant update of the website"))
    status = models.CharField(
        _("compliance status"), max_length=20, choices=Status.choices, default=Status.PARTIAL
    )
    inaccessible_content = RichTextField(
        _("content that is not accessible"),
        features=STATEMENT_TEXT_FEATURES,
        blank=True,
        help_text=_(
            "A list: what is not accessible, why, and how to get it in another way. "
            "Required unless the website is compliant."
        ),
    )
    exempt_content = RichTextField(
        _("content not covered by the act"),
        features=STATEMENT_TEXT_FEATURES,
        blank=True,
        help_text=_("Content the act exempts, with the reason, if any."),
    )
    burden_analysis_url = models.CharField(
        _("analysis of disproportionate burden"),
        max_length=300,
        blank=True,
        validators=[validate_link],
        help_text=_(
            "The address of the analysis, only if the body relies on disproportionate burden."
        ),
    )
    prepared_on = models.DateField(_("date the statement was prepared"))
    reviewed_on = models.DateField(
        _("date of the last review of the statement"),
        null=True,
        blank=True,
        help_text=_("The statement is reviewed at least once a year."),
    )
    assessment = models.CharField(
        _("the statement is based on"),
        max_length=20,
        choices=Assessment.choices,
        default=Assessment.SELF,
    )
    auditor = models.CharField(
        _("external body"),
        max_length=250,
        blank=True,
        help_text=_("The body that examined the website, for an external examination."),
    )
    assessment_notes = RichTextField(
        _("how accessibility was checked"), features=STATEMENT_TEXT_FEATURES, blank=True
    )
    features = RichTextField(
        _("accessibility features"),
        features=STATEMENT_TEXT_FEATURES,
        blank=True,
        help_text=_("Conveniences beyond the requirements, keyboard shortcuts."),
    )
    coordinator_name = models.CharField(
        _("contact person"),
        max_length=200,
        help_text=_("Who handles accessibility requests (the accessibility coordinator)."),
    )
    coordinator_email = models.EmailField(_("contact person's e-mail"))
    coordinator_phone = models.CharField(_("contact person's phone"), max_length=32)
    complaints_to = models.TextField(
        _("complaints are addressed to"),
        help_text=_("The head of the public body with the postal address."),
    )
    architecture = RichTextField(
        _("architectural accessibility"),
        features=STATEMENT_TEXT_FEATURES,
        help_text=_("The buildings: entrances, lifts, toilets, parking, assistance dogs."),
    )
    communication = RichTextField(
        _("communication accessibility"),
        features=STATEMENT_TEXT_FEATURES,
        help_text=_("Sign language interpreting, other ways to get in touch."),
    )
    mobile_apps = RichTextField(
        _("mobile applications"),
        features=STATEMENT_TEXT_FEATURES,
        help_text=_("The body's mobile applications and their statements, or that there are none."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("body_name"),
        FieldRowPanel([FieldPanel("published_on"), FieldPanel("updated_on")]),
        MultiFieldPanel(
            [
                FieldPanel("status"),
                FieldPanel("inaccessible_content"),
                FieldPanel("exempt_content"),
                FieldPanel("burden_analysis_url"),
            ],
            heading=_("Compliance"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("prepared_on"), FieldPanel("reviewed_on")]),
                FieldRowPanel([FieldPanel("assessment"), FieldPanel("auditor")]),
                FieldPanel("assessment_notes"),
            ],
            heading=_("Preparation of the statement"),
        ),
        FieldPanel("features"),
        MultiFieldPanel(
            [
                FieldPanel("coordinator_name"),
                FieldRowPanel([FieldPanel("coordinator_email"), FieldPanel("coordinator_phone")]),
                FieldPanel("complaints_to"),
            ],
            heading=_("Feedback and contact"),
        ),
        FieldPanel("architecture"),
        FieldPanel("communication"),
        FieldPanel("mobile_apps"),
    ]
    parent_page_types = ["cms.HomePage", "cms.SchoolPage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("accessibility statement")

    def full_clean(self, *args, **kwargs):
        # The address is fixed: the footer of every page links to it.
        self.slug = STATEMENT_SLUG
        super().full_clean(*args, **kwargs)

    def clean(self):
        super().clean()
        errors = {}
        if self.status != self.Status.COMPLIANT and not _text(self.inaccessible_content):
            errors["inaccessible_content"] = _(
                "List what is not accessible: the website is not fully compliant."
            )
        if self.assessment == self.Assessment.EXTERNAL and not self.auditor.strip():
            errors["auditor"] = _("Name the body that examined the website.")
        if self.published_on and self.updated_on and self.updated_on < self.published_on:
            errors["updated_on"] = _("The website cannot be updated before it was published.")
        if self.prepared_on and self.reviewed_on and self.reviewed_on < self.prepared_on:
            errors["reviewed_on"] = _("The statement cannot be reviewed before it was prepared.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.slug = STATEMENT_SLUG
        return super().save(*args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        scope = self.get_parent().specific
        context["scope_page"] = scope
        # The address the reader actually uses, whatever host the Site record names.
        context["scope_url"] = request.build_absolute_uri(scope.get_url(request))
        return context


def _text(html: str) -> str:
    """The words of a rich-text value (an empty editor leaves `<p></p>`)."""
    return strip_tags(html or "").strip()
