"""Forms for needs, brokering, monitoring and support. They validate input; services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from cme.accounts.models import PartnerAgency
from cme.children.models import SpecialNeeds
from cme.core.dates import GovUKDateField
from cme.provision.models import Answer, AttemptOutcome, Attendance, ProvisionKind, RefusedBy
from cme.registers.models import Establishment, EstablishmentKind

TEXTAREA = forms.Textarea(attrs={"rows": 3})


def _establishments() -> Any:
    return Establishment.objects.filter(is_open=True).order_by("name")


def _listed_or_named(
    form: forms.Form, data: dict[str, Any], listed: str, name: str, message: str
) -> None:
    """A provider or service is chosen from the list, or its name typed in: one of the two."""
    if not data.get(listed) and not (data.get(name) or "").strip():
        form.add_error(listed, message)


class NeedsForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    assessed_on = GovUKDateField(
        label="Date of assessment",
        past_only=True,
        error_messages={"required": "Enter the date of the assessment"},
    )
    reasons_disengaged = forms.CharField(
        label="Why the child became disengaged from education",
        help_text="The reasons the return to education has to take into account (§3.6.2)",
        widget=TEXTAREA,
        max_length=3000,
        error_messages={"required": "Enter why the child became disengaged from education"},
    )
    child_preference = forms.CharField(
        label="What the child would like", required=False, widget=TEXTAREA, max_length=2000
    )
    parent_preference = forms.CharField(
        label="What the parents or carers would like",
        required=False,
        widget=TEXTAREA,
        max_length=2000,
    )
    special_needs = forms.ChoiceField(
        label="Special educational needs", choices=SpecialNeeds.choices, widget=forms.RadioSelect
    )
    common_assessment = forms.ChoiceField(
        label="Has a Common Assessment been made?",
        choices=Answer.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether a Common Assessment has been made"},
    )
    common_assessment_on = GovUKDateField(
        label="Date of the Common Assessment",
        required=False,
        past_only=True,
        help_text="If one has been made",
    )
    specialist_referral = forms.ChoiceField(
        label="Has the child been referred for a specialist assessment?",
        choices=Answer.choices,
        widget=forms.RadioSelect,
        help_text="For complex needs (§3.6.3)",
        error_messages={
            "required": "Say whether the child has been referred for a specialist assessment"
        },
    )
    specialist_referral_on = GovUKDateField(
        label="Date of the specialist referral", required=False, past_only=True
    )
    specialist_referral_to = forms.CharField(
        label="Who the specialist referral went to", required=False, max_length=160
    )
    lead_professional = forms.CharField(
        label="Lead professional",
        required=False,
        max_length=160,
        help_text="The single point of contact co-ordinating the actions (§3.6.4)",
    )
    lead_professional_role = forms.CharField(
        label="Lead professional's role and service", required=False, max_length=160
    )
    recommended_kind = forms.ChoiceField(
        label="Provision recommended",
        choices=[("", "Not decided yet"), *ProvisionKind.choices],
        required=False,
        help_text="Mainstream school is the right option for many children (§3.6.1)",
    )
    recommended_detail = forms.CharField(
        label="Details of the provision recommended", required=False, max_length=150
    )
    recommended_on = GovUKDateField(
        label="Date the form of provision was determined",
        required=False,
        past_only=True,
        help_text="Leave blank for today",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for answer, when, message in (
            (
                "common_assessment",
                "common_assessment_on",
                "Enter the date of the Common Assessment",
            ),
            (
                "specialist_referral",
                "specialist_referral_on",
                "Enter the date of the specialist referral",
            ),
        ):
            if data.get(answer) == Answer.YES and not data.get(when) and when not in self.errors:
                self.add_error(when, message)
        return data


class AttemptForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    establishment = forms.ModelChoiceField(
        label="School or provider",
        queryset=Establishment.objects.none(),
        required=False,
        empty_label="Not listed",
    )
    provider_name = forms.CharField(
        label="Provider's name, if not listed", required=False, max_length=160
    )
    attempted_on = GovUKDateField(
        label="Date of the attempt",
        past_only=True,
        error_messages={"required": "Enter the date of the attempt"},
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=AttemptOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the outcome"},
    )
    refused_by = forms.ChoiceField(
        label="If refused, who refused",
        choices=RefusedBy.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=300,
        help_text="Why the place was refused, or why there was no place",
    )
    starts_on = GovUKDateField(
        label="Start date", required=False, help_text="If admitted: the day the child starts"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["establishment"].queryset = _establishments()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _listed_or_named(
            self,
            data,
            "establishment",
            "provider_name",
            "Choose the school or provider, or enter its name",
        )
        outcome = data.get("outcome")
        if outcome == AttemptOutcome.REFUSED:
            if not data.get("refused_by"):
                self.add_error("refused_by", "Say who refused the place")
            if not (data.get("reason") or "").strip():
                self.add_error("reason", "Enter why the place was refused")
        admitted = outcome == AttemptOutcome.ADMITTED
        if admitted and not data.get("starts_on") and "starts_on" not in self.errors:
            self.add_error("starts_on", "Enter the date the child starts")
        return data


class CheckForm(forms.Form):
    checked_on = GovUKDateField(
        label="Date checked",
        past_only=True,
        error_messages={"required": "Enter the date of the check"},
    )
    attendance = forms.ChoiceField(
        label="Attendance seen",
        choices=Attendance.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="Choose one, or give the percentage below",
    )
    percentage = forms.IntegerField(
        label="Attendance percentage",
        required=False,
        min_value=0,
        max_value=100,
        help_text="Sessions attended since the last check, if the provider gave a figure",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={
            "invalid": "Enter the percentage as a whole number, like 85",
            "min_value": "The percentage must be between 0 and 100",
            "max_value": "The percentage must be between 0 and 100",
        },
    )
    notes = forms.CharField(label="Notes", required=False, max_length=300)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = data.get("attendance") or data.get("percentage") is not None
        if not given and "percentage" not in self.errors:
            self.add_error("attendance", "Choose the attendance seen, or give the percentage")
        return data


class RegisterAuditForm(forms.Form):
    establishment = forms.ModelChoiceField(
        label="Provider",
        queryset=Establishment.objects.none(),
        required=False,
        empty_label="Not listed",
        help_text="Alternative providers and pupil referral units are listed first",
    )
    provider_name = forms.CharField(
        label="Provider's name, if not listed", required=False, max_length=160
    )
    audited_on = GovUKDateField(
        label="Date of the audit",
        past_only=True,
        error_messages={"required": "Enter the date of the audit"},
    )
    pupils_checked = forms.IntegerField(
        label="Pupils checked",
        min_value=0,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
        error_messages={
            "required": "Enter how many pupils were checked",
            "invalid": "Enter the number of pupils checked as a whole number",
            "min_value": "The number of pupils checked cannot be negative",
        },
    )
    discrepancies = forms.IntegerField(
        label="Discrepancies found",
        min_value=0,
        help_text="Pupils whose attendance on the register did not match what was found",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
        error_messages={
            "required": "Enter how many discrepancies were found, or 0",
            "invalid": "Enter the number of discrepancies as a whole number",
            "min_value": "The number of discrepancies cannot be negative",
        },
    )
    notes = forms.CharField(label="Notes", required=False, widget=TEXTAREA, max_length=3000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django.db.models import Case, IntegerField, Value, When

        alternative = [EstablishmentKind.ALTERNATIVE, EstablishmentKind.PRU]
        self.fields["establishment"].queryset = _establishments().order_by(  # type: ignore[attr-defined]
            Case(
                When(kind__in=alternative, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            "name",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _listed_or_named(
            self, data, "establishment", "provider_name", "Choose the provider, or enter its name"
        )
        checked, found = data.get("pupils_checked"), data.get("discrepancies")
        if checked is not None and found is not None and found > checked:
            self.add_error(
                "discrepancies", "There cannot be more discrepancies than pupils checked"
            )
        return data


class SupportForm(forms.Form):
    agency = forms.ModelChoiceField(
        label="Service",
        queryset=PartnerAgency.objects.none(),
        required=False,
        empty_label="Not listed",
    )
    agency_name = forms.CharField(
        label="Service's name, if not listed", required=False, max_length=160
    )
    referred_on = GovUKDateField(
        label="Date referred",
        past_only=True,
        error_messages={"required": "Enter the date of the referral"},
    )
    reason = forms.CharField(
        label="Reason for the referral",
        max_length=300,
        help_text="The welfare reason support is needed",
        error_messages={"required": "Enter the reason for the referral"},
    )

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _listed_or_named(
            self, data, "agency", "agency_name", "Choose the service, or enter its name"
        )
        return data


class SupportResponseForm(forms.Form):
    response = forms.CharField(
        label="Response",
        max_length=300,
        error_messages={"required": "Enter the service's response"},
    )
    response_on = GovUKDateField(
        label="Date of the response",
        past_only=True,
        error_messages={"required": "Enter the date of the response"},
    )
