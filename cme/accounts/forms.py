from __future__ import annotations

from typing import TYPE_CHECKING, Any

from allauth.account.forms import LoginForm
from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.db.models import QuerySet

from cme.accounts.models import (
    AgencyKind,
    Authority,
    Membership,
    PartnerAgency,
    Role,
    User,
    la_code_validator,
)

if TYPE_CHECKING:
    from cme.registers.models import Establishment


class SignInForm(LoginForm):  # type: ignore[misc]
    """allauth's sign-in form, labelled the GOV.UK way."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Email address"
        self.fields["login"].widget.attrs.pop("placeholder", None)
        self.fields["login"].widget.attrs["autocomplete"] = "username"
        self.fields["password"].widget.attrs.pop("placeholder", None)
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"
        self.fields["login"].error_messages.update(
            required="Enter your email address",
            invalid="Enter an email address in the correct format, like name@example.gov.uk",
        )
        self.fields["password"].error_messages["required"] = "Enter your password"

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean()
        # Demo accounts share a published password: outside demo mode they cannot sign in.
        if getattr(self, "user", None) is not None and self.user.is_demo and not settings.CME_DEMO:
            raise forms.ValidationError("Enter a correct email address and password")
        return data


# Administration forms. They validate only: the views pass cleaned data to one service each.

CODE_ATTRS = {"inputmode": "numeric", "spellcheck": "false", "autocomplete": "off"}


def code_field(field: forms.Field, validator: RegexValidator, width: int) -> None:
    """One clear message for a wrongly shaped code, instead of one per failed check."""
    field.validators = [validator]
    field.widget.attrs.pop("maxlength", None)
    field.widget.attrs.update({**CODE_ATTRS, "class": f"govuk-input--width-{width}"})


class AuthorityForm(forms.ModelForm[Authority]):
    class Meta:
        model = Authority
        fields = ["name", "la_code"]
        labels = {"name": "Name", "la_code": "LA code"}
        help_texts = {"la_code": "The 3-digit local authority code the DfE uses, like 990"}
        error_messages = {
            "name": {
                "required": "Enter the authority's name",
                "unique": "An authority with this name already exists",
            },
            "la_code": {
                "required": "Enter the LA code",
                "unique": "An authority with this LA code already exists",
            },
        }

    def __init__(self, *args: Any, can_change_code: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        code_field(self.fields["la_code"], la_code_validator, 3)
        if not can_change_code:
            # A disabled field keeps its current value whatever is posted.
            self.fields["la_code"].disabled = True
            self.fields["la_code"].help_text = "Only the service operator can change an LA code"


class AgencyForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=160, error_messages={"required": "Enter the agency's name"}
    )
    kind = forms.ChoiceField(
        label="Kind of agency",
        choices=AgencyKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of agency"},
    )
    is_active = forms.BooleanField(
        label="Active",
        required=False,
        help_text="Clear this box when the agency no longer refers children",
    )

    def __init__(
        self,
        *args: Any,
        authority: Authority,
        agency: PartnerAgency | None = None,
        **kwargs: Any,
    ) -> None:
        if agency is not None:
            kwargs.setdefault(
                "initial", {"name": agency.name, "kind": agency.kind, "is_active": agency.is_active}
            )
        super().__init__(*args, **kwargs)
        self.authority = authority
        self.agency = agency
        if agency is None:
            del self.fields["is_active"]  # a new agency is active

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"]
        clash = PartnerAgency.objects.filter(authority=self.authority, name__iexact=name)
        if self.agency is not None:
            clash = clash.exclude(pk=self.agency.pk)
        if clash.exists():
            raise forms.ValidationError("Your authority already has an agency with this name")
        return name


class MembershipForm(forms.Form):
    """A role in the administrator's authority, tied to a school or agency where the role needs one."""

    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a role"},
    )
    establishment: forms.ModelChoiceField[Establishment] = forms.ModelChoiceField(
        label="School",
        queryset=None,
        required=False,
        empty_label="Not a school user",
        help_text="Only for a school user: the school they work at",
        error_messages={"invalid_choice": "Choose a school from the list"},
    )
    agency: forms.ModelChoiceField[PartnerAgency] = forms.ModelChoiceField(
        label="Partner agency",
        queryset=None,
        required=False,
        empty_label="Not a partner agency user",
        help_text="Only for a partner agency user: the agency they work for",
        error_messages={"invalid_choice": "Choose a partner agency from the list"},
    )

    def __init__(
        self,
        *args: Any,
        establishments: QuerySet[Establishment],
        agencies: QuerySet[PartnerAgency],
        person: User | None = None,
        authority: Authority | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.person = person
        self.authority = authority
        self.fields["establishment"].queryset = establishments  # type: ignore[attr-defined]
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role, establishment, agency = (
            data.get("role"),
            data.get("establishment"),
            data.get("agency"),
        )
        if role is None:
            return data
        if (
            role == Role.SCHOOL_USER
            and establishment is None
            and "establishment" not in self.errors
        ):
            self.add_error("establishment", "Choose the school this school user works at")
        if role != Role.SCHOOL_USER and establishment is not None:
            self.add_error("establishment", "Choose a school only for a school user")
        if role == Role.PARTNER and agency is None and "agency" not in self.errors:
            self.add_error("agency", "Choose the agency this partner agency user works for")
        if role != Role.PARTNER and agency is not None:
            self.add_error("agency", "Choose an agency only for a partner agency user")
        if (
            self.person is not None
            and Membership.objects.filter(
                user=self.person, authority=self.authority, role=role
            ).exists()
        ):
            self.add_error("role", "They already have this role. Reactivate it on their page")
        return data


class UserCreateForm(MembershipForm):
    full_name = forms.CharField(
        label="Full name", max_length=150, error_messages={"required": "Enter their full name"}
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="Their work email address. They will use it to sign in",
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.gov.uk",
        },
    )

    field_order = ["full_name", "email", "role", "establishment", "agency"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["full_name"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["email"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account with this email address already exists. If they work for your "
                "authority, find them in the list of users and add a role"
            )
        return email


class ActionForm(forms.Form):
    """A confirm-only POST (a button): it has no fields, and carries the error if refused."""
