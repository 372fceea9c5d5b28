"""Forms for enquiries between authorities. They validate input only; services make changes."""

from __future__ import annotations

from typing import Any

from django import forms

from cme.core.dates import GovUKDateField
from cme.enquiries.models import Answer, DirectoryContact, DirectoryEntry, Risk


class EnquiryForm(forms.Form):
    to = forms.ModelChoiceField(
        label="Which authority do you believe the child is in?",
        queryset=DirectoryEntry.objects.none(),
        empty_label="Choose one authority",
        help_text="One enquiry goes to one authority. Do your local checks first (§3.3.2.2).",
        error_messages={"required": "Choose the authority you believe the child is in"},
    )
    reason = forms.CharField(
        label="Why do you believe the child is in that authority's area?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Facts and where they came from (§3.3.3.2).",
        error_messages={"required": "Say why you believe the child is in that area"},
    )
    possible_new_address = forms.CharField(
        label="Possible new address, if known or suspected", required=False, max_length=300
    )
    possible_new_school = forms.CharField(
        label="Possible new school, if known or suspected", required=False, max_length=160
    )
    date_left_area = GovUKDateField(
        label="Date the child left the area",
        required=False,
        past_only=True,
        help_text="For example, 27 3 2026. Leave blank if not known.",
    )
    reason_for_leaving = forms.CharField(
        label="Reason for leaving, if known",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    attendance_interventions = forms.CharField(
        label="Interventions for poor attendance, including prosecutions pending",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, own_authority_id: int, restricted: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = DirectoryEntry.objects.exclude(  # type: ignore[attr-defined]
            authority_id=own_authority_id
        ).order_by("name")
        if restricted:
            # Not offered at all: a restricted child's location never leaves (§3.9.3.2).
            del self.fields["possible_new_address"]
            del self.fields["possible_new_school"]
            self.fields["reason"].help_text = (
                "This child's record is restricted: do not write any address, postcode or "
                "school. Give them by phone to the named officer if they must know."
            )

    def extra(self) -> dict[str, str]:
        data = self.cleaned_data
        left = data.get("date_left_area")
        return {
            "possible_new_address": data.get("possible_new_address", ""),
            "possible_new_school": data.get("possible_new_school", ""),
            "date_left_area": left.isoformat() if left else "",
            "reason_for_leaving": data.get("reason_for_leaving", ""),
            "attendance_interventions": data.get("attendance_interventions", ""),
        }


class ApprovalForm(forms.Form):
    decision = forms.ChoiceField(
        label="Do you approve this enquiry?",
        widget=forms.RadioSelect,
        choices=[("approve", "Yes, send it"), ("refuse", "No, do not send it")],
        error_messages={"required": "Choose whether to send the enquiry"},
    )
    reason = forms.CharField(
        label="Reason for your decision",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give the reason for your decision"},
    )


class AssessmentForm(forms.Form):
    risk = forms.ChoiceField(
        label="How vulnerable is the child, from what the enquiry says?",
        widget=forms.RadioSelect,
        choices=Risk.choices,
        help_text="Decide before any home visit (§3.3.4.1). It sets the priority and due date.",
        error_messages={"required": "Choose how vulnerable the child is"},
    )
    notes = forms.CharField(
        label="How the visit should be made, and why",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CheckForm(forms.Form):
    made_on = GovUKDateField(
        label="Date of the check",
        past_only=True,
        error_messages={"required": "Enter the date of the check"},
    )
    outcome = forms.CharField(
        label="What the check found",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say what the check found"},
    )


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label="What did you find?",
        widget=forms.RadioSelect,
        choices=Answer.choices,
        error_messages={"required": "Choose what you found"},
    )
    message = forms.CharField(
        label="Message to the enquiring authority (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ContactForm(forms.ModelForm[DirectoryContact]):
    class Meta:
        model = DirectoryContact
        fields = ["name", "job_title", "email", "phone"]
        error_messages = {
            "name": {"required": "Enter the contact's name"},
            "email": {"required": "Enter the contact's email address"},
        }
