"""Forms of the Lost Pupil Database: upload a lost CTF, search, and download to forward."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from cme.matching.forms import FindChildForm
from cme.registers.models import Establishment

SCHOOL_CODE = re.compile(r"^\s*(\d{3})\s*/?\s*(\d{4})\s*$")


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Upload a lost CTF",
        help_text="The XML file your school's system wrote, with the destination unknown "
        "(XXX/XXXX) or abroad (MMM/MMMM); smaller than 5MB",
        error_messages={"required": "Select a CTF file"},
    )


class LpdSearchForm(FindChildForm):
    """What the school and the officer know about the pupil: the matching form, plus the school
    the pupil may have come from."""

    previous_school = forms.CharField(
        label="Previous school",
        max_length=120,
        required=False,
        help_text="Its name, or its LA code and establishment number, like 801/2000",
    )

    def to_lookup(self) -> tuple[Any, str]:
        return self.to_record(), self.cleaned_data.get("previous_school", "").strip()


class DownloadForm(forms.Form):
    forward_to = forms.CharField(
        label="School you are forwarding it to (optional)",
        max_length=20,
        required=False,
        help_text="Its LA code and establishment number, like 990/2001. The CTF is addressed "
        "to that school so it can import it; leave blank to keep the destination unknown",
    )

    def clean_forward_to(self) -> Establishment | None:
        text = self.cleaned_data.get("forward_to", "").strip()
        if not text:
            return None
        found = SCHOOL_CODE.match(text)
        if not found:
            raise forms.ValidationError(
                "Enter the school's LA code and establishment number, like 990/2001"
            )
        school = Establishment.objects.filter(la_code=found[1], number=found[2]).first()
        if school is None:
            raise forms.ValidationError("There is no school with that number")
        return school
