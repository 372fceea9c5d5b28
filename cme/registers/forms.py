"""Forms for the registers. They validate only: the views pass cleaned data to one service each."""

from __future__ import annotations

from typing import Any

from django import forms

from cme.accounts.forms import CODE_ATTRS, code_field
from cme.accounts.models import la_code_validator
from cme.registers.models import (
    Establishment,
    EstablishmentKind,
    Phase,
    establishment_number_validator,
    urn_validator,
)
from cme.registers.selectors import EstablishmentFilter


class EstablishmentForm(forms.ModelForm[Establishment]):
    kind = forms.ChoiceField(
        label="Type",
        choices=EstablishmentKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the type of establishment"},
    )
    phase = forms.ChoiceField(
        label="Phase",
        choices=Phase.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the phase of education"},
    )

    class Meta:
        model = Establishment
        fields = ["name", "la_code", "number", "urn", "kind", "phase", "is_open"]
        labels = {"name": "Name", "is_open": "Open"}
        help_texts = {
            "la_code": "Your authority's 3-digit LA code",
            "number": "The 4-digit DfE establishment number, like 2001",
            "urn": "The 6 or 7-digit unique reference number. Leave blank if it has none yet",
            "is_open": "Clear this box when the establishment has closed",
        }
        error_messages = {
            "name": {"required": "Enter the establishment's name"},
            "la_code": {"required": "Enter the LA code"},
            "number": {"required": "Enter the establishment number"},
            "urn": {"unique": "Another establishment already has this URN"},
        }

    def __init__(self, *args: Any, own_la_code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.own_la_code = own_la_code
        code_field(self.fields["la_code"], la_code_validator, 3)
        code_field(self.fields["number"], establishment_number_validator, 4)
        code_field(self.fields["urn"], urn_validator, 10)
        if self.instance.pk is None:
            self.initial.setdefault("la_code", own_la_code)

    def clean_la_code(self) -> str:
        la_code: str = self.cleaned_data["la_code"]
        if la_code != self.own_la_code:
            raise forms.ValidationError(
                f"Enter your authority's LA code, {self.own_la_code}: you can only manage "
                "establishments in your own area"
            )
        return la_code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        la_code, number = data.get("la_code"), data.get("number")
        if la_code and number:
            clash = Establishment.objects.filter(la_code=la_code, number=number)
            if self.instance.pk is not None:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error(
                    "number",
                    f"Another establishment already has the number {la_code}/{number}",
                )
        return data


STATUS_CHOICES = [("", "Open or closed"), ("open", "Open"), ("closed", "Closed")]


class EstablishmentFilterForm(forms.Form):
    name = forms.CharField(label="Name contains", required=False, max_length=160)
    la_code = forms.CharField(
        label="LA code",
        required=False,
        validators=[la_code_validator],
        widget=forms.TextInput(attrs={**CODE_ATTRS, "class": "govuk-input--width-3"}),
    )
    kind = forms.ChoiceField(
        label="Type", required=False, choices=[("", "Any type"), *EstablishmentKind.choices]
    )
    phase = forms.ChoiceField(
        label="Phase", required=False, choices=[("", "Any phase"), *Phase.choices]
    )
    status = forms.ChoiceField(label="Open or closed", required=False, choices=STATUS_CHOICES)

    def to_filter(self) -> EstablishmentFilter:
        data = self.cleaned_data
        status = data.get("status") or ""
        return EstablishmentFilter(
            name=(data.get("name") or "").strip(),
            la_code=data.get("la_code") or "",
            kind=data.get("kind") or "",
            phase=data.get("phase") or "",
            is_open={"open": True, "closed": False}.get(status),
        )
