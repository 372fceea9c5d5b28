"""Forms for referrals, triage, sweeps and contacts. They validate input only; services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from cme.accounts.models import PartnerAgency
from cme.cases.forms import UPNField, case_team_choices
from cme.cases.models import Priority, Source
from cme.children.models import Sex, VulnerableGroup
from cme.children.postcodes import normalise_postcode
from cme.core.dates import GovUKDateField
from cme.intake.models import AgencyContact, CMEContact, NotCMEReason, ReferrerRelationship
from cme.intake.services import ChildDetails

YES_NO = [("yes", "Yes"), ("no", "No")]
CONCERN_MAX = 2000


class PostcodeField(forms.CharField):
    def clean(self, value: Any) -> str:
        text = super().clean(value) or ""
        return normalise_postcode(text) if text.strip() else ""


def _text(label: str, max_length: int, **kwargs: Any) -> forms.CharField:
    kwargs.setdefault("required", False)
    return forms.CharField(label=label, max_length=max_length, **kwargs)


def _age() -> forms.IntegerField:
    return forms.IntegerField(
        label="Age",
        required=False,
        min_value=0,
        max_value=25,
        help_text="If you do not know their date of birth, how old you think they are",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-2"}),
        error_messages={
            "invalid": "Enter the child's age as a number, like 12",
            "min_value": "Enter an age of 0 or more",
            "max_value": "Enter an age of 25 or less",
        },
    )


def _concern(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=CONCERN_MAX,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Tell us why you are worried about the child",
            "max_length": f"Keep this to {CONCERN_MAX} characters or fewer",
        },
    )


def _in_danger() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Do you think the child is in danger now?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether you think the child is in danger now"},
    )


class ChildDetailsForm(forms.Form):
    """What every route asks about the child; each route's form adds or drops fields."""

    forename = _text("Child's first name", 100)
    surname = _text("Child's last name", 100)
    date_of_birth = GovUKDateField(
        label="Date of birth",
        required=False,
        past_only=True,
        help_text="For example, 27 3 2013. Leave blank if you do not know.",
    )
    age = _age()
    postcode = PostcodeField(
        label="Postcode", required=False, max_length=10, widget=forms.TextInput()
    )
    school = _text("School they go to, or last went to", 160, help_text="If you know it")
    concern = _concern("Why are you worried they are missing education?", "")
    in_danger = _in_danger()

    def child_details(self) -> ChildDetails:
        data = self.cleaned_data
        return ChildDetails(
            concern=data["concern"].strip(),
            forename=data.get("forename", "").strip(),
            surname=data.get("surname", "").strip(),
            other_names=data.get("other_names", "").strip(),
            date_of_birth=data.get("date_of_birth"),
            age=data.get("age"),
            sex=data.get("sex") or Sex.UNKNOWN,
            upn=data.get("upn", ""),
            address=data.get("address", "").strip(),
            postcode=data.get("postcode", ""),
            where_seen=data.get("where_seen", "").strip(),
            school=data.get("school", "").strip(),
            in_danger=data.get("in_danger") == "yes",
            carers=data.get("carers", "").strip(),
            languages=data.get("languages", "").strip(),
            vulnerable_groups=tuple(data.get("vulnerable_groups", ())),
            last_seen_on=data.get("last_seen_on"),
        )


class PublicReferralForm(ChildDetailsForm):
    """The short public form. Nothing is required but where the child is and why we should worry."""

    field_order = [
        "forename",
        "surname",
        "age",
        "date_of_birth",
        "where_seen",
        "postcode",
        "school",
        "concern",
        "in_danger",
        "referrer_name",
        "referrer_phone",
        "referrer_email",
        "referrer_relationship",
    ]

    where_seen = forms.CharField(
        label="Where does the child live, or where have you seen them?",
        max_length=250,
        help_text="An address, a street or a place, like the park on Mill Road",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Tell us where the child lives or where you have seen them"},
    )
    concern = _concern(
        "Why do you think they are not in school or education?",
        "For example, you see them at home or out during school hours",
    )
    referrer_name = _text("Your name", 120, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    referrer_phone = _text(
        "Your phone number",
        30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    referrer_email = forms.EmailField(
        label="Your email address",
        required=False,
        max_length=254,
        widget=forms.TextInput(
            attrs={"type": "email", "autocomplete": "email", "spellcheck": "false"}
        ),
        error_messages={
            "invalid": "Enter an email address in the right format, like name@example.com"
        },
    )
    referrer_relationship = forms.ChoiceField(
        label="How do you know the child?",
        required=False,
        choices=[("", "Choose, if you want to"), *ReferrerRelationship.choices],
    )

    CHILD_FIELDS = ("forename", "surname", "age", "date_of_birth", "where_seen", "postcode")
    ABOUT_YOU = ("referrer_name", "referrer_phone", "referrer_email", "referrer_relationship")

    def child_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.CHILD_FIELDS]

    def concern_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("school", "concern", "in_danger")]

    def about_you_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.ABOUT_YOU]


class PartnerReferralForm(ChildDetailsForm):
    """What a partner agency usually knows: more than the public, and the agency's own reference."""

    field_order = [
        "forename",
        "surname",
        "other_names",
        "date_of_birth",
        "age",
        "sex",
        "upn",
        "address",
        "postcode",
        "carers",
        "languages",
        "school",
        "last_seen_on",
        "vulnerable_groups",
        "concern",
        "in_danger",
        "agency_reference",
    ]

    forename = _text(
        "Child's first name",
        100,
        required=True,
        error_messages={"required": "Enter the child's first name"},
    )
    surname = _text(
        "Child's last name",
        100,
        required=True,
        error_messages={"required": "Enter the child's last name"},
    )
    other_names = _text("Other names they are known by", 200)
    sex = forms.ChoiceField(
        label="Sex", choices=Sex.choices, widget=forms.RadioSelect, initial=Sex.UNKNOWN
    )
    upn = UPNField(
        label="UPN (unique pupil number)",
        required=False,
        max_length=20,
        help_text="13 characters, for example B801200005001, if you know it",
    )
    address = _text("Address", 250, widget=forms.Textarea(attrs={"rows": 2}))
    carers = _text("Names of parents or carers", 250)
    languages = _text("Languages spoken", 120)
    last_seen_on = GovUKDateField(label="Date last seen", required=False, past_only=True)
    vulnerable_groups = forms.MultipleChoiceField(
        label="Does any of these apply to the child?",
        required=False,
        choices=VulnerableGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply",
    )
    concern = _concern(
        "Why do you think the child is missing education?",
        "What you know: when they were last in education, what has changed, who else is involved",
    )
    agency_reference = _text("Your agency's reference", 40, help_text="If you have one")


class SweepChildForm(ChildDetailsForm):
    """A child met on a truancy sweep."""

    field_order = [
        "forename",
        "surname",
        "date_of_birth",
        "age",
        "sex",
        "address",
        "postcode",
        "school",
        "concern",
        "in_danger",
    ]

    forename = _text(
        "First name",
        100,
        required=True,
        error_messages={"required": "Enter the child's first name"},
    )
    surname = _text(
        "Last name", 100, required=True, error_messages={"required": "Enter the child's last name"}
    )
    sex = forms.ChoiceField(
        label="Sex", choices=Sex.choices, widget=forms.RadioSelect, initial=Sex.UNKNOWN
    )
    address = _text("Address the child gave", 250, widget=forms.Textarea(attrs={"rows": 2}))
    concern = _concern(
        "Why the child was not in school",
        "What the child or the adult with them said, and where they were met",
    )
    in_danger = forms.ChoiceField(
        label="Was the child at risk of harm?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        initial="no",
        error_messages={"required": "Say whether the child was at risk of harm"},
    )


# --- Triage -------------------------------------------------------------------------------------


class OpenCaseForm(forms.Form):
    """Open a case from a referral. For a new child the names come prefilled from the referral."""

    forename = _text(
        "Legal first name",
        100,
        required=True,
        error_messages={"required": "Enter the child's first name"},
    )
    surname = _text(
        "Legal last name",
        100,
        required=True,
        error_messages={"required": "Enter the child's last name"},
    )
    date_of_birth = GovUKDateField(
        label="Date of birth", required=False, past_only=True, help_text="Leave blank if not known"
    )
    sex = forms.ChoiceField(label="Sex", choices=Sex.choices, widget=forms.RadioSelect)
    upn = UPNField(label="UPN (unique pupil number)", required=False, max_length=20)
    source = forms.ChoiceField(label="Who told us", choices=Source.choices)
    priority = forms.ChoiceField(label="Priority", choices=Priority.choices)
    owner = forms.TypedChoiceField(label="Owner", required=False, coerce=int, empty_value=None)

    CHILD_FIELDS = ("forename", "surname", "date_of_birth", "sex", "upn")

    def __init__(self, *args: Any, authority: Any, new_child: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = case_team_choices(authority.pk)  # type: ignore[attr-defined]
        if not new_child:
            for name in self.CHILD_FIELDS:
                del self.fields[name]


class CloseNotCMEForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why is this child not missing education?",
        choices=NotCMEReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why this child is not missing education"},
    )
    note = _text(
        "Note",
        500,
        help_text="What you checked, like the school roll or the address. Needed for “Other reason”.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reason") == NotCMEReason.OTHER and not data.get("note", "").strip():
            self.add_error("note", "Say why this child is not missing education")
        return data


# --- Sweeps and contacts ------------------------------------------------------------------------


class SweepForm(forms.Form):
    held_on = GovUKDateField(
        label="Date of the sweep",
        past_only=True,
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date of the sweep"},
    )
    area = forms.CharField(
        label="Area",
        max_length=160,
        help_text="Where the sweep went, like Exampleton town centre",
        error_messages={"required": "Enter the area the sweep covered"},
    )
    partners = forms.ModelMultipleChoiceField(
        label="Partners who took part",
        queryset=PartnerAgency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = _text(
        "Notes",
        2000,
        help_text="About the sweep itself. Record each child met on it separately.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, authority: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partners"].queryset = PartnerAgency.objects.filter(  # type: ignore[attr-defined]
            authority=authority, is_active=True
        ).order_by("name")


class CMEContactForm(forms.ModelForm[CMEContact]):
    class Meta:
        model = CMEContact
        fields = ["name", "phone", "email", "hours", "order"]
        labels = {"name": "Name", "phone": "Phone number", "email": "Email address"}
        help_texts = {"hours": "For example, Monday to Friday, 9am to 5pm"}
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel"}),
            "email": forms.TextInput(attrs={"type": "email", "spellcheck": "false"}),
            "order": forms.TextInput(
                attrs={"inputmode": "numeric", "class": "govuk-input--width-2"}
            ),
        }
        error_messages = {
            "name": {"required": "Enter the contact's name"},
            "phone": {"required": "Enter a phone number"},
            "email": {
                "required": "Enter an email address",
                "invalid": "Enter an email address in the right format, like name@example.gov.uk",
            },
            "hours": {"required": "Enter when they can be reached"},
        }


class AgencyContactForm(forms.ModelForm[AgencyContact]):
    class Meta:
        model = AgencyContact
        fields = ["name", "role", "phone", "email"]
        labels = {"name": "Name", "phone": "Phone number", "email": "Email address"}
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel"}),
            "email": forms.TextInput(attrs={"type": "email", "spellcheck": "false"}),
        }
        error_messages = {
            "name": {"required": "Enter the contact's name"},
            "email": {
                "invalid": "Enter an email address in the right format, like name@example.org"
            },
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("phone") and not data.get("email") and not self.errors:
            raise ValidationError("Enter a phone number or an email address")
        return data
