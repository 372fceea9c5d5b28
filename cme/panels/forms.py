"""Forms for panels. They validate input only; services make the changes."""

from __future__ import annotations

import re
from datetime import time
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from cme.accounts.models import Role, User
from cme.core.dates import GovUKDateField
from cme.panels.models import DecisionOutcome, HardToPlaceReason, MeetingFormat, PanelMeeting
from cme.registers.models import Establishment

PANEL_ROLES = [Role.CME_OFFICER, Role.CME_MANAGER]
_TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


def chair_choices(authority_id: int) -> list[tuple[str, str]]:
    people = (
        User.objects.filter(
            is_active=True,
            memberships__authority_id=authority_id,
            memberships__role__in=PANEL_ROLES,
            memberships__is_active=True,
        )
        .distinct()
        .order_by("full_name")
        .values_list("pk", "full_name")
    )
    return [("", "Choose the chair"), *((str(pk), name) for pk, name in people)]


class TimeOfDayField(forms.CharField):
    """A time typed as 24-hour hours and minutes, like 14:30."""

    def clean(self, value: Any) -> time | None:
        text = super().clean(value)
        if not text:
            return None
        match = _TIME.match(text)
        if match is None or int(match[1]) > 23 or int(match[2]) > 59:
            raise forms.ValidationError("Enter the start time as hours and minutes, like 14:30")
        return time(int(match[1]), int(match[2]))


class MeetingForm(forms.Form):
    held_on = GovUKDateField(
        label="Date of the meeting",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date of the meeting"},
    )
    starts_at = TimeOfDayField(
        label="Start time",
        help_text="Use the 24-hour clock, for example 09:30 or 14:00",
        max_length=5,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
        error_messages={"required": "Enter the start time"},
    )
    format = forms.ChoiceField(
        label="How is the meeting held?",
        choices=MeetingFormat.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the meeting is held"},
    )
    place = forms.CharField(
        label="Place or joining details",
        help_text="The room and building, or how to join online. Do not include a child's details.",
        max_length=200,
        error_messages={"required": "Enter the place or the joining details"},
    )
    chair = forms.TypedChoiceField(
        label="Chair",
        coerce=int,
        empty_value=None,
        error_messages={"required": "Choose the chair"},
    )

    def __init__(self, *args: Any, authority_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chair"].choices = chair_choices(authority_id)  # type: ignore[attr-defined]


class _ReasonFields(forms.Form):
    reason = forms.ChoiceField(
        label="Why is the child hard to place?",
        choices=HardToPlaceReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why the child is hard to place"},
    )
    details = forms.CharField(
        label="What the panel needs to know",
        help_text="The schools approached, what they said, and what the child needs.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=3000,
        error_messages={"required": "Say why the child is hard to place"},
    )


class AgendaAddForm(_ReasonFields):
    """From the meeting's page: the case is named by its reference."""

    reference = forms.CharField(
        label="Case reference",
        help_text="For example, 990-000123",
        max_length=20,
        error_messages={"required": "Enter the case reference"},
    )
    field_order = ["reference", "reason", "details"]


class CaseAgendaForm(_ReasonFields):
    """From the case's page: the meeting is chosen from the coming ones."""

    meeting = forms.TypedChoiceField(
        label="Which meeting?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the meeting"},
    )
    field_order = ["meeting", "reason", "details"]

    def __init__(self, *args: Any, meetings: QuerySet[PanelMeeting], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].choices = [  # type: ignore[attr-defined]
            (str(m.pk), f"{m.held_on:%-d %B %Y} at {m.starts_at:%H:%M}, {m.place}")
            for m in meetings
        ]


class AttendeeForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=120, error_messages={"required": "Enter the attendee's name"}
    )
    organisation = forms.CharField(
        label="Organisation or school",
        max_length=160,
        error_messages={"required": "Enter the attendee's organisation or school"},
    )
    role = forms.CharField(
        label="Role",
        help_text="For example, headteacher, admissions officer or education welfare officer",
        max_length=120,
        error_messages={"required": "Enter the attendee's role"},
    )


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What did the panel decide?",
        choices=DecisionOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the panel decided"},
    )
    establishment = forms.ModelChoiceField(
        label="Which school?",
        help_text="If the panel named a school of this authority",
        queryset=Establishment.objects.none(),
        required=False,
        empty_label="Choose a school",
    )
    school_other = forms.CharField(
        label="Or the school's name, if it is not in the list",
        max_length=160,
        required=False,
    )
    admit_by = GovUKDateField(
        label="Date by which to admit the child",
        help_text="If the panel named a school. For example, 27 3 2026",
        required=False,
    )
    notes = forms.CharField(
        label="Notes",
        help_text="Needed when the panel deferred or decided something else",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=3000,
        required=False,
    )

    def __init__(self, *args: Any, la_code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["establishment"].queryset = Establishment.objects.filter(  # type: ignore[attr-defined]
            la_code=la_code, is_open=True
        ).order_by("name")

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        # Errors on the field to fix, so the error summary links to it.
        if data.get("outcome") == DecisionOutcome.SCHOOL_NAMED:
            if not data.get("establishment") and not (data.get("school_other") or "").strip():
                self.add_error(
                    "establishment", "Choose the school the panel named, or enter its name"
                )
            elif data.get("establishment") and (data.get("school_other") or "").strip():
                self.add_error(
                    "school_other", "Choose a school from the list or enter its name, not both"
                )
            if not data.get("admit_by") and "admit_by" not in self.errors:
                self.add_error("admit_by", "Enter the date by which to admit the child")
        elif data.get("outcome") and not (data.get("notes") or "").strip():
            self.add_error("notes", "Enter notes saying what the panel decided")
        return data


class MetForm(forms.Form):
    met_on = GovUKDateField(
        label="Date the child was admitted",
        help_text="For example, 27 3 2026",
        past_only=True,
        error_messages={"required": "Enter the date the child was admitted"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("met_on", timezone.localdate())
