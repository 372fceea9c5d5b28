"""Forms for CTF pages: the upload, the export's destination and a manager's export grant."""

from __future__ import annotations

from typing import Any

from django import forms

from cme.registers.models import Establishment
from cme.transfers.exports import destination_codes
from cme.transfers.models import MAX_UPLOAD_BYTES
from cme.transfers.services import ExportRefused

SCHOOL, CODES, UNKNOWN, ABROAD = "school", "codes", "unknown", "abroad"


class CtfUploadForm(forms.Form):
    file = forms.FileField(
        label="Upload a common transfer file (CTF)",
        help_text=f"An XML file, smaller than {MAX_UPLOAD_BYTES // (1024 * 1024)}MB",
        error_messages={
            "required": "Select a CTF file",
            "empty": "The selected file is empty",
            "invalid": "Select a CTF file",
        },
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        # Checked before a byte is read: the size the browser sent is what was stored.
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file cannot be used: it is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB"
            )
        if upload.size == 0:
            raise forms.ValidationError("The selected file is empty")
        return upload


class CtfExportForm(forms.Form):
    destination = forms.ChoiceField(
        label="Where is the child going?",
        choices=[
            (SCHOOL, "A school in this authority's area"),
            (CODES, "A school elsewhere (enter its LA code and school number)"),
            (UNKNOWN, "Destination unknown (XXX/XXXX, for the Lost Pupil Database)"),
            (ABROAD, "Moved abroad (MMM/MMMM)"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select where the child is going"},
    )
    school = forms.ModelChoiceField(
        label="School in this area",
        queryset=Establishment.objects.none(),
        required=False,
        empty_label="Choose a school",
    )
    dest_lea = forms.CharField(
        label="LA code of a school elsewhere", max_length=3, required=False, help_text="3 digits"
    )
    dest_estab = forms.CharField(
        label="School number of a school elsewhere",
        max_length=4,
        required=False,
        help_text="4 digits",
    )

    def __init__(self, *args: Any, la_code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["school"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Establishment.objects.filter(la_code=la_code, is_open=True).order_by(
            "name"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        choice = data.get("destination")
        if choice == SCHOOL:
            school = data.get("school")
            if school is None:
                self.add_error("school", "Choose the school the child is going to")
            else:
                data["codes"] = (school.la_code, school.number)
        elif choice == CODES:
            try:
                data["codes"] = destination_codes(
                    "known", data.get("dest_lea", ""), data.get("dest_estab", "")
                )
            except ExportRefused as refused:
                self.add_error("dest_lea", str(refused))
        elif choice in (UNKNOWN, ABROAD):
            data["codes"] = destination_codes(choice)
        return data


class CtfExportGrantForm(forms.Form):
    reason = forms.CharField(
        label="Why must this CTF be sent?",
        help_text="At least 10 characters. The reason is kept with the permission, for review",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter why this CTF must be sent"},
    )

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"].strip()
        if len(reason) < 10:
            raise forms.ValidationError(
                "Explain why this CTF must be sent (at least 10 characters)"
            )
        return reason
