"""Template helpers for GOV.UK form fields. Thread-safe: they build strings, never mutate templates."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()

_WIDGET_CLASSES = {
    "select": "govuk-select",
    "textarea": "govuk-textarea",
    "clearablefile": "govuk-file-upload",
    "file": "govuk-file-upload",
}
_ERROR_MODIFIERS = {
    "govuk-input": "govuk-input--error",
    "govuk-select": "govuk-select--error",
    "govuk-textarea": "govuk-textarea--error",
    "govuk-file-upload": "govuk-file-upload--error",
}


def hint_id(field: BoundField) -> str:
    return f"{field.auto_id}-hint"


def error_id(field: BoundField) -> str:
    return f"{field.auto_id}-error"


@register.filter
def describedby(field: BoundField) -> str:
    ids = []
    if field.help_text:
        ids.append(hint_id(field))
    if field.errors:
        ids.append(error_id(field))
    return " ".join(ids)


@register.simple_tag
def govuk_widget(field: BoundField, extra_classes: str = "") -> SafeString:
    """Render a field's widget with the GOV.UK class, error modifier and aria-describedby."""
    base = _WIDGET_CLASSES.get(field.widget_type, "govuk-input")
    classes = [base]
    if field.errors and base in _ERROR_MODIFIERS:
        classes.append(_ERROR_MODIFIERS[base])
    existing = field.field.widget.attrs.get("class")
    if existing:
        classes.append(existing)
    if extra_classes:
        classes.append(extra_classes)
    attrs: dict[str, str | bool] = {"class": " ".join(classes)}
    described = describedby(field)
    if described:
        attrs["aria-describedby"] = described
    return field.as_widget(attrs=attrs)


@register.filter
def is_choice_group(field: BoundField) -> bool:
    return field.widget_type in {"radioselect", "checkboxselectmultiple"}


@register.filter
def is_single_checkbox(field: BoundField) -> bool:
    return field.widget_type == "checkbox"


@register.simple_tag
def govuk_date_widget(field: BoundField) -> SafeString:
    """The three date boxes, marked as in error when the field is."""
    return field.as_widget(attrs={"error": bool(field.errors)})
