"""Every form renders the GOV.UK way through this renderer: `{{ form }}` gives GOV.UK fields."""

from __future__ import annotations

from django.forms.renderers import TemplatesSetting


class GovUKFormRenderer(TemplatesSetting):
    form_template_name = "components/form_fields.html"
    field_template_name = "components/field.html"
