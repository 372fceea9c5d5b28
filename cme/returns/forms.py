"""The pages' forms. The return forms are the shared checks of validation.py with GOV.UK inputs
(three-box dates, radios): one set of rules for the form, a CSV row and the API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.forms import BoundField

from cme.children.models import Relationship, Sex
from cme.core.dates import GovUKDateField
from cme.registers.models import Establishment
from cme.returns.grounds import Ground, ground_label, needs_joint_enquiries
from cme.returns.models import CTFRoute, EHEEndReason, EHESource, EHEStatus
from cme.returns.selectors import DELETION, NEW_PUPIL, EHEFilter, ReturnFilter
from cme.returns.uploads import DELETION as UPLOAD_DELETION
from cme.returns.uploads import NEW_PUPIL as UPLOAD_NEW_PUPIL
from cme.returns.validation import DeletionReturnData, NewPupilReturnData, PupilData

DATE_HINT = "For example, 27 3 2026"


def _date(label: str, required: bool = True, **kwargs: Any) -> GovUKDateField:
    return GovUKDateField(
        label=label,
        required=required,
        past_only=True,
        error_messages={"required": f"Enter the {label[0].lower()}{label[1:]}"},
        **kwargs,
    )


def _sex() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Sex",
        choices=Sex.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the pupil is male, female or not known"},
    )


def _relationship(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=[("", "Not given"), *Relationship.choices], required=False
    )


def _ground_choice(ground: Ground) -> str:
    label = ground_label(ground)
    if needs_joint_enquiries(ground):
        label += " (only after the local authority has recorded your joint enquiries)"
    return label


class Sectioned:
    """Forms shown in titled sections: `sections` names the fields under each heading."""

    sections: list[tuple[str, list[str]]] = []

    def grouped(self) -> list[tuple[str, list[BoundField]]]:
        form: Any = self
        return [(title, [form[name] for name in names]) for title, names in self.sections]


PUPIL_SECTION = (
    "The pupil",
    [
        "forename",
        "middle_names",
        "surname",
        "preferred_forename",
        "preferred_surname",
        "date_of_birth",
        "sex",
        "upn",
    ],
)
ADDRESS_SECTION = ("Where the pupil lives", ["address_line1", "address_line2", "town", "postcode"])


class DeletionReturnForm(Sectioned, DeletionReturnData):
    date_of_birth = _date("Date of birth", help_text="For example, 27 3 2014")
    sex = _sex()
    parent1_relationship = _relationship("Relationship to the pupil")
    parent2_relationship = _relationship("Second parent or carer's relationship to the pupil")
    ground = forms.ChoiceField(
        label="Why was the pupil's name removed?",
        choices=[(g.value, _ground_choice(g)) for g in Ground],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the ground for deleting the pupil"},
    )
    deleted_on = _date("Date the pupil's name was removed", help_text=DATE_HINT)
    last_attended_on = _date("Date of last attendance", help_text=DATE_HINT)
    destination_starts_on = GovUKDateField(
        label="Start date at the new school", required=False, help_text="Leave blank if not known"
    )
    welfare_concerns = forms.BooleanField(
        label="The school has concerns about this child's welfare",
        required=False,
        help_text="For a child being home educated, the local authority then opens a case",
    )

    sections = [
        PUPIL_SECTION,
        ADDRESS_SECTION,
        (
            "Parents and carers",
            [
                "parent1_name",
                "parent1_relationship",
                "parent1_address",
                "parent2_name",
                "parent2_relationship",
                "parent2_address",
            ],
        ),
        (
            "Emergency contacts",
            ["contact1_name", "contact1_phone", "contact2_name", "contact2_phone"],
        ),
        ("The deletion", ["ground", "deleted_on", "last_attended_on", "welfare_concerns"]),
        (
            "Where the pupil is going, if known",
            ["destination_school", "destination_other", "destination_starts_on"],
        ),
    ]


class NewPupilReturnForm(Sectioned, NewPupilReturnData):
    date_of_birth = _date("Date of birth", help_text="For example, 27 3 2014")
    sex = _sex()
    admitted_on = _date("Admission date", help_text=DATE_HINT)

    sections = [
        PUPIL_SECTION,
        ADDRESS_SECTION,
        ("Admission", ["admitted_on", "previous_school", "previous_school_other"]),
    ]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="What does the file contain?",
        choices=[
            (UPLOAD_DELETION, "Deletion returns"),
            (UPLOAD_NEW_PUPIL, "New pupil returns"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the file has deletion or new pupil returns"},
    )
    file = forms.FileField(
        label="Upload a CSV file",
        help_text="Smaller than 1MB, with no more than 2,000 returns",
        error_messages={"required": "Select a CSV file"},
    )


# -- Lists ---------------------------------------------------------------------------------------


class ReturnFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Type",
        required=False,
        choices=[
            ("", "Any type"),
            (DELETION, "Deletion returns"),
            (NEW_PUPIL, "New pupil returns"),
        ],
    )
    school = forms.TypedChoiceField(label="School", required=False, coerce=int, empty_value=None)
    ground = forms.ChoiceField(
        label="Deletion ground",
        required=False,
        choices=[("", "Any ground"), *Ground.choices],
    )
    late = forms.BooleanField(label="Late returns only", required=False)
    linked = forms.BooleanField(label="Only returns that opened or matched a case", required=False)

    def __init__(self, *args: Any, la_code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        schools = Establishment.objects.filter(la_code=la_code).order_by("name")
        self.fields["school"].choices = [  # type: ignore[attr-defined]
            ("", "Any school"),
            *((str(pk), name) for pk, name in schools.values_list("pk", "name")),
        ]

    def to_filter(self) -> ReturnFilter:
        data = self.cleaned_data
        return ReturnFilter(
            kind=data.get("kind") or "",
            establishment_id=data.get("school"),
            late=bool(data.get("late")),
            ground=data.get("ground") or "",
            linked=bool(data.get("linked")),
        )


class EHEFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[
            (EHEStatus.ACTIVE, "Home educated now"),
            (EHEStatus.ENDED, "Ended"),
            ("all", "All"),
        ],
    )
    source = forms.ChoiceField(
        label="How we heard", required=False, choices=[("", "Any"), *EHESource.choices]
    )

    def to_filter(self) -> EHEFilter:
        status = self.cleaned_data.get("status") or EHEStatus.ACTIVE
        return EHEFilter(
            status="" if status == "all" else status, source=self.cleaned_data.get("source") or ""
        )


# -- The EHE register ----------------------------------------------------------------------------


class EHEAddForm(Sectioned, PupilData):
    date_of_birth = _date("Date of birth", help_text="For example, 27 3 2014")
    sex = _sex()
    started_on = _date("Date home education started", help_text=DATE_HINT)
    source = forms.ChoiceField(
        label="How did we hear?",
        choices=[
            (EHESource.PARENT.value, EHESource.PARENT.label),
            (EHESource.OTHER.value, EHESource.OTHER.label),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Say how the authority heard"},
    )
    educator = forms.CharField(
        label="Who educates the child",
        max_length=200,
        required=False,
        help_text="For example, parent, or a named tutor",
    )
    hours_per_week = forms.DecimalField(
        label="Hours of education a week",
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(80),
        decimal_places=1,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-4"}),
        error_messages={
            "invalid": "Hours a week must be a number, like 20",
            "min_value": "Hours a week must be 0 or more",
            "max_value": "Hours a week must be 80 or fewer",
            "max_decimal_places": "Hours a week can have one decimal place at most",
        },
    )

    sections = [
        PUPIL_SECTION,
        ADDRESS_SECTION,
        ("Home education", ["started_on", "source", "educator", "hours_per_week"]),
    ]


class EHEEndForm(forms.Form):
    ended_on = _date("Date home education ended", help_text=DATE_HINT)
    reason = forms.ChoiceField(
        label="Why did it end?",
        choices=EHEEndReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why home education ended"},
    )


class CTFSentForm(forms.Form):
    sent_on = _date("Date the file was sent", help_text=DATE_HINT)
    via = forms.ChoiceField(
        label="Where did you send it?",
        choices=CTFRoute.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where you sent the common transfer file"},
    )


CTF_SORT_CHOICES = [
    ("overdue", "Most overdue first"),
    ("-overdue", "Least overdue first"),
    ("school", "School, A to Z"),
    ("-school", "School, Z to A"),
]


class CTFSortForm(forms.Form):
    sort = forms.ChoiceField(label="Sort by", choices=CTF_SORT_CHOICES, required=False)
