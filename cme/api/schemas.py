"""The API's request and response shapes.

Request bodies are generated from the Django forms that check the same submissions on the pages
(and in CSV uploads), so the rules live in one place: the form. The generated schema publishes
each field's type, whether it is required, its length and its choices; the API enforces only
the JSON types itself (strict: no "12" for 12, no 1 for true) and hands everything else to the
form, whose messages come back in the problem's `errors`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

from django import forms
from ninja import Schema
from pydantic import (
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
    create_model,
)

from cme.core.dates import GovUKDateField
from cme.intake.models import Status as ReferralStatus
from cme.returns.validation import YesNoField

# Years 1900 to 2099: the service's date arithmetic (school calendars, due dates) is not written
# for year 1, which a bare "format: date" allows.
ISO_DATE = r"^(19|20)\d\d-\d\d-\d\d$"
IsoDate = Annotated[str, StringConstraints(strict=True, pattern=ISO_DATE)]


class FormShaped(Schema):
    """A body whose fields mirror a form. `None` means "not sent": an explicit null is refused."""

    form_required: ClassVar[tuple[str, ...]] = ()
    model_config = ConfigDict(json_schema_extra=lambda schema, cls: _publish(schema, cls))

    def form_values(self) -> dict[str, Any]:
        return {name: value for name, value in self.model_dump().items() if value is not None}


def _publish(schema: dict[str, Any], cls: Any) -> None:
    required = list(getattr(cls, "form_required", ()))
    if required:
        schema["required"] = required
    for prop in schema.get("properties", {}).values():
        if prop.get("default", ...) is None:
            del prop["default"]


def _text(field: forms.Field) -> str:
    label = str(field.label or "")
    if isinstance(field, GovUKDateField | forms.DateField):
        return f"{label}, written YYYY-MM-DD"  # the page's hint is about its three boxes
    if not field.help_text:
        return label
    return f"{label}{'' if label.endswith(('?', '.')) else '.'} {field.help_text}"


def _choices(field: forms.ChoiceField) -> list[str]:
    return [str(code) for code, _ in field.choices if code != ""]  # type: ignore[misc,union-attr]


def _property(field: forms.Field, as_bool: bool) -> tuple[Any, dict[str, Any]]:
    """The JSON type of one form field, and what the schema adds about it.

    Lengths and choices are enforced here as well as by the form, from the form's own numbers:
    the form strips spaces before it counts, and accepts a choice's label too, so without this
    the API would accept some bodies its published schema forbids.
    """
    if as_bool or isinstance(field, YesNoField | forms.BooleanField):
        return StrictBool, {}
    if isinstance(field, GovUKDateField | forms.DateField):
        return IsoDate, {"format": "date"}
    if isinstance(field, forms.MultipleChoiceField):
        return list[Literal[tuple(_choices(field))]], {}  # type: ignore[misc]
    if isinstance(field, forms.ChoiceField):
        return Literal[tuple(_choices(field))], {}
    if isinstance(field, forms.IntegerField):
        limits = {"minimum": field.min_value, "maximum": field.max_value}
        return StrictInt, {k: v for k, v in limits.items() if v is not None}
    max_length = getattr(field, "max_length", None)
    if max_length:
        return Annotated[str, StringConstraints(strict=True, max_length=max_length)], {}
    return StrictStr, {}


def form_schema(
    name: str, form_class: type[forms.Form], *, booleans: tuple[str, ...] = ()
) -> type[FormShaped]:
    """A request body with one property per field of `form_class`."""
    fields: dict[str, Any] = {}
    required = []
    for field_name, field in form_class.base_fields.items():
        annotation, extra = _property(field, field_name in booleans)
        if field.initial not in (None, ""):
            extra["default"] = field.initial
        elif field.required:
            required.append(field_name)
        fields[field_name] = (
            annotation,
            Field(default=None, description=_text(field), json_schema_extra=extra or None),
        )
    model: type[FormShaped] = create_model(name, __base__=FormShaped, **fields)
    model.form_required = tuple(required)
    return model


def form_data(
    form_class: type[forms.Form], values: Mapping[str, Any], *, booleans: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The body's values as the form reads them from a POST: three boxes for a GOV.UK date,
    "yes"/"no" for a yes/no radio, and each field's initial value when it was not sent."""
    data: dict[str, Any] = {}
    for name, field in form_class.base_fields.items():
        value = values.get(name, field.initial)
        if value is None:
            continue
        if isinstance(field, GovUKDateField):
            year, month, day = str(value).split("-")
            data.update({f"{name}_0": day, f"{name}_1": month, f"{name}_2": year})
        elif name in booleans:
            data[name] = "yes" if value else "no"
        else:
            data[name] = value
    return data


# -- Responses -----------------------------------------------------------------------------------


class Accepted(Schema):
    """What the API says back: a reference and a status, never anything about the child."""

    reference: str = Field(description="Quote this reference when you contact the authority")
    status: str


class ReferralAccepted(Accepted):
    status: ReferralStatus


class FieldError(Schema):
    field: str | None = Field(
        description="The body property the message is about; null for the body as a whole"
    )
    message: str


class Problem(Schema):
    """RFC 9457 problem details; sent as application/problem+json."""

    type: str
    title: str
    status: int
    detail: str
    request_id: str | None = Field(
        default=None, description="Quote this when you report a problem to the authority"
    )
    errors: list[FieldError] | None = Field(
        default=None, description="For validation problems: what is wrong, field by field"
    )
    reference: str | None = Field(
        default=None, description="For a duplicate: the reference of the return already received"
    )
