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
    PlaceFigure,
    establishment_number_validator,
    urn_validator,
)
from cme.registers.places import NOT_IN_REGISTER_KINDS, YEAR_GROUPS, year_group_label
from cme.registers.selectors import EstablishmentFilter
from cme.registers.services import ProgrammePlaces


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


# -- The places register ------------------------------------------------------------------------


def _places_field(label: str, required: bool = False, help_text: str = "") -> forms.IntegerField:
    noun = label[0].lower() + label[1:]
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=0,
        max_value=9999,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
        error_messages={
            "required": f"Enter the {noun}",
            "invalid": f"The {noun} must be a whole number, like 3",
            "min_value": f"The {noun} must be 0 or more",
            "max_value": f"The {noun} must be 9999 or fewer",
        },
    )


class SchoolPlacesForm(forms.Form):
    """A school's places by year group: one box per year group it takes, filled with the current
    figures so that sending them again confirms them."""

    def __init__(self, *args: Any, year_groups: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.year_groups = year_groups
        for group in year_groups:
            self.fields[f"year_{group}"] = _places_field(
                f"{year_group_label(group)} places available"
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and all(data.get(f"year_{g}") is None for g in self.year_groups):
            raise forms.ValidationError("Enter the places available in at least one year group")
        return data

    def figures(self) -> dict[str, int]:
        return {
            group: self.cleaned_data[f"year_{group}"]
            for group in self.year_groups
            if self.cleaned_data.get(f"year_{group}") is not None
        }


class ProgrammePlacesForm(forms.Form):
    """An alternative provider's places by programme: each current programme's places (and
    whether it has ended), and optionally a new programme."""

    new_name = forms.CharField(label="New programme name", required=False, max_length=120)
    new_places = _places_field("Places on the new programme")

    def __init__(self, *args: Any, programmes: list[PlaceFigure], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.programmes = programmes
        fields: dict[str, forms.Field] = {}
        for figure in programmes:
            fields[f"programme_{figure.pk}"] = _places_field(
                f"Places on {figure.programme}", required=True
            )
            fields[f"programme_{figure.pk}_ended"] = forms.BooleanField(
                label=f"{figure.programme} is no longer offered", required=False
            )
            self.initial.setdefault(f"programme_{figure.pk}", figure.places)
        # The current programmes first, then the new one.
        new = {name: self.fields.pop(name) for name in ("new_name", "new_places")}
        self.fields.update(fields)
        self.fields.update(new)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name, count = (data.get("new_name") or "").strip(), data.get("new_places")
        if name and count is None and "new_places" not in self.errors:
            self.add_error("new_places", "Enter the places on the new programme")
        if count is not None and not name:
            self.add_error("new_name", "Enter the new programme's name")
        if not self.errors and not self.programmes and not name:
            raise forms.ValidationError("Enter a programme and its places")
        taken = {f.programme.casefold() for f in self.programmes}
        if name and name.casefold() in taken:
            self.add_error("new_name", f"{name} is already listed: change its places above")
        return data

    def figures(self) -> list[ProgrammePlaces]:
        data = self.cleaned_data
        given = [
            ProgrammePlaces(
                name=f.programme,
                places=data[f"programme_{f.pk}"],
                ended=bool(data.get(f"programme_{f.pk}_ended")),
            )
            for f in self.programmes
        ]
        if (data.get("new_name") or "").strip():
            given.append(ProgrammePlaces(name=data["new_name"].strip(), places=data["new_places"]))
        return given


class PlacesFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Type",
        required=False,
        choices=[
            ("", "Any type"),
            *[
                (k, label)
                for k, label in EstablishmentKind.choices
                if k not in NOT_IN_REGISTER_KINDS
            ],
        ],
    )
    phase = forms.ChoiceField(
        label="Phase", required=False, choices=[("", "Any phase"), *Phase.choices]
    )
    year_group = forms.ChoiceField(
        label="Year group",
        required=False,
        choices=[("", "All year groups"), *[(g, year_group_label(g)) for g in YEAR_GROUPS]],
        help_text="Alternative provision gives places by programme, so it is left out when you "
        "choose a year group",
    )
