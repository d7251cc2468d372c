"""The admin's list of contact-form submissions, with formula-safe downloads."""

from __future__ import annotations

from django.utils.functional import cached_property

from wagtail.contrib.forms.views import SubmissionsListView

from portal.exports import SafeSpreadsheetExportMixin


class ContactSubmissionsListView(SafeSpreadsheetExportMixin, SubmissionsListView):
    """Wagtail's submissions list; its CSV and XLSX cells cannot run as formulas.
    What a number field received stays a number."""

    @cached_property
    def numeric_export_fields(self) -> set[str]:
        return {
            field.clean_name
            for field in self.form_page.get_form_fields()
            if field.field_type == "number"
        }
