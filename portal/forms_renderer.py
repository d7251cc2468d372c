"""The project's form renderer: every form and every field renders through one
pattern (portal/templates/portal/forms/), so labels carry a visible required
marker and the help text and errors exist under the ids that Django's
aria-describedby names."""

from django.forms.renderers import DjangoTemplates


class PortalFormRenderer(DjangoTemplates):
    form_template_name = "portal/forms/div.html"
    field_template_name = "portal/forms/field.html"
