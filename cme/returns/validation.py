"""Checking one return, whatever brought it: the online form, a CSV row or (later) the API.

`validate_deletion_return(data)` and `validate_new_pupil_return(data)` take one return as a
mapping of field name to value (text as typed or read from a CSV, or dates already parsed) and
give either the checked details or the errors, field by field. Field names are the CSV columns.
They read reference data (establishments, to resolve a school's number) and write nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from cme.children.models import Relationship, Sex
from cme.children.postcodes import normalise_postcode
from cme.children.upn import normalise_upn, validate_upn
from cme.registers.models import Establishment
from cme.returns.grounds import Ground

T = TypeVar("T")

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DATE_HINT = "like 2026-03-27 or 27/03/2026"


# -- Fields that accept what people type in a spreadsheet ---------------------------------------


class CodeChoiceField(forms.ChoiceField):
    """A choice given as its code or its label, in any case: "F", "f" or "Female"."""

    def to_python(self, value: Any) -> str:
        text = str(value or "").strip()
        if not text:
            return ""
        for code, label in self.choices:  # type: ignore[misc,union-attr]
            if text.casefold() in {str(code).casefold(), str(label).casefold()}:
                return str(code)
        return text  # validate() then says it is not one of the choices


class FlexibleDateField(forms.DateField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", DATE_FORMATS)
        super().__init__(**kwargs)
        self.error_messages["invalid"] = f"{self.label} must be a real date, {DATE_HINT}"

    def to_python(self, value: Any) -> Any:
        day = super().to_python(value)
        # A year like 0001 is a typing slip, and no school clock can count from it.
        if day is not None and not 1900 <= day.year <= 2099:
            raise ValidationError(f"{self.label} must be a real date, {DATE_HINT}")
        return day


class YesNoField(forms.Field):
    """yes/no, y/n, true/false or 1/0; blank means no."""

    YES = frozenset({"yes", "y", "true", "1"})
    NO = frozenset({"", "no", "n", "false", "0"})

    def to_python(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        text = str(value or "").strip().casefold()
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValidationError(f"{self.label} must be yes or no")


_DFE_NUMBER = re.compile(r"^(\d{3})\s*[/\-\s]?\s*(\d{4})$")


def find_establishment(text: str) -> Establishment | None:
    """An establishment by DfE number (990/2001, 990 2001 or 9902001) or URN (6 or 7 digits)."""
    text = text.strip()
    match = _DFE_NUMBER.match(text)
    if match:
        found = Establishment.objects.filter(la_code=match[1], number=match[2]).first()
        if found is not None or not text.isdigit():
            return found
    if text.isdigit() and len(text) in (6, 7):
        return Establishment.objects.filter(urn=text).first()
    return None


def _text(max_length: int, label: str, required: bool = False, **kwargs: Any) -> forms.CharField:
    messages = {"required": f"Enter the {label[0].lower()}{label[1:]}"} if required else {}
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        error_messages={
            **messages,
            "max_length": f"{label} must be %(limit_value)d characters or fewer",
        },
        **kwargs,
    )


# -- The checks, shared by every way a return arrives -------------------------------------------


class PupilData(forms.Form):
    forename = _text(100, "Pupil's legal first name", required=True)
    middle_names = _text(150, "Middle names")
    surname = _text(100, "Pupil's legal last name", required=True)
    preferred_forename = _text(100, "Preferred first name")
    preferred_surname = _text(100, "Preferred last name")
    date_of_birth: forms.Field = FlexibleDateField(
        label="Date of birth", error_messages={"required": "Enter the pupil's date of birth"}
    )
    sex: forms.Field = CodeChoiceField(
        label="Sex",
        choices=Sex.choices,
        error_messages={
            "required": "Say whether the pupil is male, female or not known",
            "invalid_choice": "Sex must be M (male), F (female) or U (not known)",
        },
    )
    upn = _text(20, "UPN (unique pupil number)")
    address_line1 = _text(120, "Address line 1", required=True)
    address_line2 = _text(120, "Address line 2")
    town = _text(80, "Town or city")
    postcode = _text(10, "Postcode")

    def clean_upn(self) -> str:
        value = normalise_upn(self.cleaned_data.get("upn") or "")
        if value:
            validate_upn(value)
        return value

    def clean_postcode(self) -> str:
        value = self.cleaned_data.get("postcode") or ""
        return normalise_postcode(value) if value.strip() else ""

    def clean_date_of_birth(self) -> date | None:
        value: date | None = self.cleaned_data.get("date_of_birth")
        if value is not None and value > timezone.localdate():
            raise ValidationError("Date of birth must be in the past")
        return value

    def _school(self, name: str) -> Establishment | None:
        text = (self.cleaned_data.get(name) or "").strip()
        if not text:
            return None
        found = find_establishment(text)
        if found is None:
            raise ValidationError(
                f"We cannot find a school with the number {text}. Check the DfE number or URN, "
                "or leave it blank and give the school's name and town instead"
            )
        return found

    def _not_future(self, name: str, label: str) -> date | None:
        value: date | None = self.cleaned_data.get(name)
        if value is not None and value > timezone.localdate():
            raise ValidationError(f"{label} must be today or in the past")
        return value


class DeletionReturnData(PupilData):
    parent1_name = _text(150, "Parent or carer's full name", required=True)
    parent1_relationship: forms.Field = CodeChoiceField(
        label="Relationship to the pupil",
        choices=[("", "Not given"), *Relationship.choices],
        required=False,
    )
    parent1_address = _text(250, "Parent or carer's address, if different from the pupil's")
    parent2_name = _text(150, "Second parent or carer's full name")
    parent2_relationship: forms.Field = CodeChoiceField(
        label="Second parent or carer's relationship to the pupil",
        choices=[("", "Not given"), *Relationship.choices],
        required=False,
    )
    parent2_address = _text(250, "Second parent or carer's address, if different")
    contact1_name = _text(150, "Emergency contact's name")
    contact1_phone = _text(30, "Emergency contact's phone number")
    contact2_name = _text(150, "Second emergency contact's name")
    contact2_phone = _text(30, "Second emergency contact's phone number")
    ground: forms.Field = CodeChoiceField(
        label="Ground for deletion (regulation 9)",
        choices=Ground.choices,
        error_messages={
            "required": "Choose the ground for deleting the pupil",
            "invalid_choice": "Choose a ground from the list (see the codes on the upload page)",
        },
    )
    deleted_on: forms.Field = FlexibleDateField(
        label="Date the pupil's name was removed",
        error_messages={"required": "Enter the date the pupil's name was removed"},
    )
    last_attended_on: forms.Field = FlexibleDateField(
        label="Date of last attendance",
        error_messages={"required": "Enter the date the pupil last attended"},
    )
    destination_school = _text(
        12,
        "New school's DfE number or URN",
        help_text="For example 990/2001 or 100001. Leave blank if not known.",
    )
    destination_other = _text(
        200,
        "New school's name and town, if it has no number here",
        help_text="For example a school in another country",
    )
    destination_starts_on: forms.Field = FlexibleDateField(
        label="Start date at the new school", required=False
    )
    welfare_concerns: forms.Field = YesNoField(
        label="The school has welfare concerns", required=False
    )

    def clean_deleted_on(self) -> date | None:
        return self._not_future("deleted_on", "Date the pupil's name was removed")

    def clean_last_attended_on(self) -> date | None:
        return self._not_future("last_attended_on", "Date of last attendance")

    def clean_destination_school(self) -> Establishment | None:
        return self._school("destination_school")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        dob, deleted, last = (
            data.get("date_of_birth"),
            data.get("deleted_on"),
            data.get("last_attended_on"),
        )
        if dob and deleted and deleted <= dob:
            self.add_error(
                "deleted_on", "Date the name was removed must be after the date of birth"
            )
        if last and deleted and last > deleted:
            self.add_error(
                "last_attended_on",
                "Date of last attendance must be on or before the date the name was removed",
            )
        elif dob and last and last <= dob:
            self.add_error(
                "last_attended_on", "Date of last attendance must be after the date of birth"
            )
        destination_given = bool(data.get("destination_school")) or bool(
            (data.get("destination_other") or "").strip()
        )
        if data.get("destination_starts_on") and not destination_given:
            self.add_error(
                "destination_school",
                "Give the new school's number, or its name and town, as you know its start date",
            )
        for n in ("1", "2"):
            name = (data.get(f"contact{n}_name") or "").strip()
            phone = (data.get(f"contact{n}_phone") or "").strip()
            if name and not phone:
                self.add_error(f"contact{n}_phone", "Enter the emergency contact's phone number")
            if phone and not name:
                self.add_error(f"contact{n}_name", "Enter the emergency contact's name")
        if not (data.get("parent2_name") or "").strip() and (
            data.get("parent2_relationship") or (data.get("parent2_address") or "").strip()
        ):
            self.add_error("parent2_name", "Enter the second parent or carer's full name")
        return data


class NewPupilReturnData(PupilData):
    admitted_on: forms.Field = FlexibleDateField(
        label="Admission date", error_messages={"required": "Enter the date the pupil was admitted"}
    )
    previous_school = _text(
        12,
        "Previous school's DfE number or URN",
        help_text="For example 990/2001 or 100001. Leave blank if not known.",
    )
    previous_school_other = _text(
        200,
        "Previous school's name and town, if it has no number here",
        help_text="For example a school in another country",
    )

    def clean_admitted_on(self) -> date | None:
        return self._not_future("admitted_on", "Admission date")

    def clean_previous_school(self) -> Establishment | None:
        return self._school("previous_school")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        dob, admitted = data.get("date_of_birth"), data.get("admitted_on")
        if dob and admitted and admitted <= dob:
            self.add_error("admitted_on", "Admission date must be after the date of birth")
        return data


# -- What the checks give ----------------------------------------------------------------------


@dataclass(frozen=True)
class Parent:
    name: str
    relationship: str = ""
    address: str = ""


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str


@dataclass(frozen=True)
class PupilDetails:
    forename: str
    surname: str
    date_of_birth: date
    sex: str = Sex.UNKNOWN
    middle_names: str = ""
    preferred_forename: str = ""
    preferred_surname: str = ""
    upn: str = ""
    address_line1: str = ""
    address_line2: str = ""
    town: str = ""
    postcode: str = ""


@dataclass(frozen=True)
class DeletionDetails:
    pupil: PupilDetails
    ground: Ground
    deleted_on: date
    last_attended_on: date
    parents: tuple[Parent, ...] = ()
    contacts: tuple[Contact, ...] = ()
    destination: Establishment | None = None
    destination_other: str = ""
    destination_starts_on: date | None = None
    welfare_concerns: bool = False

    @property
    def destination_known(self) -> bool:
        return self.destination is not None or bool(self.destination_other.strip())


@dataclass(frozen=True)
class NewPupilDetails:
    pupil: PupilDetails
    admitted_on: date
    previous_school: Establishment | None = None
    previous_school_other: str = ""


@dataclass(frozen=True)
class Validated(Generic[T]):
    details: T | None
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.details is not None


def _strip(value: Any) -> str:
    return str(value or "").strip()


def pupil_details(data: Mapping[str, Any]) -> PupilDetails:
    return PupilDetails(
        **{name: _strip(data.get(name)) for name in _PUPIL_TEXT},
        date_of_birth=data["date_of_birth"],
        sex=data.get("sex") or Sex.UNKNOWN,
    )


_PUPIL_TEXT = [
    "forename",
    "surname",
    "middle_names",
    "preferred_forename",
    "preferred_surname",
    "upn",
    "address_line1",
    "address_line2",
    "town",
    "postcode",
]


def deletion_details(data: Mapping[str, Any]) -> DeletionDetails:
    """The details from a valid form's cleaned data."""
    parents = tuple(
        Parent(
            name=_strip(data.get(f"parent{n}_name")),
            relationship=data.get(f"parent{n}_relationship") or "",
            address=_strip(data.get(f"parent{n}_address")),
        )
        for n in ("1", "2")
        if _strip(data.get(f"parent{n}_name"))
    )
    contacts = tuple(
        Contact(
            name=_strip(data.get(f"contact{n}_name")), phone=_strip(data.get(f"contact{n}_phone"))
        )
        for n in ("1", "2")
        if _strip(data.get(f"contact{n}_name"))
    )
    return DeletionDetails(
        pupil=pupil_details(data),
        ground=Ground(data["ground"]),
        deleted_on=data["deleted_on"],
        last_attended_on=data["last_attended_on"],
        parents=parents,
        contacts=contacts,
        destination=data.get("destination_school"),
        destination_other=_strip(data.get("destination_other")),
        destination_starts_on=data.get("destination_starts_on"),
        welfare_concerns=bool(data.get("welfare_concerns")),
    )


def new_pupil_details(data: Mapping[str, Any]) -> NewPupilDetails:
    return NewPupilDetails(
        pupil=pupil_details(data),
        admitted_on=data["admitted_on"],
        previous_school=data.get("previous_school"),
        previous_school_other=_strip(data.get("previous_school_other")),
    )


def _errors(form: forms.Form) -> dict[str, list[str]]:
    return {name: [str(m) for m in messages] for name, messages in form.errors.items()}


def validate_deletion_return(data: Mapping[str, Any]) -> Validated[DeletionDetails]:
    """Check one deletion return given as field name → value; errors are per field ("__all__"
    for the return as a whole)."""
    form = DeletionReturnData(data=dict(data))
    if form.is_valid():
        return Validated(deletion_details(form.cleaned_data))
    return Validated(None, _errors(form))


def validate_new_pupil_return(data: Mapping[str, Any]) -> Validated[NewPupilDetails]:
    form = NewPupilReturnData(data=dict(data))
    if form.is_valid():
        return Validated(new_pupil_details(form.cleaned_data))
    return Validated(None, _errors(form))


# -- The CSV columns, documented from the checks themselves --------------------------------------

_FORMATS: dict[str, str] = {
    "date_of_birth": f"Date, {DATE_HINT}",
    "deleted_on": f"Date, {DATE_HINT}",
    "last_attended_on": f"Date, {DATE_HINT}",
    "destination_starts_on": f"Date, {DATE_HINT}",
    "admitted_on": f"Date, {DATE_HINT}",
    "sex": "M, F or U (not known)",
    "upn": "13 characters, like B801200005001",
    "postcode": "A UK postcode, like EX1 2AB",
    "ground": "One of the ground codes below",
    "parent1_relationship": "One of: " + ", ".join(Relationship.values),
    "parent2_relationship": "One of: " + ", ".join(Relationship.values),
    "destination_school": "DfE number (990/2001 or 9902001) or URN",
    "previous_school": "DfE number (990/2001 or 9902001) or URN",
    "welfare_concerns": "yes or no (blank means no)",
}


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    required: bool
    format: str


def columns(form_class: type[forms.Form]) -> list[Column]:
    return [
        Column(
            name=name,
            label=str(f.label),
            required=f.required,
            format=_FORMATS.get(name, f"Text, up to {getattr(f, 'max_length', '')} characters"),
        )
        for name, f in form_class.base_fields.items()
    ]


DELETION_COLUMNS = columns(DeletionReturnData)
NEW_PUPIL_COLUMNS = columns(NewPupilReturnData)
