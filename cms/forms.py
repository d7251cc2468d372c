"""The contact form built from the editor's fields, with the `autocomplete`
purpose of each field (WCAG 1.3.5) so browsers fill in a name, e-mail or phone."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from wagtail.contrib.forms.forms import FormBuilder

# The HTML autocomplete tokens an editor may give a field of a contact form.
AUTOCOMPLETE_CHOICES = [
    ("name", _("full name")),
    ("given-name", _("first name")),
    ("family-name", _("surname")),
    ("email", _("e-mail address")),
    ("tel", _("phone number")),
    ("organization", _("organisation")),
    ("street-address", _("street and number")),
    ("postal-code", _("postal code")),
    ("address-level2", _("town")),
]


def autocomplete_of(field) -> str:
    """The purpose of a form field: the editor's choice, or `email` for an
    e-mail field (there is no other kind of address it could hold)."""
    if field.autocomplete:
        return field.autocomplete
    if field.field_type == "email":
        return "email"
    return ""


class ContactFormBuilder(FormBuilder):
    @property
    def formfields(self):
        formfields = super().formfields
        for field in self.fields:
            purpose = autocomplete_of(field)
            if not purpose:
                continue
            name = field.clean_name or field.get_field_clean_name()
            widget = formfields[name].widget
            widget.attrs["autocomplete"] = purpose
            if purpose == "tel" and getattr(widget, "input_type", None) == "text":
                widget.input_type = "tel"
        return formfields
