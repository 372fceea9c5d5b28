"""Forms for matching: what is known about a child, and the reason for rejecting a match."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from cme.children.upn import normalise_upn
from cme.core.dates import GovUKDateField
from cme.matching.engine import PersonRecord

SEX_CHOICES = [("", "Not known"), ("F", "Female"), ("M", "Male")]
QUERY_ID = "query"


def _text(label: str, max_length: int, help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length, required=False, help_text=help_text)


def _split(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.replace(";", ",").split(",") if p.strip())


class FindChildForm(forms.Form):
    """Any of what is known. Nothing is required, but something must be given."""

    forename = _text("First name", 100)
    middle_names = _text("Middle names", 150)
    surname = _text("Last name", 100)
    other_names = _text(
        "Other names",
        200,
        "Preferred, former or other names, separated by commas, like Bill Smith, Will Jones",
    )
    date_of_birth = GovUKDateField(
        label="Date of birth", required=False, past_only=True, help_text="For example, 27 3 2014"
    )
    sex = forms.ChoiceField(
        label="Sex", choices=SEX_CHOICES, required=False, widget=forms.RadioSelect
    )
    postcode = _text("Postcode", 10)
    address = _text("Address", 250)
    upn = _text("Unique pupil number (UPN)", 13)
    parent_name = _text("A parent's or carer's full name", 150)

    def clean_upn(self) -> str:
        return normalise_upn(self.cleaned_data.get("upn") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not any(data.get(name) for name in self.fields):
            raise ValidationError("Enter something you know about the child, such as a name")
        return data

    def described_fields(self) -> list[str]:
        """The names of the fields given (for the audit trail: which, never what)."""
        return sorted(name for name in self.fields if self.cleaned_data.get(name))

    def to_record(self) -> PersonRecord:
        data = self.cleaned_data
        others = _split(data.get("other_names", ""))
        forenames = [data.get("forename", "").strip(), *(o.split()[0] for o in others)]
        surnames = [
            data.get("surname", "").strip(),
            *(o.split()[-1] for o in others if len(o.split()) > 1),
        ]
        return PersonRecord(
            id=QUERY_ID,
            forenames=tuple(n for n in forenames if n),
            middle_names=data.get("middle_names", "").strip(),
            surnames=tuple(n for n in surnames if n),
            dob=data.get("date_of_birth"),
            sex=data.get("sex", ""),
            postcode=data.get("postcode", "").strip(),
            address=data.get("address", "").strip(),
            upns=(data["upn"],) if data.get("upn") else (),
            parent_names=(data["parent_name"].strip(),) if data.get("parent_name") else (),
        )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Why are these not the same child?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why these records are not the same child"},
    )
