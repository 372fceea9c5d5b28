"""The GOV.UK date input: three boxes (day, month, year) that keep what was typed when it is wrong."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone


class GovUKDateWidget(forms.MultiWidget):
    template_name = "components/date_widget.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            [
                forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-2"}),
                forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-2"}),
                forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
            ],
            attrs,
        )

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class GovUKDateField(forms.MultiValueField):
    """A date typed as day, month and year, with GOV.UK error messages."""

    widget = GovUKDateWidget

    def __init__(
        self, *, past_only: bool = False, future_only: bool = False, **kwargs: Any
    ) -> None:
        self.past_only, self.future_only = past_only, future_only
        fields = (forms.CharField(), forms.CharField(), forms.CharField())
        kwargs.setdefault("require_all_fields", False)
        super().__init__(fields, **kwargs)

    def compress(self, data_list: list[Any]) -> date | None:
        if not data_list or not any(data_list):
            return None
        day, month, year = (str(p or "").strip() for p in data_list)
        missing = [
            name for name, value in (("day", day), ("month", month), ("year", year)) if not value
        ]
        if missing:
            raise ValidationError(f"{self.label} must include a {' and '.join(missing)}")
        if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
            raise ValidationError(f"{self.label} must be a real date, like 27 3 2026")
        try:
            value = date(int(year), int(month), int(day))
            if not 1900 <= value.year <= 2099:
                raise ValueError("implausible year")
        except ValueError:
            raise ValidationError(f"{self.label} must be a real date, like 27 3 2026") from None
        today = timezone.localdate()
        if self.past_only and value > today:
            raise ValidationError(f"{self.label} must be today or in the past")
        if self.future_only and value < today:
            raise ValidationError(f"{self.label} must be today or in the future")
        return value
