"""Forms for working a case. They validate input only; services make the changes."""

from __future__ import annotations

from typing import Any

from django import forms

from cme.accounts.models import Role, User
from cme.cases.models import (
    Answer,
    Case,
    NoteKind,
    Outcome,
    Priority,
    Source,
    Stage,
    VulnerabilityAssessment,
)
from cme.cases.workflow import allowed_moves
from cme.children.models import (
    Ethnicity,
    NameKind,
    Relationship,
    Sex,
    SpecialNeeds,
    VulnerableGroup,
)
from cme.children.upn import normalise_upn, validate_upn
from cme.core.dates import GovUKDateField
from cme.registers.models import Establishment

CASE_TEAM = [Role.CME_OFFICER, Role.CME_MANAGER, Role.CASEWORKER]


def case_team_choices(authority_id: int) -> list[tuple[str, str]]:
    people = (
        User.objects.filter(
            is_active=True,
            memberships__authority_id=authority_id,
            memberships__role__in=CASE_TEAM,
            memberships__is_active=True,
        )
        .distinct()
        .order_by("full_name")
        .values_list("pk", "full_name")
    )
    return [("", "Nobody yet"), *((str(pk), name) for pk, name in people)]


class UPNField(forms.CharField):
    def clean(self, value: Any) -> str:
        text = normalise_upn(super().clean(value) or "")
        if text:
            validate_upn(text)
        return text


class CaseOpenForm(forms.Form):
    forename = forms.CharField(
        label="First name",
        max_length=100,
        error_messages={"required": "Enter the child's first name"},
    )
    surname = forms.CharField(
        label="Last name",
        max_length=100,
        error_messages={"required": "Enter the child's last name"},
    )
    date_of_birth = GovUKDateField(
        label="Date of birth",
        required=False,
        past_only=True,
        help_text="For example, 27 3 2013. Leave blank if not known.",
    )
    sex = forms.ChoiceField(
        label="Sex", choices=Sex.choices, widget=forms.RadioSelect, initial=Sex.UNKNOWN
    )
    upn = UPNField(
        label="UPN (unique pupil number)",
        required=False,
        max_length=20,
        help_text="13 characters, for example B801200005001. Leave blank if not known.",
    )
    stage = forms.ChoiceField(
        label="What is this case?",
        widget=forms.RadioSelect,
        choices=[
            (Stage.RECEIVED, "A child who may be missing education"),
            (Stage.TRACKING, "A child who left a school or provider without a known destination"),
        ],
        initial=Stage.RECEIVED,
    )
    source = forms.ChoiceField(
        label="Who told us",
        choices=[("", "Choose"), *Source.choices],
        error_messages={"required": "Choose who told us about the child"},
    )
    notified_on = GovUKDateField(
        label="Date notified",
        past_only=True,
        help_text="The date we were told",
        error_messages={"required": "Enter the date we were told about the child"},
    )
    priority = forms.ChoiceField(
        label="Priority", choices=Priority.choices, initial=Priority.MEDIUM
    )
    owner = forms.TypedChoiceField(label="Owner", required=False, coerce=int, empty_value=None)
    last_placement = forms.ModelChoiceField(
        label="Last known school or provider",
        queryset=Establishment.objects.none(),
        required=False,
        empty_label="Not known or not listed",
    )
    last_placement_other = forms.CharField(
        label="Last known placement, if not listed", required=False, max_length=160
    )
    last_attended_on = GovUKDateField(
        label="Date of last attendance", required=False, past_only=True
    )

    def __init__(self, *args: Any, authority: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = case_team_choices(authority.pk)  # type: ignore[attr-defined]
        self.fields["last_placement"].queryset = Establishment.objects.order_by("name")  # type: ignore[attr-defined]


class CaseMoveForm(forms.Form):
    to = forms.ChoiceField(
        label="Move the case to",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where to move the case"},
    )
    outcome = forms.ChoiceField(
        label="Outcome, if closing",
        required=False,
        choices=[("", "Choose an outcome"), *Outcome.choices],
    )
    reason = forms.CharField(
        label="Reason, if reopening",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        order = list(Stage)
        moves = sorted(allowed_moves(case.stage), key=order.index)
        self.fields["to"].choices = [(s.value, s.label) for s in moves]  # type: ignore[attr-defined]


# Fields that say where a child is or was at school: withheld for a restricted child.
LOCATION_FIELDS = (
    "last_placement",
    "last_placement_other",
    "last_attended_on",
    "provision_recommended",
    "provision_accessed",
)


class CaseEditForm(forms.ModelForm[Case]):
    version = forms.IntegerField(widget=forms.HiddenInput)
    owner = forms.TypedChoiceField(label="Owner", required=False, coerce=int, empty_value=None)
    notified_on = GovUKDateField(label="Date notified", past_only=True)
    confirmed_missing_on = GovUKDateField(
        label="Date confirmed missing education", required=False, past_only=True
    )
    located_on = GovUKDateField(label="Date located", required=False, past_only=True)
    assessed_on = GovUKDateField(label="Date of assessment", required=False, past_only=True)
    provision_determined_on = GovUKDateField(
        label="Date form of provision determined", required=False, past_only=True
    )
    moved_into_provision_on = GovUKDateField(
        label="Date moved into provision", required=False, past_only=True
    )
    last_attended_on = GovUKDateField(
        label="Date of last attendance", required=False, past_only=True
    )
    next_follow_up_on = GovUKDateField(label="Next follow-up", required=False)

    class Meta:
        model = Case
        fields = [
            "priority",
            "source",
            "notified_on",
            "confirmed_missing_on",
            "located_on",
            "assessed_on",
            "provision_determined_on",
            "moved_into_provision_on",
            "last_placement",
            "last_placement_other",
            "last_attended_on",
            "provision_recommended",
            "provision_accessed",
            "outside_school_age_reason",
            "next_follow_up_on",
        ]
        labels = {
            "outside_school_age_reason": (
                "Why the case continues although the child is not of compulsory school age"
            )
        }

    def __init__(self, *args: Any, withhold_location: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if withhold_location:
            # A restricted child's school and provision are not shown, so cannot be edited.
            for name in LOCATION_FIELDS:
                del self.fields[name]
        self.fields["owner"].choices = case_team_choices(self.instance.authority_id)  # type: ignore[attr-defined]
        self.initial.setdefault("owner", self.instance.owner_id)
        self.initial["version"] = self.instance.version
        if "last_placement" in self.fields:
            self.fields["last_placement"].queryset = Establishment.objects.order_by("name")  # type: ignore[attr-defined]
        self.order_fields(["owner", *self.Meta.fields])

    def changes(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.fields}
        data["owner_id"] = self.cleaned_data["owner"]
        return data


ANSWER_CHOICES = Answer.choices

ASSESSMENT_QUESTIONS = {
    "sudden_or_unexpected": "Did the child go missing suddenly or unexpectedly?",
    "gone_without_family": "Has the child gone without their family, or the family gone without the child?",
    "risk_of_harm": (
        "Is there a health, religious or cultural reason to fear harm "
        "(for example forced marriage or female genital mutilation)?"
    ),
    "past_suspicions": "Have there been suspicions of harm or abuse in the past?",
    "older_associates": "Has the child been seen with older people who are not family?",
    "significant_incident": "Was there a significant incident before the child went missing?",
    "child_protection_plan": "Does the child have a child protection plan?",
    "looked_after": "Is the child looked after by a local authority?",
    "social_care_involved": "Is children's social care currently involved with the family?",
    "avoiding_contact": "Are there signs the family is avoiding contact (§2.3.12)?",
    "whereabouts_unknown": "Are the child's whereabouts unknown?",
}


class AssessmentForm(forms.ModelForm[VulnerabilityAssessment]):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = VulnerabilityAssessment
        fields = list(ASSESSMENT_QUESTIONS)
        labels = ASSESSMENT_QUESTIONS
        widgets = {name: forms.RadioSelect for name in ASSESSMENT_QUESTIONS}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ASSESSMENT_QUESTIONS:
            field = self.fields[name]
            field.choices = ANSWER_CHOICES  # type: ignore[attr-defined]
            field.error_messages["required"] = "Answer this question: choose yes, no or not known"

    def answers(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in ASSESSMENT_QUESTIONS}


class EnquiryForm(forms.Form):
    not_applicable = forms.BooleanField(
        label="This enquiry does not apply to this child", required=False
    )
    made_on = GovUKDateField(label="Date made", required=False, past_only=True)
    outcome = forms.CharField(label="Outcome", required=False, max_length=200)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            not data.get("not_applicable")
            and not data.get("made_on")
            and "made_on" not in self.errors
        ):
            self.add_error(
                "made_on", "Enter the date the enquiry was made, or say it does not apply"
            )
        return data


class TaskForm(forms.Form):
    title = forms.CharField(
        label="What needs doing",
        max_length=200,
        error_messages={"required": "Enter what needs doing"},
    )
    due_on = GovUKDateField(label="Due date", error_messages={"required": "Enter the due date"})
    assigned_to = forms.TypedChoiceField(
        label="Who will do it", required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, authority_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].choices = case_team_choices(authority_id)  # type: ignore[attr-defined]


class NoteForm(forms.Form):
    kind = forms.ChoiceField(
        label="Is this a fact or an opinion?",
        choices=NoteKind.choices,
        widget=forms.RadioSelect,
        help_text="Record facts with their evidence (§3.3.3.2). Mark anything else as opinion.",
        error_messages={"required": "Say whether the note is a fact or an opinion"},
    )
    text = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={"required": "Enter the note"},
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label="Upload a file",
        help_text="PDF, JPG, PNG, TXT, DOCX or XLSX, smaller than 10MB",
        error_messages={"required": "Select a file"},
    )
    name = forms.CharField(
        label="Describe the document",
        max_length=200,
        required=False,
        help_text="For example, letter from school. Leave blank to use the file name.",
    )


class ChildForm(forms.Form):
    forename = forms.CharField(label="Legal first name", max_length=100)
    middle_names = forms.CharField(label="Middle names", max_length=150, required=False)
    surname = forms.CharField(label="Legal last name", max_length=100)
    preferred_forename = forms.CharField(
        label="Preferred first name", max_length=100, required=False
    )
    preferred_surname = forms.CharField(label="Preferred last name", max_length=100, required=False)
    date_of_birth = GovUKDateField(label="Date of birth", required=False, past_only=True)
    sex = forms.ChoiceField(label="Sex", choices=Sex.choices, widget=forms.RadioSelect)
    ethnicity = forms.ChoiceField(
        label="Ethnicity", choices=[("", "Not recorded"), *Ethnicity.choices], required=False
    )
    first_language = forms.CharField(label="First language", max_length=60, required=False)
    upn = UPNField(
        label="UPN",
        required=False,
        max_length=20,
        help_text="When this changes, the old UPN is kept as a former UPN",
    )
    country_of_origin = forms.CharField(
        label="Country of origin (if newly arrived)", max_length=60, required=False
    )
    special_needs = forms.ChoiceField(
        label="Special educational needs", choices=SpecialNeeds.choices
    )
    child_in_need = forms.BooleanField(label="Child in need", required=False)
    child_protection_plan = forms.BooleanField(label="Child protection plan", required=False)
    looked_after = forms.BooleanField(label="Looked after", required=False)
    vulnerable_groups = forms.MultipleChoiceField(
        label="Vulnerable groups (§2.2.1)",
        choices=VulnerableGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    is_restricted = forms.BooleanField(
        label="Restricted record (refuge, escape from violence, witness protection)",
        required=False,
        help_text="Location, school and contacts are then hidden from everyone without a recorded reason",
    )
    restriction_reason = forms.CharField(
        label="Why the record is restricted", max_length=200, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("is_restricted") and not (data.get("restriction_reason") or "").strip():
            self.add_error("restriction_reason", "Enter why this child's record is restricted")
        return data


class AddressForm(forms.Form):
    line1 = forms.CharField(
        label="Address line 1", max_length=120, error_messages={"required": "Enter address line 1"}
    )
    line2 = forms.CharField(label="Address line 2", max_length=120, required=False)
    town = forms.CharField(label="Town or city", max_length=80, required=False)
    postcode = forms.CharField(label="Postcode", max_length=10, required=False)
    lived_from = GovUKDateField(label="Lived there from", required=False, past_only=True)
    is_current = forms.BooleanField(label="This is where the child lives now", required=False)

    def clean_postcode(self) -> str:
        from cme.children.postcodes import normalise_postcode

        value = self.cleaned_data.get("postcode") or ""
        return normalise_postcode(value) if value.strip() else ""


class CarerForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=150)
    relationship = forms.ChoiceField(
        label="Relationship to the child", choices=Relationship.choices
    )
    has_parental_responsibility = forms.BooleanField(
        label="Has parental responsibility", required=False
    )
    lives_with_child = forms.BooleanField(label="The child lives with them", required=False)
    phone = forms.CharField(label="Phone", max_length=30, required=False)
    email = forms.EmailField(label="Email", required=False)
    address = forms.CharField(
        label="Address, if different from the child's", max_length=250, required=False
    )


class SiblingForm(forms.Form):
    full_name = forms.CharField(
        label="Full name", max_length=150, error_messages={"required": "Enter the sibling's name"}
    )
    date_of_birth = GovUKDateField(label="Date of birth", required=False, past_only=True)


class OtherNameForm(forms.Form):
    kind = forms.ChoiceField(
        label="Type of name", choices=NameKind.choices, widget=forms.RadioSelect
    )
    forename = forms.CharField(label="First name", max_length=100, required=False)
    surname = forms.CharField(label="Last name", max_length=100, required=False)


class SealBreakForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need to see this child's location and contacts?",
        help_text="Your name, the time and this reason are recorded and shown to your manager.",
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
        max_length=300,
        error_messages={
            "required": "Enter why you need to see these details",
            "min_length": "Explain why in at least 10 characters",
        },
    )
